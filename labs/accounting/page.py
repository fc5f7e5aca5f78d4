"""The accounting lab page: the messy inbox, a live bot run racing the clerk's estimate, the
report preview, the anomaly explorer, and grading of an uploaded report workbook.

Pure helpers first (unit-tested without a browser); callbacks at the end only convert inputs
and call them. Bot runs and uploads live in server-side scratch folders; the browser holds
only their tokens, and every score is recomputed from the files.
"""

from __future__ import annotations

import time
from functools import cache, lru_cache
from pathlib import Path

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from labs.accounting import LAB, plots
from labs.accounting.baseline import manual_solution
from labs.accounting.detect import Detector
from labs.accounting.inbox import describe, raw_preview
from labs.accounting.jet import entry_table
from labs.accounting.pipeline import Reference, parsed_case
from labs.accounting.submission import SUBMISSION_NAME, Report, read_submission
from workbench.app import uploads
from workbench.app.components import (
    claims_frame,
    error_view,
    grade_token,
    grade_view,
    metrics_frame,
    upload_box,
    upload_callbacks,
)
from workbench.datasets import default_case
from workbench.grading import references
from workbench.i18n import t, verbatim
from workbench.lab import Case, SubmissionError

SHEETS = ("TB_Consolidated", "PL", "BS", "TB_Regions", "Eliminations", "FX", "Exceptions")
CHROMIUM = Path("/usr/bin/chromium")


@cache
def case() -> Case:
    return default_case(LAB)


@cache
def entries() -> pd.DataFrame:
    """The case's journal entries with the detector's features (read once per process)."""
    c = case()
    return entry_table(parsed_case(c.public).lines, Reference.load(c.public))


@lru_cache(maxsize=2)
def weighted_components(case_root: str) -> pd.DataFrame:
    """Each entry's control-point scores times their weights. The forest behind them takes
    about a second, so it runs once per case, not on every entry picked."""
    det = Detector()
    return det.components(entries()) * pd.Series(det.weights)


@cache
def manual_seconds() -> float:
    """The clerk model's end-to-end estimate for this case (keying + setup + review)."""
    return manual_solution(case()).processing_seconds


# ---- pure helpers ---------------------------------------------------------------------------

def region_options() -> list[dict[str, str]]:
    regions = Reference.load(case().public).regions
    return [{"label": verbatim(f"{r.region} · {r.name} · {r.file}"), "value": r.file} for r in regions.itertuples()]


def inbox_view(file: str) -> list:
    path = case().public / "inbox" / Path(str(file)).name
    if not path.is_file():
        return [error_view(t("No such file in the inbox."))]
    facts = describe(path)
    fact_rows = [html.Tr([html.Th(t(k)), html.Td(v)]) for k, v in facts.items()]
    return [dbc.Table(html.Tbody(fact_rows), size="sm", bordered=True, class_name="w-auto"),
            html.Div(dbc.Table.from_dataframe(raw_preview(path), size="sm", striped=True,
                                              class_name="small"), style={"overflowX": "auto"})]


def bot_run(echo, use_portal: bool) -> str:
    """Run the bot on the case (through the portal in Chromium when asked); returns a token."""
    from labs.accounting.bot import LocalFolderSource, run_bot

    token, folder = uploads.new_folder()
    c = case()
    if use_portal and CHROMIUM.is_file():
        from labs.accounting.browser import PortalSource
        from labs.accounting.portal import Portal

        with Portal(c.public, seed=int(time.time())) as portal:
            run_bot(PortalSource(portal.url, portal.username, portal.password), folder, echo=echo)
    else:
        run_bot(LocalFolderSource(c.public), folder, echo=echo, upload=False)
    return token


def report_of(token: object) -> Report | None:
    """The bot's report stored under ``token``, else the graded reference's report."""
    folder = uploads.folder_of(token)
    if folder and (folder / SUBMISSION_NAME).is_file():
        try:
            return read_submission(folder / SUBMISSION_NAME)
        except SubmissionError:
            return None
    return references(LAB, case()).reference_solution


def sheet_table(report: Report | None, sheet: str) -> object:
    if report is None:
        return error_view(t("Run the bot first."))
    df = report.exceptions if sheet == "Exceptions" else report.tables.get(sheet)
    if df is None or df.empty:
        return html.P(t("Nothing to show."), className="text-muted")
    return html.Div(dbc.Table.from_dataframe(df.round(2), size="sm", striped=True, class_name="small"),
                    style={"maxHeight": "480px", "overflowY": "auto"})


