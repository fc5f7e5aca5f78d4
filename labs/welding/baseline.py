"""The control class: statistical process control on what a line has without log capture.

Inputs are the AOI results, the MES traveller and the Excel shift reports (set points, paste
lots, crews, never per-minute oven readings). Methods: a p-chart per line and shift, a Pareto
of defect codes, an individuals (Shewhart) chart with Western Electric rules, a CUSUM and an
EWMA chart of each line's shift rates, stratification by line, shift and hour into the shift, Welch t-tests of
the set points and chi-square tests of the recorded materials and crews. It finds *where*
and *when* (the line, the worst shift, the first bad shift) and blames what the records show
changing there: the fix is to undo that change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from labs.welding import physics as ph
from labs.welding.kit import readers as src
from labs.welding.simulate import Action
from labs.welding.submission import Submission
from workbench.lab import Case

# Set points in the shift report that an engineer can change, and their names in actions.
SETPOINT_COLUMNS = {"conv_sp": "conv_cm_min"} | {f"Z{k} set (°C)": f"z{k}_sp" for k in range(1, 8)}
NOMINAL = {"conv_cm_min": ph.SPEED_SP} | {
    f"{z}_sp": sp for z, sp in zip(ph.ZONES, ph.ZONE_SP, strict=True)}


@dataclass
class ControlAnalysis:
    """Everything the control class computes, for the page and the handout."""

    shifts: pd.DataFrame     # one row per line, date and shift: boards, defects, set points
    pchart: pd.DataFrame     # shifts with p, centre line, limits and the alarm flag
    pareto: pd.DataFrame     # defect code, count, cumulative share
    we_alarms: pd.DataFrame  # Western Electric rule violations on the individuals chart
    ttests: pd.DataFrame     # Welch t-test per set point: defective vs good boards
    strata: pd.DataFrame     # defect rate by line, shift and hour into the shift
    chi2: pd.DataFrame       # chi-square test per recorded category (paste lot, crew)
    onset: dict[str, str]    # per line: first shift a CUSUM of its shift rates alarms
    ewma: pd.DataFrame       # per line and shift: EWMA of the standardised rate, its limit
    ewma_onset: dict[str, str]  # per line: first shift the EWMA is above its limit


def load_line_data(public: Path) -> pd.DataFrame:
    """Boards (MES + AOI + shift-report set points), from the line's own records."""
    logs = Path(public) / "logs"
    mes = pd.concat([src.read_mes(p) for p in sorted((logs / "mes").glob("*.csv"))])
    aoi = pd.concat([src.read_aoi(p) for p in sorted((logs / "aoi").glob("*.csv"))])
    aoi = aoi.drop_duplicates("serial")
    reports = pd.concat([src.read_shift_report(p).assign(line=p.stem.split("_")[0])
                         for p in sorted((logs / "shift_reports").glob("*.xlsx"))])
    reports["date"] = pd.to_datetime(reports["date"]).dt.strftime("%Y-%m-%d")
    production = mes["oven_in"] - pd.Timedelta(hours=6)
    boards = mes.assign(date=production.dt.strftime("%Y-%m-%d"),
                        shift=np.array(ph.SHIFTS)[production.dt.hour // 8],
                        hour=production.dt.hour % 8)
    aoi = aoi.assign(defect=((aoi["result"] == "FAIL")
                             & (aoi["operator_verdict"] == "CONFIRMED")).astype(int))
    boards = boards.merge(aoi[["serial", "defect", "defect_codes"]], on="serial", how="left")
    return boards.merge(reports, on=["line", "date", "shift"], how="left")


def pchart(shifts: pd.DataFrame, line_shift: bool = True) -> pd.DataFrame:
    """p-chart limits per line and shift (centre = that group's pooled rate)."""
    keys = ["line", "shift"] if line_shift else ["line"]
    pbar = shifts.groupby(keys)["defects"].transform("sum") / shifts.groupby(keys)[
        "boards"].transform("sum")
    sigma = np.sqrt(pbar * (1 - pbar) / shifts["boards"])
    overall = shifts["defects"].sum() / shifts["boards"].sum()
    sigma0 = np.sqrt(overall * (1 - overall) / shifts["boards"])
    return shifts.assign(p=shifts["defects"] / shifts["boards"], centre=pbar,
                         ucl=pbar + 3 * sigma, lcl=(pbar - 3 * sigma).clip(lower=0),
                         plant_ucl=overall + 3 * sigma0,
                         alarm=shifts["defects"] / shifts["boards"] > overall + 3 * sigma0)


def western_electric(x: pd.Series) -> list[str]:
    """Rules 1–4 on an individuals chart (limits from the moving range)."""
    values = x.to_numpy(float)
    centre = values.mean()
    sigma = np.abs(np.diff(values)).mean() / 1.128 if len(values) > 1 else 0.0
    if sigma == 0:
        return []
    z = (values - centre) / sigma
    hits = []
    for i in range(len(z)):
        if abs(z[i]) > 3:
            hits.append((i, "rule 1: one point beyond 3σ"))
        w3, w5, w8 = z[max(0, i - 2):i + 1], z[max(0, i - 4):i + 1], z[max(0, i - 7):i + 1]
        if len(w3) == 3 and ((w3 > 2).sum() >= 2 or (w3 < -2).sum() >= 2):
            hits.append((i, "rule 2: two of three beyond 2σ"))
        if len(w5) == 5 and ((w5 > 1).sum() >= 4 or (w5 < -1).sum() >= 4):
            hits.append((i, "rule 3: four of five beyond 1σ"))
        if len(w8) == 8 and (np.all(w8 > 0) or np.all(w8 < 0)):
            hits.append((i, "rule 4: eight in a row on one side"))
    return [f"{x.index[i]}|{rule}" for i, rule in hits]


def analyse(public: Path) -> ControlAnalysis:
    """The control class's analysis of a case's public folder."""
    return analyse_boards(load_line_data(public))


def analyse_boards(boards: pd.DataFrame) -> ControlAnalysis:
    """p-chart, Pareto, Western Electric rules and Welch t-tests of the boards table."""
    inspected = boards[boards["defect"].notna()]
    shifts = (inspected.groupby(["line", "date", "shift"], as_index=False)
              .agg(boards=("serial", "size"), defects=("defect", "sum"),
                   conv_sp=("conv_sp", "first")))
    chart = pchart(shifts)
    codes = inspected.loc[inspected["defect"] == 1, "defect_codes"].str.split("|").explode()
    pareto = codes.value_counts().rename_axis("code").reset_index(name="count")
    pareto["cumulative_share"] = pareto["count"].cumsum() / pareto["count"].sum()
    we = []
    for line, g in chart.sort_values(["date", "shift"]).groupby("line"):
        series = g.set_index(g["date"] + " " + g["shift"])["p"]
        we += [{"line": line, "shift": s.split("|")[0], "rule": s.split("|")[1]}
               for s in western_electric(series)]
    we_alarms = pd.DataFrame(we, columns=["line", "shift", "rule"])
    strata = (inspected.groupby(["line", "shift", "hour"], as_index=False)
              .agg(boards=("serial", "size"), defect_rate=("defect", "mean")))
    ewma = ewma_chart(shifts)
    return ControlAnalysis(shifts, chart, pareto, we_alarms, welch_tests(inspected), strata,
                           chi2_tests(inspected), cusum_onsets(shifts), ewma,
                           first_alarms(ewma))


def _standardised(shifts: pd.DataFrame) -> list[tuple[str, pd.DataFrame, np.ndarray]]:
    """Per line, its shifts in time order and their rates standardised against the plant's
    median shift rate ``p0`` (binomial σ of each shift's board count). On a short run where
    most shifts have no defect at all the median is 0, and every defect would be infinitely
    many σ: then ``p0`` is the plant's pooled rate."""
    p0 = float(np.median(shifts["defects"] / shifts["boards"]))
    if p0 <= 0:
        p0 = max(float(shifts["defects"].sum()), 0.5) / float(shifts["boards"].sum())
    order = {s: i for i, s in enumerate(ph.SHIFTS)}
    out = []
    for line, g in shifts.groupby("line"):
        g = g.sort_values(["date", "shift"], key=lambda c: c.map(order) if c.name == "shift"
                          else c)
        z = (g["defects"] / g["boards"] - p0) / np.sqrt(p0 * (1 - p0) / g["boards"])
        out.append((str(line), g, z.to_numpy(float)))
    return out


def cusum_onsets(shifts: pd.DataFrame, k: float = 0.5, h: float = 5.0) -> dict[str, str]:
    """Per line, the first shift (date and shift) where an upper CUSUM of its standardised
    shift rates alarms; in-control p0 is the plant's median shift rate."""
    out = {}
    for line, g, z in _standardised(shifts):
        s = 0.0
        for date, shift, zi in zip(g["date"], g["shift"], z, strict=True):
            s = max(0.0, s + zi - k)
            if s > h:
                out[line] = f"{date} {shift}"
                break
    return out


def ewma_chart(shifts: pd.DataFrame, lam: float = 0.2, width: float = 3.0) -> pd.DataFrame:
    """Per line, an EWMA (weight ``lam``) of its standardised shift rates with the exact
    upper limit ``width``·σ_EWMA, which widens over the first shifts towards
    ``width``·sqrt(lam / (2 − lam)); a shift above it is an alarm."""
    rows = []
    for line, g, z in _standardised(shifts):
        value = 0.0
        for i, (date, shift, zi) in enumerate(zip(g["date"], g["shift"], z, strict=True),
                                              start=1):
            value = lam * zi + (1 - lam) * value
            limit = width * np.sqrt(lam / (2 - lam) * (1 - (1 - lam) ** (2 * i)))
            rows.append({"line": line, "date": date, "shift": shift, "z": float(zi),
                         "ewma": float(value), "ucl": float(limit), "alarm": bool(value > limit)})
    return pd.DataFrame(rows, columns=["line", "date", "shift", "z", "ewma", "ucl", "alarm"])


def first_alarms(chart: pd.DataFrame) -> dict[str, str]:
    """Per line, the first shift (date and shift) of ``chart`` flagged as an alarm."""
    alarms = chart[chart["alarm"]]
    return {str(line): f"{g.iloc[0]['date']} {g.iloc[0]['shift']}"
            for line, g in alarms.groupby("line", sort=True)}


def chi2_tests(boards: pd.DataFrame) -> pd.DataFrame:
    """Chi-square test of independence of defects and each recorded category."""
    rows = []
    for column in ("paste_lot", "operator"):
        table = pd.crosstab(boards[column].astype(str), boards["defect"])
        if table.shape[0] < 2 or table.shape[1] < 2:
            rows.append({"variable": column, "chi2": 0.0, "p_value": 1.0, "worst": ""})
            continue
        chi2, p, _, _ = stats.chi2_contingency(table)
        rate = table[1] / table.sum(axis=1)
        rows.append({"variable": column, "chi2": float(chi2), "p_value": float(p),
                     "worst": str(rate.idxmax())})
    return pd.DataFrame(rows).sort_values("p_value", kind="stable").reset_index(drop=True)


def welch_tests(boards: pd.DataFrame) -> pd.DataFrame:
    rows = []
    bad, good = boards[boards["defect"] == 1], boards[boards["defect"] == 0]
    for column, name in SETPOINT_COLUMNS.items():
        a, b = bad[column].astype(float), good[column].astype(float)
        if a.nunique() + b.nunique() <= 2 and a.mean() == b.mean():
            rows.append({"variable": name, "t": 0.0, "p_value": 1.0, "mean_defective": a.mean(),
                         "mean_good": b.mean()})
            continue
        t, p = stats.ttest_ind(a, b, equal_var=False)
        rows.append({"variable": name, "t": float(t), "p_value": float(p),
                     "mean_defective": a.mean(), "mean_good": b.mean()})
    return pd.DataFrame(rows).sort_values("p_value", kind="stable").reset_index(drop=True)


def baseline(case: Case) -> Submission:
    """The control class's answer: rates per line, shift and period as probabilities, the
    line and shift that stand out, the recorded change most associated with defects, undone."""
    boards = load_line_data(case.public)
    result = analyse_boards(boards)
    rates = result.shifts.groupby(["line", "shift"])[["defects", "boards"]].sum()
    worst_line, worst_shift = ((rates["defects"] + 1) / (rates["boards"] + 2)).idxmax()
    onset = result.onset.get(worst_line)
    after = boards["line"].eq(worst_line) & (
        (boards["date"] + " " + boards["shift"].map({s: str(i) for i, s in
                                                     enumerate(ph.SHIFTS)}))
        >= _sortable(onset)) if onset else pd.Series(False, index=boards.index)
    boards = boards.assign(period=np.where(after, "after", "before"))
    inspected = boards[boards["defect"].notna()]
    cell = inspected.groupby(["line", "shift", "period"])["defect"].agg(["sum", "size"])
    smoothed = (cell["sum"] + 1) / (cell["size"] + 2)  # Laplace-smoothed rate of each cell
    holdout = pd.read_csv(case.public / "holdout.csv", dtype=str)["serial"]
    rows = boards.set_index("serial").loc[holdout]
    fallback = float(inspected["defect"].mean())
    predictions = {s: float(smoothed.get((line, shift, period), fallback))
                   for s, line, shift, period in zip(holdout, rows["line"], rows["shift"],
                                                     rows["period"], strict=True)}
    tests = pd.concat([result.chi2[["variable", "p_value"]],
                       result.ttests[["variable", "p_value"]]]).sort_values("p_value",
                                                                            kind="stable")
    suspect = str(tests.iloc[0]["variable"])
    if suspect == "paste_lot":
        action = Action("revert", "paste_lot", worst_line)
    elif suspect in NOMINAL:
        action = Action("setpoint", suspect, worst_line, worst_shift, value=NOMINAL[suspect])
    else:  # a crew cannot be undone by a process action; hold nothing, change nothing
        action = None
    diagnosis = {"line": worst_line, "variable": suspect, "shift": worst_shift,
                 "confounder": "none"}
    return Submission(predictions, diagnosis, (action,) if action else ())


def _sortable(onset: str) -> str:
    date, shift = onset.split()
    return f"{date} {ph.SHIFTS.index(shift)}"
