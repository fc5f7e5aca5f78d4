"""The welding page: a guided story from the alarm to a scored fix.

1 the alarm (p-chart) → 2 collect the logs (the bot, in the background) → 3 explore →
4 the control class's analysis → 5 train and inspect a model → 6 propose a fix and see the
simulated defect rate → 7 submit and see the score. Helpers live in ``labs.welding.story``;
callbacks only convert inputs. The browser holds a scratch-folder token, never results.
"""

from __future__ import annotations

import json
from functools import cache

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from labs.welding import LAB, plots, story
from labs.welding.collect import load_boards
from labs.welding.i18n import SHIFT_LABELS, SOURCE_LABELS, UNIT_WORDS, VARIABLE_LABELS
from labs.welding.physics import LINES, SHIFTS
from labs.welding.simulate import READINGS
from workbench.app import uploads
from workbench.app.components import (
    grade_token,
    grade_view,
    message_figure,
    upload_box,
    upload_callbacks,
)
from workbench.datasets import default_case
from workbench.grading import grade_file
from workbench.i18n import t
from workbench.lab import Case


@cache
def case() -> Case:
    return default_case(LAB)


def step(number: int, title: str, body: list, id_: str) -> dbc.Card:
    return dbc.Card(dbc.CardBody([html.H4([f"{number}. ", t(title)])] + body),
                    class_name="mb-3", id=id_)


def alarm_step() -> dbc.Card:
    chart = story.control(str(case().root)).pchart
    return step(1, "The alarm", [
        html.P(t("AOI rejects per shift against the plant's 3σ limit. Red crosses are alarms.")),
        dcc.Graph(id="welding-pchart",
                  figure=plots.pchart_figure(chart, t("p-chart of AOI defects per shift")))],
        "welding-step-alarm")


def collect_step() -> dbc.Card:
    raw = story.raw_overview(case())
    overview = raw.assign(source=[t(SOURCE_LABELS.get(s, s)) for s in raw["source"]]).rename(
        columns={"source": t("Source"), "files": t("Files"), "MB": t("MB")})
    return step(2, "Collect the logs", [
        html.P(t("The oven, SPI, AOI, MES, environment and shift-report files are in different "
                 "formats, with duplicates, a skewed clock and -999 for missing values.")),
        dbc.Table.from_dataframe(overview, size="sm", striped=True),
        dbc.Button(t("Run the collection bot"), id="welding-collect-btn", color="primary"),
        dbc.Progress(id="welding-collect-progress", value=0, striped=True, class_name="my-2"),
        html.Div(id="welding-collect-report")], "welding-step-collect")


def explore_step() -> dbc.Card:
    return step(3, "Explore", [
        dbc.Select(id="welding-explore-variable", value="z7_pv",
                   options=[{"label": t(VARIABLE_LABELS[v]), "value": v}
                            for v in story.EXPLORE_VARIABLES]),
        dcc.Loading(dcc.Graph(id="welding-explore-graph"))], "welding-step-explore")


def control_step() -> dbc.Card:
    result = story.control(str(case().root))
    table = pd.DataFrame({
        t("Variable"): [t(VARIABLE_LABELS.get(v, v)) for v in result.ttests["variable"]],
        t("t statistic"): result.ttests["t"].round(2),
        t("p-value"): [f"{p:.3f}" if p >= 0.001 else "< 0.001" for p in result.ttests["p_value"]]})
    return step(4, "The control class's analysis", [
        html.P(t("Pareto of AOI defect codes and Welch t-tests of the shift-report set points: "
                 "the conveyor set point stands out, so tradition says to put it back to 75.")),
        dcc.Graph(id="welding-pareto",
                  figure=plots.pareto_figure(result.pareto, t("Pareto of defect codes"))),
        dbc.Table.from_dataframe(table, size="sm", striped=True, id="welding-ttests"),
        html.H6(t("Western Electric rules on each line's individuals chart of shift rates")),
        html.Ul([html.Li(t("{where}: {rule}", where=f"{r.line} {r.shift}", rule=t(r.rule)))
                 for r in result.we_alarms.itertuples()]
                or [html.Li(t("No rule is broken."))], id="welding-we-rules")],
        "welding-step-control")


def model_step() -> dbc.Card:
    return step(5, "Train and inspect a model", [
        html.P(t("Gradient boosting with class weights on the collected table; permutation "
                 "importance names the cause, partial dependence shows the safe window.")),
        dbc.Button(t("Train the model"), id="welding-train-btn", color="primary"),
        dbc.Progress(id="welding-train-progress", value=0, striped=True, class_name="my-2"),
        html.Div(id="welding-train-summary"),
        dbc.Row([dbc.Col(dcc.Graph(id="welding-importance"), md=6),
                 dbc.Col(dcc.Graph(id="welding-dependence"), md=6)])], "welding-step-model")