def why_flagged(entry_id: str) -> tuple[object, object]:
    """The weighted control-point scores of one entry and its ledger facts."""
    e = entries()
    row = e.index[e["entry_id"] == entry_id]
    if len(row) == 0:
        return plots.components_figure({}, entry_id), t("Unknown entry.")
    comp = weighted_components(str(case().root)).loc[row[0]]
    facts = e.loc[row[0], ["region", "date", "posted", "user", "text", "amount", "pair"]]
    return plots.components_figure(comp.to_dict(), entry_id), html.Ul(
        [html.Li(f"{t(k)}: {v}") for k, v in facts.items()])


def claims_view() -> list:
    refs = references(LAB, case())
    metrics = {t("Manual clerk + JET rules (baseline)"): refs.baseline_metrics,
               t("Bot + risk detector (reference)"): refs.reference_metrics}
    table = metrics_frame(LAB.metrics, metrics)
    claims = claims_frame(LAB.claims, refs.reference_metrics,
                          {t("Reference vs baseline"): refs.baseline_metrics})
    return [dbc.Table.from_dataframe(table, size="sm", striped=True),
            html.H5(t("The case study's claims on this case"), className="mt-3"),
            dbc.Table.from_dataframe(claims, size="sm", bordered=True, id="accounting-claims")]


# ---- layout ---------------------------------------------------------------------------------

def inbox_card() -> dbc.Card:
    options = region_options()
    return dbc.Card(dbc.CardBody([
        html.H5(t("Inbox: one export per region")),
        html.P(t("Every subsidiary exports its ledger its own way. Pick a file to see it as "
                 "it arrives."), className="text-muted"),
        dbc.Select(id="accounting-inbox-file", options=options, value=options[0]["value"]),
        html.Div(id="accounting-inbox-view", className="mt-2"),
    ]), class_name="mb-3")


def bot_card() -> dbc.Card:
    return dbc.Card(dbc.CardBody([
        html.H5(t("Run the bot")),
        html.P(t("The bot logs into the group finance portal, downloads the exports, "
                 "consolidates them and uploads the report. The clock races the clerk's "
                 "estimated time for the same work."), className="text-muted"),
        dbc.Checkbox(id="accounting-use-portal", value=CHROMIUM.is_file(),
                     label=t("Through the portal in a real browser (Chromium)")),
        dbc.Button(t("Run the bot"), id="accounting-run-btn", color="primary", class_name="my-2"),
        dbc.Progress(id="accounting-progress", value=0, striped=True, class_name="mb-2"),
        dcc.Graph(id="accounting-race", figure=plots.race_figure(0.0, manual_seconds(), (
            t("Bot (elapsed)"), t("Manual clerk (estimate)")))),
        html.Pre(id="accounting-log", className="small bg-light p-2",
                 style={"maxHeight": "260px", "overflowY": "auto"}),
        html.Div(id="accounting-bot-status"),
    ]), class_name="mb-3")


def explorer_tab() -> html.Div:
    flags = references(LAB, case()).reference_solution.flags
    options = [{"label": verbatim(f"{r.entry_id} ({r.risk_score:.2f})"), "value": r.entry_id}
               for r in flags.head(200).itertuples()]
    return html.Div([
        dcc.Graph(id="accounting-benford", figure=plots.benford_figure(
            entries(), t("First digits by region vs Benford's law"))),
        dcc.Graph(id="accounting-risk"),
        dbc.InputGroup([dbc.InputGroupText(t("Why was this entry flagged?")),
                        dbc.Select(id="accounting-entry", options=options,
                                   value=options[0]["value"] if options else None)]),
        dbc.Row([dbc.Col(dcc.Graph(id="accounting-why"), md=7),
                 dbc.Col(html.Div(id="accounting-facts"), md=5)]),
    ], className="mt-3")


def upload_card() -> html.Div:
    return html.Div([
        html.P(t("Upload your report workbook ({name}): the sheets of the contract, with a "
                 "Flags sheet of entry ids and risk scores.", name=SUBMISSION_NAME), className="mt-3"),
        upload_box("accounting-upload", ".xlsx", t("An Excel workbook (.xlsx)")),
        html.Div(id="accounting-upload-error", className="mt-2"),
        dcc.Loading(html.Div(id="accounting-grade", className="mt-3")),
    ])


