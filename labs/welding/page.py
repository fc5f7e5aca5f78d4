"""The welding lab's panels on the framework's lab page (:mod:`workbench.app.labpage`): the
alarm, collecting the logs (a background bot), exploring, the control class's analysis, a model,
a fix to grade. Helpers live in ``labs.welding.story``; callbacks only convert inputs."""

from __future__ import annotations

import json
from functools import cache

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from labs.welding import LAB, plots, story
from labs.welding.collect import load_boards
from labs.welding.i18n import SHIFT_LABELS, SOURCE_LABELS, UNIT_WORDS, VARIABLE_LABELS
from labs.welding.physics import LINES, SHIFTS
from labs.welding.simulate import READINGS
from workbench.app import uploads
from workbench.app.components import message_figure
from workbench.app.labpage import LabPage, Panel
from workbench.datasets import default_case
from workbench.i18n import N_, t
from workbench.lab import Case


@cache
def case() -> Case:
    return default_case(LAB)


def alarm_panel(c: Case) -> list:
    result = story.control(str(c.root))
    return [html.P(t("AOI rejects per shift against the plant's 3σ limit. Red crosses are alarms.")),
            dcc.Graph(id="welding-pchart", figure=plots.pchart_figure(
                result.pchart, t("p-chart of AOI defects per shift"))),
            dcc.Graph(id="welding-ewma", figure=plots.ewma_figure(
                result.ewma, t("EWMA of each line's shift defect rate (σ units)"))),
            html.Ul([html.Li(x) for x in story.first_alarms_text(result)], id="welding-first-alarms")]


def collect_panel(c: Case) -> list:
    raw = story.raw_overview(c)
    overview = raw.assign(source=[t(SOURCE_LABELS.get(s, s)) for s in raw["source"]]).rename(
        columns={"source": t("Source"), "files": t("Files"), "MB": t("MB")})
    return [html.P(t("The oven, SPI, AOI, MES, environment and shift-report files are in "
                     "different formats, with duplicates, a skewed clock and -999 for missing "
                     "values.")),
            dbc.Table.from_dataframe(overview, size="sm", striped=True),
            dbc.Button(t("Run the collection bot"), id="welding-collect-btn", color="primary"),
            dbc.Progress(id="welding-collect-progress", value=0, striped=True, class_name="my-2"),
            html.Div(id="welding-collect-report")]


def explore_panel(_c: Case) -> list:
    return [dbc.Select(id="welding-explore-variable", value="z7_pv",
                       options=[{"label": t(VARIABLE_LABELS[v]), "value": v}
                                for v in story.EXPLORE_VARIABLES]),
            dcc.Loading(dcc.Graph(id="welding-explore-graph"))]


def control_panel(c: Case) -> list:
    result = story.control(str(c.root))
    table = story.tests_table(result)
    return [
        html.P(t("Pareto of AOI defect codes, Welch t-tests of the shift-report set points "
                 "and chi-square tests of the recorded paste lots and crews.")),
        html.P(story.control_verdict(c), id="welding-control-verdict"),
        dcc.Graph(id="welding-pareto",
                  figure=plots.pareto_figure(result.pareto, t("Pareto of defect codes"))),
        dbc.Table.from_dataframe(table, size="sm", striped=True, id="welding-ttests"),
        html.H6(t("Western Electric rules on each line's individuals chart of shift rates")),
        html.Ul([html.Li(t("{where}: {rule}", where=f"{r.line} {r.shift}", rule=t(r.rule)))
                 for r in result.we_alarms.itertuples()]
                or [html.Li(t("No rule is broken."))], id="welding-we-rules")]


def model_panel(_c: Case) -> list:
    return [
        html.P(t("Gradient boosting with class weights on the collected table; permutation "
                 "importance names the cause, partial dependence shows the safe window.")),
        dbc.Button(t("Train the model"), id="welding-train-btn", color="primary"),
        dbc.Progress(id="welding-train-progress", value=0, striped=True, class_name="my-2"),
        html.Div(id="welding-train-summary"),
        dbc.Row([dbc.Col(dcc.Graph(id="welding-importance"), md=6),
                 dbc.Col(dcc.Graph(id="welding-dependence"), md=6)], id="welding-model-figures",
                style={"display": "none"})]


def diagnosis_inputs() -> dbc.Row:
    labels = {"line": {line: t("Line {line}", line=line) for line in LINES},
              "variable": {v: t(VARIABLE_LABELS[v]) for v in READINGS + ("paste_lot",)},
              "shift": {s: t(SHIFT_LABELS[s]) for s in SHIFTS},
              "confounder": {v: t(VARIABLE_LABELS[v])
                             for v in READINGS + ("paste_lot", "none")}}
    titles = {"line": t("Line"), "variable": t("Variable"), "shift": t("Shift"),
              "confounder": t("Confounder")}
    defaults = {"line": "L2", "variable": "conv_cm_min", "shift": "N", "confounder": "none"}
    return dbc.Row([dbc.Col(dbc.InputGroup([
        dbc.InputGroupText(titles[key]),
        dbc.Select(id=f"welding-diag-{key}", value=defaults[key],
                   options=[{"label": label, "value": v} for v, label in options.items()])]),
        md=3) for key, options in labels.items()], class_name="mb-3 g-2")


