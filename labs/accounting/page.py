"""The accounting lab's panels on the framework's lab page (:mod:`workbench.app.labpage`): the
inbox, a live bot run racing the clerk, the report preview, the anomaly explorer. Pure helpers
first; callbacks at the end only convert inputs. The browser holds only scratch tokens."""

from __future__ import annotations

import time
from functools import cache, lru_cache
from pathlib import Path

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html

from labs.accounting import LAB, plots
from labs.accounting.baseline import manual_solution
from labs.accounting.chart import GROUP_CHART
from labs.accounting.detect import Detector
from labs.accounting.inbox import describe, raw_preview
from labs.accounting.jet import entry_table
from labs.accounting.pipeline import Reference, parsed_case
from labs.accounting.submission import SUBMISSION_NAME, Report, read_submission
from workbench.app import uploads
from workbench.app.components import error_view
from workbench.app.labpage import LabPage, Panel, data_table
from workbench.datasets import default_case
from workbench.grading import references
from workbench.i18n import N_, current_language, t, verbatim
from workbench.lab import Case, SubmissionError

SHEETS = ("TB_Consolidated", "PL", "BS", "TB_Regions", "Eliminations", "FX", "Exceptions")
CHROMIUM = Path("/usr/bin/chromium")
NAMES_ZH = {code: name_zh for code, _, name_zh, _ in GROUP_CHART}


@cache
def case() -> Case:
    return default_case(LAB)


@lru_cache(maxsize=4)
def entries(case_root: str | None = None) -> pd.DataFrame:
    """A case's journal entries with the detector's features (read once per case)."""
    c = Case.load(case_root, LAB.slug) if case_root else case()
    return entry_table(parsed_case(c.public).lines, Reference.load(c.public))


@lru_cache(maxsize=2)
def weighted_components(case_root: str) -> pd.DataFrame:
    """Each control point's share of each entry's risk, once per case (the forest takes 1 s)."""
    return Detector().contributions(entries(case_root))


@lru_cache(maxsize=4)
def manual_seconds(case_root: str | None = None) -> float:
    """The clerk model's end-to-end estimate for a case (keying + setup + review)."""
    return manual_solution(Case.load(case_root) if case_root else case()).processing_seconds


def region_options(c: Case) -> list[dict[str, str]]:
    return [{"label": verbatim(f"{r.region} · {r.name} · {r.file}"), "value": r.file} for r in Reference.load(c.public).regions.itertuples()]


def inbox_view(file: str, c: Case | None = None) -> list:
    path = (c or case()).public / "inbox" / Path(str(file)).name
    if not path.is_file():
        return [error_view(t("No such file in the inbox."))]
    fact_rows = [html.Tr([html.Th(t(k)), html.Td(verbatim(v))]) for k, v in describe(path).items()]
    return [dbc.Table(html.Tbody(fact_rows), size="sm", bordered=True, class_name="w-auto"),
            html.Div(dbc.Table.from_dataframe(raw_preview(path), size="sm", striped=True,
                                              class_name="small"), style={"overflowX": "auto"})]


def bot_run(echo, use_portal: bool, c: Case) -> str:
    """Run the bot on the case (through the portal in Chromium when asked); returns a token."""
    from labs.accounting.bot import LocalFolderSource, run_bot

    token, folder = uploads.new_folder()
    if use_portal and CHROMIUM.is_file():
        from labs.accounting.browser import PortalSource
        from labs.accounting.portal import Portal

        with Portal(c.public, seed=int(time.time())) as portal:
            run_bot(PortalSource(portal.url, portal.username, portal.password), folder, echo=echo)
    else:
        run_bot(LocalFolderSource(c.public), folder, echo=echo, upload=False)
    return token


def report_of(token: object, c: Case | None = None) -> Report | None:
    """The bot's report stored under ``token``, else the graded reference's report."""
    folder = uploads.folder_of(token)
    if folder and (folder / SUBMISSION_NAME).is_file():
        try:
            return read_submission(folder / SUBMISSION_NAME)
        except SubmissionError:
            return None
    c = c or case()
    return references(LAB, c).reference_solution if c.private is not None else None