def diagnosis_inputs() -> dbc.Row:
    labels = {"line": {line: t("Line {line}", line=line) for line in LINES},
              "variable": {v: t(VARIABLE_LABELS[v]) for v in READINGS},
              "shift": {s: t(SHIFT_LABELS[s]) for s in SHIFTS},
              "confounder": {v: t(VARIABLE_LABELS[v]) for v in READINGS + ("none",)}}
    titles = {"line": t("Line"), "variable": t("Variable"), "shift": t("Shift"),
              "confounder": t("Confounder")}
    defaults = {"line": "L2", "variable": "conv_cm_min", "shift": "N", "confounder": "none"}
    return dbc.Row([dbc.Col(dbc.InputGroup([
        dbc.InputGroupText(titles[key]),
        dbc.Select(id=f"welding-diag-{key}", value=defaults[key],
                   options=[{"label": label, "value": v} for v, label in options.items()])]),
        md=3) for key, options in labels.items()], class_name="mb-3 g-2")


def fix_step() -> dbc.Card:
    z7, paste = story.Z7_RANGE, story.PASTE_RANGE
    return step(6, "Propose a fix", [
        diagnosis_inputs(),
        html.Label(t("Interlock: zone 7 reading window (°C)")),
        dcc.RangeSlider(*z7, 1, value=list(z7), id="welding-z7-window",
                        marks={v: str(v) for v in range(z7[0], z7[1] + 1, 10)}),
        html.Label(t("Conveyor set point on line 2 nights (cm/min)")),
        dcc.Slider(65, 85, 1, value=story.SPEED_AS_RUN, id="welding-speed",
                   marks={v: str(v) for v in range(65, 86, 5)}),
        html.Label(t("SPI reject limits: paste volume (%)")),
        dcc.RangeSlider(*paste, 5, value=list(paste), id="welding-paste-window",
                        marks={v: str(v) for v in range(paste[0], paste[1] + 1, 25)}),
        dcc.Loading(html.Div(id="welding-fix-result", className="mt-3")),
        dcc.Graph(id="welding-fix-graph")], "welding-step-fix")


def submit_step() -> dbc.Card:
    return step(7, "Submit and see the score", [
        html.P(t("Grade the fix above with your model's predictions, or upload a "
                 "submission.json of your own.")),
        dbc.Button(t("Grade this fix"), id="welding-grade-btn", color="success",
                   class_name="mb-3"),
        upload_box("welding-upload", ".json", t("A submission.json file")),
        html.Div(id="welding-upload-error", className="mt-2"),
        dcc.Loading(html.Div(id="welding-grade", className="mt-3"))], "welding-step-submit")


def layout() -> html.Div:
    return html.Div([
        dcc.Store(id="welding-token", storage_type="session"),
        dcc.Store(id="welding-upload-token", storage_type="session"),
        html.H2(t(LAB.title)), html.P(t(LAB.summary), className="lead"),
        alarm_step(), collect_step(), explore_step(), control_step(), model_step(),
        fix_step(), submit_step()], id="welding-page")


def report_view(report: dict) -> html.Div:
    items = [t(template, **{k: t(v) if isinstance(v, str) and v in UNIT_WORDS else v
                            for k, v in values.items()})
             for template, values in report["fix_items"]]
    rows = html.Ul([html.Li(text) for text in items], id="welding-fixes")
    return html.Div([dbc.Alert(t("The bot joined {n} boards into one table.",
                                 n=report["boards"]), color="success", class_name="py-2"),
                     html.H6(t("What the bot fixed")), rows])


# ---- callbacks ----------------------------------------------------------------------------------

@callback(Output("welding-token", "data"), Output("welding-collect-report", "children"),
          Input("welding-collect-btn", "n_clicks"), background=True,
          progress=[Output("welding-collect-progress", "value"),
                    Output("welding-collect-progress", "label")],
          running=[(Output("welding-collect-btn", "disabled"), True, False)],
          prevent_initial_call=True)
def run_bot(set_progress, _clicks):
    token, folder = uploads.new_folder()
    report = story.run_bot(case(), folder, lambda msg, frac: set_progress(
        (round(100 * frac), f"{t(msg)} {100 * frac:.0f} %")))
    return token, report_view(report)


@callback(Output("welding-collect-report", "children", allow_duplicate=True),
          Input("welding-token", "data"), prevent_initial_call="initial_duplicate")
def restore_report(token):
    folder = uploads.folder_of(token)
    path = folder / story.REPORT_FILE if folder else None
    if not path or not path.is_file():
        return no_update
    return report_view(json.loads(path.read_text(encoding="utf-8")))


