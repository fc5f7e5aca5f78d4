"""Components every lab page can reuse: the upload box and the view of a grade report."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import dash_bootstrap_components as dbc
import pandas as pd
import plotly.graph_objects as go
from dash import Input, Output, State, callback, dcc, html, no_update
from dash.exceptions import PreventUpdate

from workbench.app import uploads
from workbench.app.uploads import MAX_UPLOAD_BYTES
from workbench.grading import GradeReport, grade_file
from workbench.i18n import metric_value, points, t, translate_message
from workbench.lab import Case, Claim, Lab, Metric


def upload_box(id_: str, accept: str, hint: str) -> dcc.Upload:
    """A ``dcc.Upload`` drop zone; ``hint`` (already translated) names the expected files."""
    return dcc.Upload(
        html.Div([html.Div(t("Drag and drop a file here, or click to choose one")),
                  html.Small(hint, className="text-muted")]),
        id=id_, accept=accept, multiple=False, max_size=MAX_UPLOAD_BYTES,
        className="upload-box", className_active="upload-box bg-light")


def score_badge(report: GradeReport, id_prefix: str) -> html.Div:
    color = "success" if report.valid and report.percent >= 50 else (
        "warning" if report.valid else "danger")
    return html.Div([
        html.Span(t("Score"), className="me-2"),
        dbc.Badge(points(report.score, report.max_score), color=color,
                  class_name="fs-5", id=f"{id_prefix}-score"),
    ], className="mb-2 d-flex align-items-center")


def criteria_table(report: GradeReport) -> dbc.Table:
    head = html.Thead(html.Tr([html.Th(t("Criterion")), html.Th(t("Points")), html.Th(t("Why"))]))
    rows = [html.Tr([html.Td(translate_message(c.label)), html.Td(points(c.points, c.max_points)),
                     html.Td(_cut(c.message), className="small")])
            for c in report.criteria if not c.hidden]
    return dbc.Table([head, html.Tbody(rows)], size="sm", striped=True, bordered=False)


MAX_SHOWN = 50  # problems listed in the page; the rest are counted


def _cut(text: str, limit: int = 1000) -> str:
    return text if len(text) <= limit else text[:limit] + " …"


def problems_list(problems: list[str]) -> html.Div:
    if len(problems) > MAX_SHOWN:
        problems = [*problems[:MAX_SHOWN],
                    t("… and {n} more problems", n=len(problems) - MAX_SHOWN)]
    if not problems:
        return html.P(t("No problems found."), className="text-success")
    return html.Div([html.H6(t("Problems found")),
                     html.Ul([html.Li(p) for p in problems], className="grade-problems")])


def grade_view(report: GradeReport, id_prefix: str) -> html.Div:
    """Score, verdict, per-criterion points with reasons, and every problem in plain words."""
    verdict = dbc.Alert(t(report.verdict), color="success" if report.valid else "danger",
                        class_name="py-2")
    return html.Div([score_badge(report, id_prefix), verdict, criteria_table(report),
                     problems_list(report.problems)], className="grade-view")


def error_view(message: str) -> dbc.Alert:
    """An upload that could not be stored or graded at all."""
    return dbc.Alert([html.Strong(t("The file could not be used")), ": ", message],
                     color="danger", class_name="grade-error")


def metrics_frame(metrics: Sequence[Metric], values_by_column: Mapping[str, Mapping[str, float]],
                  ) -> pd.DataFrame:
    """One row per metric (translated title and unit), one column per method; a value the
    method lacks shows as a dash. Feed it to ``dbc.Table.from_dataframe``."""
    rows = {}
    for metric in metrics:
        label = (t("{label} ({unit})", label=t(metric.title), unit=t(metric.unit))
                 if metric.unit else t(metric.title))
        rows[label] = {column: metric_value(metric, values.get(metric.name, math.nan))
                       for column, values in values_by_column.items()}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = t("Metric")
    return frame.reset_index()


def message_figure(message: str) -> go.Figure:
    """An empty figure that says why there is nothing to plot."""
    fig = go.Figure()
    fig.add_annotation(text=message, showarrow=False, x=0.5, y=0.5, xref="paper", yref="paper")
    fig.update_layout(xaxis_visible=False, yaxis_visible=False, height=420,
                      margin=dict(l=10, r=10, t=10, b=10), template="plotly_white")
    return fig


def effect_text(claim: Claim, value: float) -> str:
    """A measured claim value as people read it: ``−38.2 %`` (a relative change), ``8.08×``
    (a ratio), ``+0.158 AP`` (a difference in a unit), ``0.42`` (no unit)."""
    if value is None or not math.isfinite(value):
        return "—"
    if claim.unit == "%":
        shown = f"{100 * value:+.1f} %"
    elif claim.unit == "x":
        shown = f"{value:.3g}×"
    elif claim.unit:
        shown = f"{value:+.3g} {t(claim.unit)}"
    else:
        shown = f"{value:.3g}"
    return shown.replace("-", "−")


def claim_value(claim: Claim, value: float) -> str:
    """A measured claim value with its verdict, e.g. ``−38.2 % (holds)``."""
    if value is None or not math.isfinite(value):
        return "—"
    verdict = t("holds") if claim.holds(value) else t("does not hold")
    return t("{value} ({verdict})", value=effect_text(claim, value), verdict=verdict)


def claims_frame(claims: Sequence[Claim], reference: Mapping[str, float],
                 baselines: Mapping[str, Mapping[str, float]]) -> pd.DataFrame:
    """One row per claim: what the case study claimed and what this case measures for the
    reference against each baseline (columns named by the baselines' labels)."""
    rows = [{t("Claim"): t(claim.description), t("Claimed"): t(claim.claimed),
             **{label: claim_value(claim, claim.measure(values, reference))
                for label, values in baselines.items()}}
            for claim in claims]
    return pd.DataFrame(rows)


def upload_callbacks(prefix: str, owner: Callable[[], str | None] | None = None, *,
                     status: bool = False) -> None:
    """Register a lab page's upload callback: the bytes are saved on the server and only a
    random token goes back to the browser (ids ``{prefix}-upload``, ``-upload-token``,
    ``-upload-error``, and with ``status`` ``-grade-status`` saying the file is in line).
    Grading then reads the file behind the token, never browser values; use
    :func:`upload_and_grade` to grade it in a background job."""
    outputs = [Output(f"{prefix}-upload-token", "data"),
               Output(f"{prefix}-upload-error", "children")]
    if status:
        outputs.append(Output(f"{prefix}-grade-status", "children", allow_duplicate=True))

    @callback(*outputs, Input(f"{prefix}-upload", "contents"),
              State(f"{prefix}-upload", "filename"), prevent_initial_call=True)
    def store_upload(contents, filename):
        who = owner() if owner else None
        if owner and who is None:
            raise PreventUpdate
        try:
            token, _ = uploads.save_upload(contents, filename, owner=who)
        except uploads.UploadError as exc:
            return (no_update, error_view(str(exc)), None)[:len(outputs)]
        return (token, None, queued_view())[:len(outputs)]


GradeJob = Callable[[Path, Sequence[Any], Callable[[str], None]], Any]


def grade_panel(prefix: str, accept: str, hint: str) -> html.Div:
    """The components :func:`upload_and_grade` needs: drop zone, token store, error line,
    progress line and the place of the report (ids ``{prefix}-upload``, ``-upload-token``,
    ``-upload-error``, ``-grade-status``, ``-grade``)."""
    return html.Div([upload_box(f"{prefix}-upload", accept, hint),
                     dcc.Store(id=f"{prefix}-upload-token"),
                     html.Div(id=f"{prefix}-upload-error", className="mt-2"),
                     html.Div(id=f"{prefix}-grade-status", className="mt-2 text-muted"),
                     html.Div(id=f"{prefix}-grade", className="mt-3")])


def upload_and_grade(prefix: str, job: GradeJob, *,
                     outputs: Sequence[tuple[str, str]] = (),
                     states: Sequence[tuple[str, str]] = (),
                     owner: Callable[[], str | None] | None = None) -> None:
    """Register a page's upload-and-grade callbacks; grading never runs in a request thread.

    1. The upload is saved on the server (the request only decodes and writes at most
       ``MAX_UPLOAD_BYTES``); the browser gets a random token (:func:`upload_callbacks`).
    2. The token starts a **background job** (admitted within the limits of
       :mod:`workbench.app.jobs`: per user or address, in total, waiting in line for a free
       core) that calls ``job(path, state_values, say)``: ``path`` the stored file,
       ``state_values`` the current values of ``states``, ``say(sentence)`` shows progress in
       ``{prefix}-grade-status``. Its return value goes to ``outputs`` (default: the report in
       ``{prefix}-grade``; a tuple for several outputs). A job raising ``ValueError`` (an
       ``UploadError``, ``SubmissionError``, ``AttemptRefused``…) shows its message there.

    ``owner()`` names who may use the token (e.g. the signed-in student), checked when the file
    is stored and again in the job; ``None`` from it means nobody is signed in (no update).

    Example (the generic lab page)::

        upload_and_grade(slug, lambda path, values, say: page.grade_view(path, *values),
                         outputs=[(f"{slug}-grade", "children"), (f"{slug}-figures", "children")],
                         states=[(page.case_store, "data")])

    with :func:`grade_panel` (or the same ids) in the layout.
    """
    upload_callbacks(prefix, owner, status=True)
    targets = list(outputs) or [(f"{prefix}-grade", "children")]

    @callback(*[Output(i, p, allow_duplicate=True) for i, p in targets],
              Input(f"{prefix}-upload-token", "data"), *[State(i, p) for i, p in states],
              background=True, prevent_initial_call=True,
              progress=[Output(f"{prefix}-grade-status", "children")],
              running=[(Output(f"{prefix}-upload", "disabled"), True, False)])
    def grade_upload(set_progress, token, *values):
        who = owner() if owner else None
        if owner and who is None:
            raise PreventUpdate
        path = uploads.stored_file(token, who)
        if path is None:
            raise PreventUpdate
        say = lambda sentence: set_progress([sentence])  # noqa: E731
        try:
            result = job(path, values, say)
        except ValueError as exc:
            set_progress([None])
            first = error_view(str(exc))
            return first if len(targets) == 1 else (first, *[None] * (len(targets) - 1))
        set_progress([None])
        return result


def queued_view() -> html.Span:
    return html.Span([dbc.Spinner(size="sm", spinner_class_name="me-2"),
                      t("In line for grading…")], className="grade-queued")


def grade_token(lab: Lab, case: Case, token: object) -> GradeReport | None:
    """Grade the file saved under an upload token (None when the token holds no file). Call
    it only inside a background job (:func:`upload_and_grade`): grading never runs in a
    request thread."""
    path = uploads.stored_file(token)
    return grade_file(lab, case, path) if path else None