def sheet_table(report: Report | None, sheet: str) -> object:
    if report is None:
        return error_view(t("Run the bot first."))
    df = report.exceptions if sheet == "Exceptions" else report.tables.get(sheet)
    if df is None or df.empty:
        return html.P(t("Nothing to show."), className="text-muted")
    if current_language() == "zh" and "name" in df:  # the chart of accounts' Chinese names
        key = df["account"] if "account" in df else df.get("line", df["name"])
        df = df.assign(name=key.astype(str).map(NAMES_ZH).fillna(df["name"]))
    return html.Div(data_table(df, size="sm", striped=True, class_name="small"),
                    style={"maxHeight": "480px", "overflowY": "auto"})


def why_flagged(entry_id: str, c: Case | None = None) -> tuple[object, object]:
    """The weighted control-point scores of one entry and its ledger facts."""
    root = str((c or case()).root)
    e = entries(root) if c is not None else entries()
    row = e.index[e["entry_id"] == entry_id]
    if len(row) == 0:
        return plots.components_figure({}, entry_id), t("Unknown entry.")
    comp = weighted_components(root).loc[row[0]]
    facts = e.loc[row[0], ["region", "date", "posted", "user", "text", "amount", "pair"]]
    return plots.components_figure(comp.to_dict(), entry_id), html.Ul(
        [html.Li(f"{t(k)}: {v}") for k, v in facts.items()])


def inbox_panel(c: Case) -> list:
    options = region_options(c)
    return [dbc.Select(id="accounting-inbox-file", options=options, value=options[0]["value"]),
            html.Div(id="accounting-inbox-view", className="mt-2")]


def bot_panel(c: Case) -> list:
    return [
        dbc.Checkbox(id="accounting-use-portal", value=CHROMIUM.is_file(),
                     label=t("Through the portal in a real browser (Chromium)")),
        dbc.Button(t("Run the bot"), id="accounting-run-btn", color="primary", class_name="my-2"),
        dbc.Progress(id="accounting-progress", value=0, striped=True, class_name="mb-2"),
        dcc.Graph(id="accounting-race", figure=plots.race_figure(0.0, manual_seconds(str(c.root)), (
            t("Bot (elapsed)"), t("Manual clerk (estimate)")))),
        html.Pre(id="accounting-log", className="small bg-light p-2",
                 style={"maxHeight": "260px", "overflowY": "auto"}),
        html.Div(id="accounting-bot-status")]


def report_panel(_c: Case) -> list:
    return [dbc.Select(id="accounting-sheet", value=SHEETS[0], class_name="w-auto",
                       options=[{"label": verbatim(s), "value": s} for s in SHEETS]),
            html.Div(id="accounting-report", className="mt-2")]


def explorer_panel(c: Case) -> list:
    flags = report_of(None, c).flags if c.private is not None else pd.DataFrame(
        columns=["entry_id", "risk_score"])
    options = [{"label": verbatim(f"{r.entry_id} ({r.risk_score:.2f})"), "value": r.entry_id}
               for r in flags.head(200).itertuples()]
    return [
        dcc.Graph(id="accounting-benford", figure=plots.benford_figure(
            entries(str(c.root)), t("First digits by region vs Benford's law"))),
        dcc.Graph(id="accounting-risk"),
        dbc.InputGroup([dbc.InputGroupText(t("Why was this entry flagged?")),
                        dbc.Select(id="accounting-entry", options=options,
                                   value=options[0]["value"] if options else None)]),
        dbc.Row([dbc.Col(dcc.Graph(id="accounting-why"), md=7),
                 dbc.Col(html.Div(id="accounting-facts"), md=5)])]


def formats_picture(c: Case) -> dbc.Table:
    rows = [{t("region"): verbatim(r.region), t("file"): verbatim(r.file), **{
        t(k): verbatim(v) for k, v in describe(c.public / "inbox" / Path(r.file).name).items()
        if k in FORMAT_FACTS}}
        for r in Reference.load(c.public).regions.itertuples()]
    return dbc.Table.from_dataframe(pd.DataFrame(rows).fillna("—"), bordered=True, size="sm")


