"""Students in the browser: sign in with the class code, download your own case, upload a
submission and get your score at once, see the leaderboard.

The student is whoever the signed session says, never an id the browser sends; the score is
computed on the server from the uploaded file against that student's own case.
"""

from __future__ import annotations

from datetime import UTC, datetime

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from workbench.app.components import grade_panel, grade_view, upload_and_grade
from workbench.app.labpage import readable_report
from workbench.app.signin import field, no_course, signin_form, signout_bar
from workbench.classroom.assignments import assignments, on_roster, settings_of
from workbench.classroom.attempts import (
    AttemptRefused,
    attempts_today,
    leaderboard,
    submit,
    visible_report,
)
from workbench.classroom.auth import current_user, signed_in_student
from workbench.classroom.course import course_root, current_course, pseudonym
from workbench.i18n import N_, t
from workbench.registry import get_lab


def layout(failed: str | None = None, **_: object) -> html.Div:
    if course_root() is None:
        return html.Div(no_course("student"), id="student-page")
    user = current_user()
    if user is None or user[1] != "student":
        return html.Div(signin_form("student", [
            field(t("Class code"), "code", "student-code"),
            field(t("Student id"), "student", "student-id"),
            field(t("Passphrase (if your instructor gave you one)"), "pin", "student-pin",
                  "password")],
            failed=failed), id="student-page")
    mine = my_assignments(user[0])
    if not mine:
        return html.Div([signout_bar("student", user[0]),
                         dbc.Alert(t("You are not on the roster of any assignment yet."))],
                        id="student-page")
    return html.Div([
        signout_bar("student", user[0]),
        html.H2(t("My work")),
        dbc.InputGroup([dbc.InputGroupText(t("Assignment")),
                        dbc.Select(id="student-lab", value=mine[0]["value"], options=mine)],
                       class_name="mb-2"),
        html.Div(id="student-status", className="mb-2"),
        dbc.Button(t("Download my case"), id="student-download-btn", color="outline-primary"),
        dcc.Download(id="student-download"),
        html.H4(t("Upload your submission"), className="mt-3"),
        html.P(t("Before the due date you see the public criteria only; the rest is revealed "
                 "after it."), className="text-muted"),
        grade_panel("student", ".json,.csv,.xlsx", ""),
        html.H4(t("Leaderboard"), className="mt-4"),
        html.Div(id="student-leaderboard"),
    ], id="student-page")


def my_assignments(student: str) -> list[dict[str, str]]:
    return [{"label": t(get_lab(s.lab).title), "value": s.lab} for s in assignments()
            if on_roster(s.lab, student)]


def _who(slug: object):
    """The signed-in student and the settings of one of their assignments, or no update."""
    student = signed_in_student()
    if student is None or not isinstance(slug, str) or not on_roster(slug, student):
        raise PreventUpdate
    settings = settings_of(slug)
    if settings is None:
        raise PreventUpdate
    return student, settings


def status_line(student: str, settings) -> str:
    if not settings.is_open():
        return t("Closed on {due} UTC: the private leaderboard is final.",
                 due=f"{settings.due:%Y-%m-%d %H:%M}")
    used = attempts_today(settings.lab, student)
    return t("Due {due} UTC · {left} of {limit} attempts left today · you appear as “{name}”",
             due=f"{settings.due:%Y-%m-%d %H:%M}", left=max(settings.daily_limit - used, 0),
             limit=settings.daily_limit, name=pseudonym(student))


def board(student: str, settings) -> html.Div:
    private = not settings.is_open()
    rows_ = leaderboard(settings.lab, settings, private=private)
    me = pseudonym(student)
    score = "score" if private else "public_score"
    rows = [html.Tr([html.Td(r["rank"]), html.Td(t("{name} (you)", name=r["pseudonym"])
                                                 if r["pseudonym"] == me else r["pseudonym"]),
                     html.Td(f"{r[score]:.1f}")], className="table-primary" if r["pseudonym"] == me
                    else None) for r in rows_]
    head = html.Thead(html.Tr([html.Th(t("Rank")), html.Th(t("Name")),
                               html.Th(t("Score") if private else t("Public score"))]))
    title = (t("Private leaderboard (final ranks, full score)") if private
             else t("Public leaderboard (ranked on the public criteria)"))
    return html.Div([html.H6(title), dbc.Table([head, html.Tbody(rows)], size="sm",
                                               id="student-leaderboard-table")])


@callback(Output("student-status", "children"), Output("student-leaderboard", "children"),
          Input("student-lab", "value"), Input("student-grade", "children"))
def show_status(slug, _grade):
    student, settings = _who(slug)
    return status_line(student, settings), board(student, settings)


def _owner() -> str | None:
    """Who may use an upload token of the student page: the signed-in student."""
    student = signed_in_student()
    return f"student:{student}" if student else None


STAGES = {"reading": N_("Reading your file…"), "grading": N_("Grading against your case…")}


def grade_upload(path, values, say):
    """The background job of an upload: take an attempt, grade the file against the student's
    own case, store it (see :func:`workbench.classroom.attempts.submit`)."""
    (slug,) = values
    student, settings = _who(slug)
    say(t("Grading against your case…"))
    try:
        attempt = submit(get_lab(slug), settings, student, path,
                         progress=lambda stage: say(t(STAGES.get(stage, stage))))
    except AttemptRefused as exc:
        return dbc.Alert([html.Strong(t("The upload was not graded")), ": ", str(exc)],
                         color="warning", id="student-refused")
    except Exception:  # the attempt was given back; never a traceback in the page
        return dbc.Alert([html.Strong(t("The upload was not graded")), ": ",
                          t("grading failed on the server; the attempt was given back — "
                            "upload the file again, and tell your instructor if it happens "
                            "again")], color="danger", id="student-refused")
    return grade_view(readable_report(visible_report(attempt.report, settings, datetime.now(UTC))),
                      "student-grade")


upload_and_grade("student", grade_upload, states=[("student-lab", "value")], owner=_owner)


@callback(Output("student-download", "data"), Input("student-download-btn", "n_clicks"),
          State("student-lab", "value"), prevent_initial_call=True)
def download_case(_clicks, slug):
    student, settings = _who(slug)
    archive = current_course().release_zip(settings.lab, student)
    if not archive.is_file():
        return no_update
    return dcc.send_file(str(archive), filename=f"{settings.lab}-{student}.zip")


def register() -> None:
    dash.register_page(__name__, path="/student", name="Student", title="Student",
                       layout=layout, order=80)
