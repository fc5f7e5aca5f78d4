"""The instructor area: assignments, grading a class's uploads, the gradebook, exports.

Every callback is wrapped in ``require_role("instructor")``: whatever the browser sends, no
instructor data leaves the server without a signed instructor session. Creating an
assignment and grading a class run as background jobs with progress.
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from workbench.app import uploads
from workbench.app.components import error_view, grade_view, upload_box
from workbench.app.labpage import readable_report
from workbench.app.signin import field, no_course, signin_form, signout_bar
from workbench.assign import read_roster
from workbench.classroom import grading
from workbench.classroom.assignments import (
    Settings,
    assignments,
    create_assignment,
    default_public_metrics,
    settings_of,
)
from workbench.classroom.attempts import visible_report
from workbench.classroom.auth import current_user, require_role
from workbench.classroom.course import class_code, course_root, gradebook
from workbench.grading.exports import FORMATS
from workbench.i18n import t
from workbench.lab import SIZES
from workbench.registry import get_lab, labs


def layout(failed: str | None = None, **_: object) -> html.Div:
    if course_root() is None:
        return html.Div(no_course("instructor"), id="instructor-page")
    user = current_user()
    if user is None or user[1] != "instructor":
        return html.Div(signin_form("instructor", [
            field(t("User name"), "username", "instructor-username"),
            field(t("Password"), "password", "instructor-password", "password")],
            failed=failed), id="instructor-page")
    return html.Div([
        signout_bar("instructor", user[0]),
        html.H2(t("Instructor")),
        dbc.Alert(t("Class code for students: {code}", code=class_code()), color="light",
                  id="instructor-class-code"),
        dcc.Store(id="instructor-refresh", data=0),
        # Dash keys background results by their arguments: a fresh value per page load keeps a
        # result left over from an identical earlier request from standing in for this one
        dcc.Store(id="instructor-nonce", data=uuid.uuid4().hex),
        dcc.Store(id="instructor-upload-token"),
        dbc.Tabs([
            dbc.Tab(assignments_tab(), label=t("Assignments"), tab_id="assignments"),
            dbc.Tab(grading_tab(), label=t("Grade submissions"), tab_id="grade"),
            dbc.Tab(gradebook_tab(), label=t("Gradebook"), tab_id="gradebook"),
        ], id="instructor-tabs", active_tab="assignments"),
    ], id="instructor-page")


def lab_options() -> list[dict[str, str]]:
    return [{"label": t(lab.title), "value": slug} for slug, lab in labs().items()]


def assignments_tab() -> html.Div:
    due = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    first = next(iter(labs()), None)
    return html.Div([
        html.Div(id="instructor-assignments", className="mt-3"),
        html.H4(t("New assignment"), className="mt-3"),
        dbc.Row([
            dbc.Col([dbc.Label(t("Lab")), dbc.Select(id="instructor-new-lab",
                                                     options=lab_options(), value=first)], md=4),
            dbc.Col([dbc.Label(t("Case size")),
                     dbc.Select(id="instructor-new-size", value="class",
                                options=[{"label": t(s), "value": s} for s in SIZES])], md=2),
            dbc.Col([dbc.Label(t("Due (UTC)")), dbc.Input(id="instructor-new-due",
                                                          type="datetime-local", value=due)],
                    md=3),
            dbc.Col([dbc.Label(t("Attempts per day")),
                     dbc.Input(id="instructor-new-limit", type="number", min=1, value=5)], md=3),
        ], class_name="g-2 mb-2"),
        dbc.Label(t("Criteria on the public leaderboard")),
        dbc.Checklist(id="instructor-new-public", inline=True, class_name="mb-2"),
        upload_box("instructor-roster", ".csv", t("Roster (CSV with a student_id column)")),
        dbc.Button(t("Create the assignment"), id="instructor-create-btn", color="primary",
                   class_name="mt-2"),
        dbc.Progress(id="instructor-create-progress", value=0, class_name="my-2"),
        html.Div(id="instructor-create-status"),
    ])


def grading_tab() -> html.Div:
    return html.Div([
        dbc.Select(id="instructor-lab", class_name="my-3"),
        upload_box("instructor-class-upload", ".zip",
                   t("A zip of the class's submissions: one file or folder per student, named "
                     "by student id")),
        dbc.Progress(id="instructor-grade-progress", value=0, class_name="my-2"),
        html.Div(id="instructor-grade-status"),
    ])


def gradebook_tab() -> html.Div:
    exports = [dbc.Button(t("Download {format}", format=fmt), id=f"instructor-export-{fmt}",
                          color="outline-primary", class_name="me-2") for fmt in FORMATS]
    return html.Div([
        html.Div(exports + [dcc.Download(id="instructor-download")], className="my-3"),
        html.Div(id="instructor-gradebook"),
        dbc.Row([dbc.Col(dcc.Graph(id="instructor-histogram"), md=6),
                 dbc.Col(dcc.Graph(id="instructor-criteria"), md=6)]),
        dbc.InputGroup([dbc.InputGroupText(t("Student")),
                        dbc.Select(id="instructor-student")], class_name="my-3"),
        html.Div(id="instructor-drilldown"),
    ])


# ---- callbacks ------------------------------------------------------------------------------

@callback(Output("instructor-new-public", "options"), Output("instructor-new-public", "value"),
          Input("instructor-new-lab", "value"))
@require_role("instructor")
def public_choices(slug):
    lab = get_lab(slug)
    options = [{"label": t(m.title), "value": m.name} for m in lab.metrics if m.weight > 0]
    return options, list(default_public_metrics(lab))


def public_titles(settings: Settings) -> list[str]:
    titles = {m.name: m.title for m in get_lab(settings.lab).metrics}
    return [t(titles.get(name, name)) for name in settings.public_metrics]


@callback(Output("instructor-assignments", "children"), Output("instructor-lab", "options"),
          Output("instructor-lab", "value"), Input("instructor-refresh", "data"),
          State("instructor-lab", "value"))
@require_role("instructor")
def list_assignments(_refresh, chosen):
    current = assignments()
    rows = [html.Tr([html.Td(t(get_lab(s.lab).title)),
                     html.Td(len(gradebook().roster(s.lab))),
                     html.Td(f"{s.due:%Y-%m-%d %H:%M} UTC"), html.Td(s.daily_limit),
                     html.Td(", ".join(public_titles(s)))]) for s in current]
    head = html.Thead(html.Tr([html.Th(t(h)) for h in ("Lab", "Students", "Due",
                                                        "Attempts per day", "Public criteria")]))
    options = [{"label": t(get_lab(s.lab).title), "value": s.lab} for s in current]
    values = [o["value"] for o in options]
    value = chosen if chosen in values else (values[0] if values else None)
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True), options, value


@callback(Output("instructor-create-status", "children"),
          Output("instructor-refresh", "data", allow_duplicate=True),
          Input("instructor-create-btn", "n_clicks"),
          State("instructor-new-lab", "value"), State("instructor-new-size", "value"),
          State("instructor-new-due", "value"), State("instructor-new-limit", "value"),
          State("instructor-new-public", "value"), State("instructor-roster", "contents"),
          State("instructor-roster", "filename"), State("instructor-nonce", "data"),
          background=True, prevent_initial_call=True,
          progress=[Output("instructor-create-progress", "value"),
                    Output("instructor-create-progress", "label")],
          running=[(Output("instructor-create-btn", "disabled"), True, False)])
@require_role("instructor")
def create(set_progress, _clicks, slug, size, due, limit, public, roster, filename, _nonce):
    try:
        lab = get_lab(slug)
        due_at = datetime.fromisoformat(due).replace(tzinfo=UTC)
        settings = Settings(slug, due_at, int(limit), tuple(public or ()))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / uploads.safe_name(filename, "roster.csv")
            path.write_bytes(uploads.decode_contents(roster))
            students = read_roster(path)
        create_assignment(lab, students, settings, size=size, progress=lambda done, total, _:
                          set_progress((round(100 * done / total), f"{done}/{total}")))
    except (KeyError, TypeError, ValueError, uploads.UploadError) as exc:
        return error_view(str(exc) if roster else t(
            "Choose a lab, a roster, a due date and the public criteria.")), no_update
    return dbc.Alert(t("Assignment of {lab} ready: {n} students, cases and references prepared.",
                       lab=t(lab.title), n=len(students)), color="success",
                     id="instructor-created"), datetime.now(UTC).timestamp()


@callback(Output("instructor-upload-token", "data"), Output("instructor-grade-status", "children"),
          Input("instructor-class-upload", "contents"), State("instructor-class-upload", "filename"),
          prevent_initial_call=True)
@require_role("instructor")
def store_class_upload(contents, filename):
    try:
        token, _ = uploads.save_upload(contents, filename)
    except uploads.UploadError as exc:
        return no_update, error_view(str(exc))
    return token, None


@callback(Output("instructor-grade-status", "children", allow_duplicate=True),
          Output("instructor-refresh", "data", allow_duplicate=True),
          Input("instructor-upload-token", "data"), State("instructor-lab", "value"),
          background=True, prevent_initial_call=True,
          progress=[Output("instructor-grade-progress", "value"),
                    Output("instructor-grade-progress", "label")])
@require_role("instructor")
def grade_upload(set_progress, token, slug):
    folder = uploads.folder_of(token)
    archives = sorted(folder.glob("*.zip")) if folder else []
    if not archives or not slug:
        return error_view(t("A zip of the class's submissions: one file or folder per "
                            "student, named by student id")), no_update
    try:
        unpacked = grading.unpack_class_zip(archives[0], folder / "unpacked")
        result = grading.grade_class(get_lab(slug), unpacked, progress=lambda d, n, _: (
            set_progress((round(100 * d / n), f"{d}/{n}"))))
    except ValueError as exc:
        return error_view(str(exc)), no_update
    return dbc.Alert(t("Graded {n} students ({new} now); {missing} without a submission; not on "
                       "the roster: {unknown}.", n=len(result.graded), new=len(result.new),
                       missing=len(result.missing), unknown=", ".join(result.unknown) or "—"),
                     color="success", id="instructor-graded"), datetime.now(UTC).timestamp()


@callback(Output("instructor-gradebook", "children"), Output("instructor-histogram", "figure"),
          Output("instructor-criteria", "figure"), Output("instructor-student", "options"),
          Input("instructor-lab", "value"), Input("instructor-refresh", "data"))
@require_role("instructor")
def show_gradebook(slug, _refresh):
    if not slug:
        raise dash.exceptions.PreventUpdate
    lab = get_lab(slug)
    frame = grading.gradebook_table(lab)
    frame["valid"] = [t("no submission") if v is None else t("yes") if v else t("no")
                      for v in frame["valid"]]
    frame = frame.rename(columns={"student": t("Student"), "score": t("Score"),
                                  "max_score": t("Out of"), "valid": t("Valid"),
                                  "problems": t("Problems"),
                                  **{m.title: t(m.title) for m in lab.metrics}})
    table = dbc.Table.from_dataframe(frame, size="sm", striped=True,
                                     id="instructor-gradebook-table")
    students = [{"label": s, "value": s} for s in gradebook().roster(slug)]
    return (table, grading.score_histogram(lab, title=t("Score distribution")),
            grading.criteria_figure(lab, title=t("Points per criterion")), students)


@callback(Output("instructor-drilldown", "children"), Input("instructor-student", "value"),
          State("instructor-lab", "value"), prevent_initial_call=True)
@require_role("instructor")
def drilldown(student, slug):
    book = gradebook()
    roster = book.roster(slug)
    stored = book.get(slug, roster[student]["case_id"], student) if student in roster \
        else None
    history = attempt_history(book.attempts(slug, student)) if student else None
    if stored is None:
        return html.Div([html.P(t("No submission yet."), id="instructor-no-submission"),
                         history])
    settings = settings_of(slug)
    seen = visible_report(stored.report, settings) if settings else stored.report
    # the instructor's full report shows every row, the hidden cases' included: they add up
    full = replace(stored.report, criteria=[replace(c, hidden=False)
                                            for c in stored.report.criteria])
    return html.Div([dbc.Row([
        dbc.Col([html.H5(t("What the student sees now")),
                 grade_view(readable_report(seen), "instructor-seen")], md=6),
        dbc.Col([html.H5(t("Full report")), grade_view(readable_report(full), "instructor-full")],
                md=6),
    ]), history])


def attempt_history(rows: list) -> html.Div:
    """Every attempt of the student, oldest first, the one that counts marked (the rule:
    the latest valid attempt, browser upload or batch alike)."""
    source = {"browser": t("upload"), "batch": t("batch grading")}
    body = [html.Tr([html.Td(f"{a.at:%Y-%m-%d %H:%M} UTC"), html.Td(source.get(a.source,
                                                                                a.source)),
                     html.Td(a.filename), html.Td(f"{a.score:.1f}"),
                     html.Td(t("yes") if a.valid else t("no")),
                     html.Td(t("counts") if a.counts else "")],
                    className="table-success" if a.counts else "")
            for a in rows]
    head = html.Thead(html.Tr([html.Th(h) for h in (
        t("Time"), t("Source"), t("File"), t("Score"), t("Valid"), t("Grade"))]))
    return html.Div([html.H5(t("Attempts")),
                     html.P(t("The latest valid attempt counts, whether uploaded or graded "
                              "in a batch; with no valid attempt, the latest one."),
                            className="small text-muted"),
                     dbc.Table([head, html.Tbody(body)], size="sm", bordered=False,
                               id="instructor-attempts")], className="mt-3")


@callback(Output("instructor-download", "data"),
          *[Input(f"instructor-export-{fmt}", "n_clicks") for fmt in FORMATS],
          State("instructor-lab", "value"), prevent_initial_call=True)
@require_role("instructor")
def download(*args):
    slug = args[-1]
    fmt = str(ctx.triggered_id).removeprefix("instructor-export-")
    if not slug or fmt not in FORMATS:
        raise dash.exceptions.PreventUpdate
    name, content = grading.export_bytes(fmt, get_lab(slug))
    return dcc.send_bytes(content, name)


def register() -> None:
    dash.register_page(__name__, path="/instructor", name="Instructor", title="Instructor",
                       layout=layout, order=90)