FORMAT_FACTS = ("format", "encoding", "separator", "decimal mark", "header row")
PAGE = LabPage(LAB, name=N_("Accounting"), picture=formats_picture, accept=".xlsx,.py,.ipynb,.zip",
               upload_hint=N_("Your report workbook (report.xlsx, with a Flags sheet of entry "
                              "ids and risk scores), or your notebook or code"),
               default=lambda: case(), stores=("accounting-bot-token",), panels=(
                   Panel("inbox", N_("Inbox: one export per region"), inbox_panel,
                         N_("Every subsidiary exports its ledger its own way. Pick a file to "
                            "see it as it arrives.")),
                   Panel("bot", N_("Run the bot"), bot_panel,
                         N_("The bot logs into the group finance portal, downloads the exports, "
                            "consolidates them and uploads the report. The clock races the "
                            "clerk's estimated time for the same work.")),
                   Panel("report", N_("Report preview"), report_panel),
                   Panel("explorer", N_("Anomaly explorer"), explorer_panel)))
layout = PAGE.layout
register = PAGE.register


# ---- callbacks: convert inputs, call the helpers above ----------------------------------------

@callback(Output("accounting-inbox-view", "children"), Input("accounting-inbox-file", "value"),
          State(PAGE.case_store, "data"))
def show_inbox(file, choice):
    return inbox_view(file, PAGE.case_of(choice))


@callback(Output("accounting-report", "children"), Input("accounting-sheet", "value"),
          Input("accounting-bot-token", "data"), State(PAGE.case_store, "data"))
def show_report(sheet, token, choice):
    return sheet_table(report_of(token, PAGE.case_of(choice)),
                       sheet if sheet in SHEETS else SHEETS[0])


@callback(Output("accounting-risk", "figure"), Input("accounting-bot-token", "data"),
          State(PAGE.case_store, "data"))
def show_risk(token, choice):
    report = report_of(token, PAGE.case_of(choice))
    flags = report.flags if report is not None else pd.DataFrame(
        columns=["entry_id", "risk_score", "reason"])
    return plots.risk_figure(flags, title=t("Highest risk entries"))


@callback(Output("accounting-why", "figure"), Output("accounting-facts", "children"),
          Input("accounting-entry", "value"), State(PAGE.case_store, "data"))
def show_why(entry_id, choice):
    return why_flagged(str(entry_id), PAGE.case_of(choice))


@callback(Output("accounting-bot-token", "data"), Output("accounting-bot-status", "children"),
          Input("accounting-run-btn", "n_clicks"), State("accounting-use-portal", "value"),
          State(PAGE.case_store, "data"), background=True,
          progress=[Output("accounting-progress", "value"), Output("accounting-log", "children"),
                    Output("accounting-race", "figure")],
          running=[(Output("accounting-run-btn", "disabled"), True, False),
                   (Output("accounting-progress", "animated"), True, False)],
          prevent_initial_call=True)
def run_bot_now(set_progress, n_clicks, use_portal, choice):
    c = PAGE.case_of(choice)
    manual, started, lines = manual_seconds(str(c.root)), time.perf_counter(), []
    labels = (t("Bot (elapsed)"), t("Manual clerk (estimate)"))
    expected = len(list(c.public.rglob("*"))) + 12  # roughly one log line per step

    def echo(line: str) -> None:
        lines.append(line)
        elapsed = time.perf_counter() - started
        set_progress((min(99, round(100 * len(lines) / expected)), "\n".join(lines[-60:]),
                      plots.race_figure(elapsed, manual, labels)))

    token = bot_run(echo, bool(use_portal), c)
    elapsed = time.perf_counter() - started
    set_progress((100, "\n".join(lines[-60:]), plots.race_figure(elapsed, manual, labels)))
    return token, dbc.Alert(t("Report ready after {s:.1f} s; the clerk's estimate is {m:.0f} min.",
                              s=elapsed, m=manual / 60), color="success", id="accounting-bot-done")