@callback(Output("welding-explore-graph", "figure"), Input("welding-token", "data"),
          Input("welding-explore-variable", "value"))
def explore(token, variable):
    folder = uploads.folder_of(token)
    if folder is None or not (folder / story.BOARDS_FILE).is_file():
        return message_figure(t("Run the collection bot first: the oven readings exist as a "
                                "table only after it."))
    variable = variable if variable in story.EXPLORE_VARIABLES else "z7_pv"
    return story.explore_figure(load_boards(folder / story.BOARDS_FILE), variable)


@callback(Output("welding-train-summary", "children"), Input("welding-train-btn", "n_clicks"),
          State("welding-token", "data"), background=True,
          progress=[Output("welding-train-progress", "value"),
                    Output("welding-train-progress", "label")],
          running=[(Output("welding-train-btn", "disabled"), True, False)],
          prevent_initial_call=True)
def train_model(set_progress, _clicks, token):
    folder = uploads.folder_of(token)
    if folder is None or not (folder / story.BOARDS_FILE).is_file():
        return dbc.Alert(t("Run the collection bot first."), color="warning")
    set_progress((30, t("training")))
    findings = story.train(folder)
    set_progress((100, "100 %"))
    d, v = findings["diagnosis"], findings["validation"]
    return dbc.Alert(t("Model PR-AUC {pr} on the last inspected days. Cause: {var} on line "
                       "{line}, shift {shift}; it moves with {conf}.", pr=f"{v['pr_auc']:.2f}",
                       var=d["variable"], line=d["line"], shift=d["shift"],
                       conf=d["confounder"]), color="info", id="welding-model-done")


@callback(Output("welding-importance", "figure"), Output("welding-dependence", "figure"),
          Output("welding-diag-line", "value"), Output("welding-diag-variable", "value"),
          Output("welding-diag-shift", "value"), Output("welding-diag-confounder", "value"),
          Input("welding-train-summary", "children"), State("welding-token", "data"))
def show_model(_summary, token):
    findings = story.load_findings(uploads.folder_of(token))
    if findings is None:
        empty = message_figure(t("Train the model to see what it learned."))
        return empty, empty, no_update, no_update, no_update, no_update
    d = findings["diagnosis"]
    return (*story.model_figures(findings), d["line"], d["variable"], d["shift"],
            d["confounder"])


@callback(Output("welding-fix-result", "children"), Output("welding-fix-graph", "figure"),
          Input("welding-z7-window", "value"), Input("welding-speed", "value"),
          Input("welding-paste-window", "value"))
def simulate_fix(z7_window, speed, paste_window):
    actions = story.fix_actions(z7_window, speed, paste_window)
    r = story.simulate(case(), actions)
    text = t("Expected defect rate {fixed} (as it ran: {asis}); boards held {held}, line time "
             "lost {lost}.", fixed=f"{r['fixed']:.2%}", asis=f"{r['asis']:.2%}",
             held=f"{r['held']:.1%}", lost=f"{r['throughput_loss']:.1%}")
    figure = plots.rates_figure({t("as it ran"): r["asis"], t("your fix"): r["fixed"]},
                                t("Expected defect rate"))
    return html.P(text, id="welding-fix-rate"), figure


@callback(Output("welding-grade", "children"), Input("welding-grade-btn", "n_clicks"),
          State("welding-token", "data"), State("welding-z7-window", "value"),
          State("welding-speed", "value"), State("welding-paste-window", "value"),
          State("welding-diag-line", "value"), State("welding-diag-variable", "value"),
          State("welding-diag-shift", "value"), State("welding-diag-confounder", "value"),
          prevent_initial_call=True)
def grade_fix(_clicks, token, z7, speed, paste, line, variable, shift, confounder):
    folder = uploads.folder_of(token)
    findings = story.load_findings(folder)
    if findings is None:
        return dbc.Alert(t("Train the model first: its predictions go into the submission."),
                         color="warning")
    diagnosis = {"line": line, "variable": variable, "shift": shift, "confounder": confounder}
    path = story.write_fix_submission(folder, findings, diagnosis,
                                      story.fix_actions(z7, speed, paste))
    return grade_view(grade_file(LAB, case(), path), "welding-grade")


upload_callbacks("welding")


@callback(Output("welding-grade", "children", allow_duplicate=True),
          Input("welding-upload-token", "data"), prevent_initial_call=True)
def grade_upload(token):
    report = grade_token(LAB, case(), token)
    return grade_view(report, "welding-grade") if report else None


def register() -> None:
    """Register the page with the Dash app (called by ``LAB.register_pages()``)."""
    dash.register_page("labs.welding.page", path="/welding", name="Welding", title="Welding",
                       layout=layout)
