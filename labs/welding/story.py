"""Pure helpers behind the welding page: each step of the story as a function of files.

Results that take time (the bot's table, the trained model's findings) are written to a
scratch folder whose token is all the browser keeps; figures are aggregated on the server so
none ships more than a few thousand points.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

from labs.welding import plots
from labs.welding.baseline import ControlAnalysis, analyse
from labs.welding.collect import collect, load_boards
from labs.welding.i18n import SHIFT_LABELS, VARIABLE_LABELS
from labs.welding.reference import analyse as model_analyse
from labs.welding.simulate import Action
from labs.welding.submission import Submission, write_submission
from workbench.i18n import N_, t
from workbench.lab import Case

EXPLORE_VARIABLES = ("z7_pv", "z6_pv", "conv_cm_min", "paste_pct", "o2_ppm", "rh_pct")
BOARDS_FILE, REPORT_FILE, FINDINGS_FILE, SUBMISSION_FILE = (
    "boards.csv", "collection_report.json", "findings.json", "submission.json")
# The fix sliders' full ranges and the set point as it ran: at these values a slider means
# "no action" (the page builds its sliders from the same numbers).
Z7_RANGE, PASTE_RANGE, SPEED_AS_RUN = (230, 270), (50, 150), 75


@cache
def control(case_root: str) -> ControlAnalysis:
    return analyse(Case.load(case_root).public)


@cache
def control_answer(case_root: str) -> Submission:
    """The control class's diagnosis and fix on the case (what the page says it concludes)."""
    from labs.welding.baseline import baseline

    return baseline(Case.load(case_root))


def first_alarms_text(result: ControlAnalysis) -> list[str]:
    """When the CUSUM and the EWMA chart first alarm on each line: one sentence each."""
    intro = t("An EWMA chart remembers past shifts, so it sees a small lasting rise sooner "
              "than the p-chart.")
    lines = sorted(set(result.onset) | set(result.ewma_onset))
    if not lines:
        return [intro, t("Neither the CUSUM nor the EWMA chart alarms on any line.")]

    def when(onsets: dict[str, str], line: str) -> str:
        if line not in onsets:
            return t("no alarm")
        day, shift = onsets[line].split()
        return f"{day} {t(SHIFT_LABELS.get(shift, shift))}"

    return [intro] + [t("Line {line}: CUSUM first alarms at {cusum}, EWMA at {ewma}.", line=line,
                        cusum=when(result.onset, line), ewma=when(result.ewma_onset, line))
                      for line in lines]


def tests_table(result: ControlAnalysis) -> pd.DataFrame:
    """The control class's tests, strongest first: chi-square of the recorded categories and
    Welch t of the set points (human labels; the statistic and its p-value)."""
    rows = pd.concat([result.chi2.assign(test=t("chi-square"), statistic=result.chi2["chi2"]),
                      result.ttests.assign(test=t("Welch t"), statistic=result.ttests["t"])])
    rows = rows.sort_values("p_value", kind="stable")
    return pd.DataFrame({
        t("Variable"): [t(VARIABLE_LABELS.get(v, v)) for v in rows["variable"]],
        t("Test"): rows["test"].to_list(),
        t("Statistic"): rows["statistic"].round(2).to_list(),
        t("p-value"): [f"{p:.3f}" if p >= 0.001 else "< 0.001" for p in rows["p_value"]]})


def control_verdict(c: Case) -> str:
    """What the control class concludes on this case, from its own analysis."""
    answer = control_answer(str(c.root))
    variable = answer.diagnosis["variable"]
    action = answer.actions[0] if answer.actions else None
    if action is None:
        what = t("no process action can undo it, so nothing is changed")
    elif action.kind == "revert":
        what = t("so tradition says to go back to the previous lot")
    else:
        what = t("so tradition says to put it back to {value}", value=f"{action.value:g}")
    return t("The strongest association in the records: {variable} on line {line}; {what}.",
             variable=t(VARIABLE_LABELS.get(variable, variable)),
             line=answer.diagnosis["line"], what=what)


def raw_overview(case: Case) -> pd.DataFrame:
    """What the raw logs look like before the bot: files and bytes per source."""
    rows = []
    for folder in sorted(p for p in (case.public / "logs").iterdir() if p.is_dir()):
        files = [p for p in folder.rglob("*") if p.is_file()]
        rows.append({"source": folder.name, "files": len(files),
                     "MB": round(sum(p.stat().st_size for p in files) / 1e6, 2)})
    return pd.DataFrame(rows)


def run_bot(case: Case, folder: Path, progress: Callable[[str, float], None]) -> dict:
    """Collect the case's logs into ``folder``; return the report as written."""
    collect(case.public, folder, progress)
    return json.loads((folder / REPORT_FILE).read_text(encoding="utf-8"))