def layout() -> html.Div:
    return html.Div([
        dcc.Store(id="accounting-bot-token", storage_type="session"),
        dcc.Store(id="accounting-upload-token", storage_type="session"),
        html.H2(t(LAB.title)),
        html.P(t(LAB.summary), className="lead"),
        dbc.Row([dbc.Col(inbox_card(), md=7), dbc.Col(bot_card(), md=5)], class_name="g-3"),
        dbc.Tabs([
            dbc.Tab([dbc.Select(id="accounting-sheet", value=SHEETS[0], class_name="mt-3 w-auto",
                                options=[{"label": verbatim(s), "value": s} for s in SHEETS]),
                     html.Div(id="accounting-report", className="mt-2")],
                    label=t("Report preview"), tab_id="report"),
            dbc.Tab(explorer_tab(), label=t("Anomaly explorer"), tab_id="explorer"),
            dbc.Tab(upload_card(), label=t("Your submission"), tab_id="submission"),
            dbc.Tab(html.Div(claims_view(), className="mt-3"), label=t("Key figures"), tab_id="claims"),
        ], id="accounting-tabs", active_tab="report"),
    ], id="accounting-page")


# ---- callbacks: convert inputs, call the helpers above ----------------------------------------

@callback(Output("accounting-inbox-view", "children"), Input("accounting-inbox-file", "value"))
def show_inbox(file):
    return inbox_view(file)


@callback(Output("accounting-report", "children"), Input("accounting-sheet", "value"),
          Input("accounting-bot-token", "data"))
def show_report(sheet, token):
    return sheet_table(report_of(token), sheet if sheet in SHEETS else SHEETS[0])


@callback(Output("accounting-risk", "figure"), Input("accounting-bot-token", "data"))
def show_risk(token):
    report = report_of(token)
    flags = report.flags if report is not None else pd.DataFrame(columns=["entry_id", "risk_score", "reason"])
    return plots.risk_figure(flags, title=t("Highest risk entries"))


@callback(Output("accounting-why", "figure"), Output("accounting-facts", "children"),
          Input("accounting-entry", "value"))
def show_why(entry_id):
    return why_flagged(str(entry_id))


@callback(Output("accounting-bot-token", "data"), Output("accounting-bot-status", "children"),
          Input("accounting-run-btn", "n_clicks"), State("accounting-use-portal", "value"),
          background=True,
          progress=[Output("accounting-progress", "value"), Output("accounting-log", "children"),
                    Output("accounting-race", "figure")],
          running=[(Output("accounting-run-btn", "disabled"), True, False),
                   (Output("accounting-progress", "animated"), True, False)],
          prevent_initial_call=True)
def run_bot_now(set_progress, n_clicks, use_portal):
    manual, started, lines = manual_seconds(), time.perf_counter(), []
    labels = (t("Bot (elapsed)"), t("Manual clerk (estimate)"))
    expected = len(list(case().public.rglob("*"))) + 12  # roughly one log line per step

    def echo(line: str) -> None:
        lines.append(line)
        elapsed = time.perf_counter() - started
        set_progress((min(99, round(100 * len(lines) / expected)), "\n".join(lines[-60:]),
                      plots.race_figure(elapsed, manual, labels)))

    token = bot_run(echo, bool(use_portal))
    elapsed = time.perf_counter() - started
    set_progress((100, "\n".join(lines[-60:]), plots.race_figure(elapsed, manual, labels)))
    return token, dbc.Alert(t("Report ready after {s:.1f} s; the clerk's estimate is {m:.0f} min.",
                              s=elapsed, m=manual / 60), color="success", id="accounting-bot-done")


upload_callbacks("accounting")


@callback(Output("accounting-grade", "children"), Input("accounting-upload-token", "data"))
def show_grade(token):
    report = grade_token(LAB, case(), token)
    return grade_view(report, "accounting-grade") if report else None


def register() -> None:
    """Register the page with the Dash app (called by ``LAB.register_pages()``)."""
    dash.register_page(__name__, path="/accounting", name="Accounting", title="Accounting",
                       layout=layout)