def fix_panel(_c: Case) -> list:
    z7, paste = story.Z7_RANGE, story.PASTE_RANGE
    return [
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
        dcc.Graph(id="welding-fix-graph"),
        dbc.Button(t("Grade this fix"), id="welding-grade-btn", color="success"),
        html.Div(id="welding-grade-fix-note", className="mt-2")]


PAGE = LabPage(LAB, name=N_("Welding"), accept=".json,.py,.ipynb,.zip",
               upload_hint=N_("A submission.json file, or your notebook or code"),
               default=lambda: case(), stores=("welding-token",), picture=story.case_picture, panels=(
                   Panel("alarm", N_("The alarm"), alarm_panel),
                   Panel("collect", N_("Collect the logs"), collect_panel),
                   Panel("explore", N_("Explore"), explore_panel),
                   Panel("control", N_("The control class's analysis"), control_panel),
                   Panel("model", N_("Train and inspect a model"), model_panel),
                   Panel("fix", N_("Propose a fix"), fix_panel)))
layout = PAGE.layout
register = PAGE.register


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
          Input("welding-collect-btn", "n_clicks"), State(PAGE.case_store, "data"),
          background=True, progress=[Output("welding-collect-progress", "value"),
                                     Output("welding-collect-progress", "label")],
          running=[(Output("welding-collect-btn", "disabled"), True, False)],
          prevent_initial_call=True)
def run_bot(set_progress, _clicks, choice):
    token, folder = uploads.new_folder()
    report = story.run_bot(PAGE.case_of(choice), folder, lambda msg, frac: set_progress(
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
                       var=f"{t(VARIABLE_LABELS.get(d['variable'], d['variable']))} ({d['variable']})",
                       line=d["line"],
                       shift=t(SHIFT_LABELS.get(d["shift"], d["shift"])),
                       conf=t(VARIABLE_LABELS.get(d["confounder"], d["confounder"]))),
                     color="info", id="welding-model-done")


@callback(Output("welding-importance", "figure"), Output("welding-dependence", "figure"),
          Output("welding-model-figures", "style"),
          Output("welding-diag-line", "value"), Output("welding-diag-variable", "value"),
          Output("welding-diag-shift", "value"), Output("welding-diag-confounder", "value"),
          Input("welding-train-summary", "children"), State("welding-token", "data"))
def show_model(_summary, token):
    findings = story.load_findings(uploads.folder_of(token))
    if findings is None:  # no empty plot frames before training
        return no_update, no_update, {"display": "none"}, *(no_update,) * 4
    d = findings["diagnosis"]
    return (*story.model_figures(findings), {}, d["line"], d["variable"], d["shift"],
            d["confounder"])


@callback(Output("welding-fix-result", "children"), Output("welding-fix-graph", "figure"),
          Input("welding-z7-window", "value"), Input("welding-speed", "value"),
          Input("welding-paste-window", "value"), State(PAGE.case_store, "data"))
def simulate_fix(z7_window, speed, paste_window, choice):
    actions = story.fix_actions(z7_window, speed, paste_window)
    r = story.simulate(PAGE.case_of(choice), actions)
    text = t("Expected defect rate {fixed} (as it ran: {asis}); boards held {held}, line time "
             "lost {lost}.", fixed=f"{r['fixed']:.2%}", asis=f"{r['asis']:.2%}",
             held=f"{r['held']:.1%}", lost=f"{r['throughput_loss']:.1%}")
    figure = plots.rates_figure({t("as it ran"): r["asis"], t("your fix"): r["fixed"]},
                                t("Expected defect rate"))
    return html.P(text, id="welding-fix-rate"), figure


@callback(Output("welding-upload-token", "data", allow_duplicate=True),
          Output("welding-grade-fix-note", "children"), Input("welding-grade-btn", "n_clicks"),
          State("welding-token", "data"), State("welding-z7-window", "value"),
          State("welding-speed", "value"), State("welding-paste-window", "value"),
          State("welding-diag-line", "value"), State("welding-diag-variable", "value"),
          State("welding-diag-shift", "value"), State("welding-diag-confounder", "value"),
          prevent_initial_call=True)
def grade_fix(_clicks, token, z7, speed, paste, line, variable, shift, confounder):
    findings = story.load_findings(uploads.folder_of(token))
    if findings is None:
        return no_update, dbc.Alert(t("Train the model first: its predictions go into the "
                                      "submission."), color="warning")
    diagnosis = {"line": line, "variable": variable, "shift": shift, "confounder": confounder}
    fix_token, folder = uploads.new_folder()
    story.write_fix_submission(folder, findings, diagnosis, story.fix_actions(z7, speed, paste))
    return fix_token, dbc.Alert(t("Your fix is graded below."), color="success",
                                class_name="py-2")