def explore_figure(boards: pd.DataFrame, variable: str) -> go.Figure:
    """Hourly mean of one reading per line, defect rate per hour below (≤ a few k points)."""
    hourly = (boards.set_index("oven_in").groupby("line")[[variable, "defect"]]
              .resample("1h").mean().reset_index())
    fig = go.Figure()
    for line, g in hourly.groupby("line"):
        fig.add_scatter(x=g["oven_in"], y=g[variable], mode="lines", name=f"{line} {variable}")
        fig.add_scatter(x=g["oven_in"], y=g["defect"], mode="lines", name=f"{line} defects",
                        yaxis="y2", line={"dash": "dot"})
    fig.update_layout(height=420, yaxis_title=variable,
                      yaxis2={"overlaying": "y", "side": "right", "tickformat": ".0%"},
                      legend={"orientation": "h"})
    return fig


def train(folder: Path) -> dict:
    """Train the defect model on the collected table; keep its findings next to it."""
    report = model_analyse(load_boards(folder / BOARDS_FILE))
    findings = {"validation": report.validation, "diagnosis": report.diagnosis,
                "window": list(report.window),
                "importance": report.importance.to_dict("records"),
                "grouped": report.grouped_importance.to_dict("records"),
                "dependence": {k: v.to_dict("list") for k, v in report.dependence.items()},
                "predictions": report.predictions}
    (folder / FINDINGS_FILE).write_text(json.dumps(findings), encoding="utf-8")
    return findings


def load_findings(folder: Path | None) -> dict | None:
    path = folder / FINDINGS_FILE if folder else None
    return json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else None


def model_figures(findings: dict) -> list[go.Figure]:
    cause = findings["diagnosis"]["variable"]
    return [plots.importance_figure(pd.DataFrame(findings["grouped"]),
                                    "Grouped permutation importance (PR-AUC drop)"),
            plots.dependence_figure(pd.DataFrame(findings["dependence"][cause]), cause,
                                    tuple(findings["window"]))]


def fix_actions(z7_window: list[float] | None, speed: float | None,
                paste_window: list[float] | None) -> tuple[Action, ...]:
    """Actions from the page's sliders (a full-range slider means no action)."""
    actions = []
    (z7_min, z7_max), (paste_min, paste_max) = Z7_RANGE, PASTE_RANGE
    if z7_window and (z7_window[0] > z7_min or z7_window[1] < z7_max):
        low = z7_window[0] if z7_window[0] > z7_min else None
        high = z7_window[1] if z7_window[1] < z7_max else None
        actions.append(Action("interlock", "z7_pv", low=low, high=high))
    if speed is not None and speed != SPEED_AS_RUN:
        actions.append(Action("setpoint", "conv_cm_min", value=float(speed)))
    if paste_window and (paste_window[0] > paste_min or paste_window[1] < paste_max):
        actions.append(Action("interlock", "paste_pct", low=paste_window[0],
                              high=paste_window[1]))
    return tuple(actions)


def simulate(case: Case, actions: tuple[Action, ...]) -> dict[str, float]:
    from labs.welding.evaluate import outcome

    key = case.key()
    asis, fixed = outcome(key["seed"], key["size"], ()), outcome(key["seed"], key["size"], actions)
    return {"asis": asis.expected_defect_rate, "fixed": fixed.expected_defect_rate,
            "held": fixed.held_fraction, "throughput_loss": fixed.throughput_loss}


def write_fix_submission(folder: Path, findings: dict, diagnosis: dict[str, str],
                         actions: tuple[Action, ...]) -> Path:
    sub = Submission({k: float(v) for k, v in findings["predictions"].items()}, diagnosis,
                     actions)
    return write_submission(sub, folder / SUBMISSION_FILE)


def case_picture(case: Case) -> go.Figure:
    """The line as a picture for the demo: each line's stations, the reflow oven's seven
    zones with their set points (what the shift reports say, nothing of the fault)."""
    from labs.welding.physics import LINES, ZONE_SP

    fig = go.Figure()
    stations = [(N_("Printer"), 1.2), (N_("SPI"), 1.0), (N_("Pick and place"), 1.6)]
    for row, line in enumerate(reversed(LINES)):
        x = 0.0
        for name, width in stations + [(None, 7 * 0.9)] + [(N_("AOI"), 1.0)]:
            fig.add_shape(type="rect", x0=x, x1=x + width, y0=row, y1=row + 0.7,
                          line_color="#555", fillcolor="#eef2f7" if name else "#fbe3d3")
            if name:
                fig.add_annotation(x=x + width / 2, y=row + 0.35, text=t(name), showarrow=False)
            else:
                for k, sp in enumerate(ZONE_SP):
                    fig.add_annotation(x=x + 0.9 * k + 0.45, y=row + 0.35, showarrow=False,
                                       text=f"z{k + 1}<br>{sp:.0f}°C", font_size=13)
            x += width + 0.25
        fig.add_annotation(x=-0.3, y=row + 0.35, text=t("Line {line}", line=line),
                           showarrow=False, xanchor="right", font_size=16)
    fig.update_layout(title=t("The SMT line: print, inspect, place, reflow (7 oven zones), "
                              "inspect"), xaxis_visible=False, yaxis_visible=False,
                      template="plotly_white", margin=dict(l=90, r=10, t=60, b=10),
                      xaxis_range=[-1.6, 12.6], yaxis_range=[-0.2, len(LINES)])
    return fig
