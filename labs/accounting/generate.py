"""``make_case``: a group of six subsidiaries, their messy ledger exports, and the answer key.

public/  case.json, inbox/<one export per region>, reference/{regions, group_chart,
         account_map, fx_rates, holidays}.csv
private/ key.json, truth/<report table>.csv (the correct report), anomalies.csv (planted
         entries and their type), generator.json (hidden parameters)
"""

from __future__ import annotations

from pathlib import Path

import holidays as holiday_calendars
import numpy as np
import pandas as pd

from labs.accounting.anomalies import ANOMALY_TYPES, Planter
from labs.accounting.chart import GROUP_CHART, GROUP_CURRENCY, REGIONS, local_chart
from labs.accounting.consolidate import consolidate
from labs.accounting.exports import exporter
from labs.accounting.ingest import format_entry_ids
from labs.accounting.ledger import (
    intercompany_entries,
    make_period,
    opening_lines,
    region_users,
    routine_entries,
    to_lines,
)
from workbench.lab import Case, check_size, dump_json, write_case_meta

SLUG = "accounting"
GROUP_ENTRIES = {"tiny": 720, "class": 7_200, "large": 520_000}
MONTHS = {"tiny": 1, "class": 1, "large": 3}
ANOMALY_RATE = 0.0012  # per type and routine entry: about 1 % anomalies over the nine types
BENFORD_SHARE = 0.10  # invented share: enough to push the region past MAD 0.015 (Nigrini)
EXCEL_CAP = 12_000  # entries per Excel region; bigger volumes go to the CSV regions
CHUNK = 100_000  # entries generated and written at a time
YEAR = 2024
TABLE_FLOATS = {"FX": "%.6f"}
HISTORICAL_DRIFT = 0.08  # log-spread of the rate when equity was contributed vs today's


def _period(rng: np.random.Generator, size: str) -> tuple[str, str]:
    months = MONTHS[size]
    first = int(rng.integers(1, 13 - months + 1))
    start = pd.Timestamp(YEAR, first, 1)
    end = (start + pd.DateOffset(months=months)) - pd.Timedelta(days=1)
    return start.strftime("%Y-%m-%d"), end.strftime("%Y-%m-%d")


def _fx(rng: np.random.Generator, seed: int) -> pd.DataFrame:
    """Closing and average rates of the month, and the historical rate at which each
    subsidiary's equity was contributed (drawn from a stream of its own, so adding it left
    every other draw of a case unchanged)."""
    rows = {GROUP_CURRENCY: (1.0, 1.0)}
    for r in REGIONS:
        if r.currency not in rows:
            closing = r.base_rate * float(np.exp(rng.normal(0, 0.03)))
            average = closing * float(np.exp(rng.normal(0, 0.01)))
            rows[r.currency] = (round(closing, 6), round(average, 6))
    fx = pd.DataFrame([(c, *v) for c, v in sorted(rows.items())],
                      columns=["currency", "closing_rate", "average_rate"])
    hist_rng = np.random.default_rng([seed, 1])
    drift = np.exp(hist_rng.normal(0, HISTORICAL_DRIFT, size=len(fx)))
    fx["historical_rate"] = np.where(fx["currency"] == GROUP_CURRENCY, 1.0,
                                     (fx["closing_rate"] * drift).round(6))
    return fx.set_index("currency")


def _volumes(size: str) -> dict[str, int]:
    total, weights = GROUP_ENTRIES[size], np.array([r.weight for r in REGIONS])
    n = {r.code: int(round(total * w / weights.sum())) for r, w in zip(REGIONS, weights, strict=True)}
    if size == "large":
        excel = [r.code for r in REGIONS if r.file.endswith(".xlsx")]
        spare = sum(max(0, n[c] - EXCEL_CAP) for c in excel)
        csvs = [r.code for r in REGIONS if r.code not in excel]
        for c in excel:
            n[c] = min(n[c], EXCEL_CAP)
        for c in csvs:
            n[c] += spare // len(csvs)
    return n


def _plan_anomalies(rng: np.random.Generator, volumes: dict[str, int]) -> dict[str, dict[str, int]]:
    total = sum(volumes.values())
    codes = [r.code for r in REGIONS]
    p = np.array([volumes[c] for c in codes], dtype=float)
    plan = {c: dict.fromkeys(ANOMALY_TYPES, 0) for c in codes}
    for kind in ANOMALY_TYPES[:-1]:
        for c in rng.choice(codes, size=max(2, round(ANOMALY_RATE * total)), p=p / p.sum()):
            plan[str(c)][kind] += 1
    benford_region = str(rng.choice(codes))
    plan[benford_region]["benford"] = max(3, round(BENFORD_SHARE * volumes[benford_region]))
    return plan


def _write_reference(folder: Path, fx: pd.DataFrame, calendars: dict[str, list[str]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame([{"region": r.code, "name": r.name, "name_zh": r.name_zh, "currency": r.currency,
                   "file": r.file, "approval_limit": r.limit} for r in REGIONS]
                 ).to_csv(folder / "regions.csv", index=False)
    pd.DataFrame(GROUP_CHART, columns=["account", "name", "name_zh", "type"]).to_csv(
        folder / "group_chart.csv", index=False)
    pd.DataFrame([(r.code, *row) for r in REGIONS for row in local_chart(r)],
                 columns=["region", "local_account", "local_name", "group_account"]).to_csv(
        folder / "account_map.csv", index=False)
    fx.reset_index().to_csv(folder / "fx_rates.csv", index=False, float_format="%.6f")
    pd.DataFrame([(r.code, d) for r in REGIONS for d in calendars[r.country]],
                 columns=["region", "date"]).to_csv(folder / "holidays.csv", index=False)


def make_case(seed: int, size: str = "class", *, out: Path) -> Case:
    """Generate one case: the regional exports (public) and the correct report (private)."""
    check_size(size)
    out = Path(out)
    rng = np.random.default_rng([seed, 0])
    start, end = _period(rng, size)
    fx = _fx(rng, seed)
    calendars = {c: sorted(str(d) for d in holiday_calendars.country_holidays(c, years=[YEAR, YEAR + 1]))
                 for c in sorted({r.country for r in REGIONS})}
    volumes = _volumes(size)
    plan = _plan_anomalies(rng, volumes)
    case = write_case_meta(
        out, SLUG, seed, size, period_start=start, period_end=end, group_currency=GROUP_CURRENCY,
        regions=[{"code": r.code, "currency": r.currency, "file": f"inbox/{r.file}"} for r in REGIONS])
    _write_reference(case.public / "reference", fx, calendars)
    inbox = case.public / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    avg = fx["average_rate"].to_dict()
    periods = {r.code: make_period(start, end, calendars[r.country]) for r in REGIONS}
    ic = intercompany_entries(rng, REGIONS, periods["SH"], avg)
    balances, labels = [], []
    for i, region in enumerate(REGIONS):
        r_rng = np.random.default_rng([seed, 100 + i])
        period, rate = periods[region.code], avg[region.currency]
        users = region_users(r_rng, region)
        writer = exporter(region, inbox, r_rng, start[:7] if MONTHS[size] == 1 else f"{start} - {end}")
        done, doc = 0, 1
        while done < volumes[region.code]:
            n = min(CHUNK, volumes[region.code] - done)
            entries = routine_entries(r_rng, region, n, period, rate, users)
            if done == 0:
                planter = Planter(r_rng, region, period, rate, users, entries)
                planted = [planter.plant(k, c) for k, c in plan[region.code].items()]
                entries = pd.concat([entries, ic[ic["region"] == region.code], *planted],
                                    ignore_index=True)
            entries["tie"] = r_rng.random(len(entries))
            entries = entries.sort_values(["posted", "date", "tie"], kind="stable").reset_index(drop=True)
            entries["doc"] = np.arange(doc + 1, doc + 1 + len(entries))
            lines = to_lines(r_rng, entries, region)
            if done == 0:
                lines = pd.concat([_opening(r_rng, region, volumes[region.code], rate, start), lines],
                                  ignore_index=True)
            writer.append(lines)
            balances.append(lines.assign(region=region.code, account=lines["group"])
                            .groupby(["region", "account"])[["debit", "credit"]].sum().reset_index())
            flagged = entries[entries["label"] != ""]
            labels.append(pd.DataFrame({"entry_id": format_entry_ids(region.code, flagged["doc"]),
                                        "region": region.code, "type": flagged["label"].to_numpy()}))
            done, doc = done + n, doc + len(entries)
        writer.finish()
    _write_private(case.private, consolidate(pd.concat(balances), {r.code: r.currency for r in REGIONS}, fx),
                   pd.concat(labels, ignore_index=True), plan, volumes)
    return case


def _opening(rng: np.random.Generator, region, n: int, rate: float, start: str) -> pd.DataFrame:
    ob = opening_lines(rng, region, n, rate)
    chart = pd.DataFrame(local_chart(region), columns=["local", "name", "group"])
    first = chart.drop_duplicates("group").set_index("group")
    return pd.DataFrame({"doc": 1, "date": np.datetime64(start), "posted": np.datetime64(start),
                         "user": "SYSTEM", "text": "期初余额" if region.chinese else "Opening balance",
                         "account": ob["account"].map(first["local"]), "group": ob["account"],
                         "debit": ob["debit"], "credit": ob["credit"],
                         "name": ob["account"].map(first["name"])})


def _write_private(private: Path, tables: dict[str, pd.DataFrame], labels: pd.DataFrame,
                   plan: dict, volumes: dict[str, int]) -> None:
    truth = private / "truth"
    truth.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        df.to_csv(truth / f"{name}.csv", index=False, float_format=TABLE_FLOATS.get(name, "%.2f"))
    labels.sort_values("entry_id").to_csv(private / "anomalies.csv", index=False)
    benford = next(c for c, p in plan.items() if p["benford"])
    dump_json({"anomaly_plan": plan, "benford_region": benford, "entries": volumes},
              private / "generator.json")


def load_truth(case: Case) -> dict[str, pd.DataFrame]:
    """The correct report tables of a case (instructor copy only)."""
    if case.private is None:
        raise FileNotFoundError(f"{case.root}: no private/ folder, the answer key is missing")
    return {p.stem: pd.read_csv(p, dtype={"account": str, "line": str, "region": str})
            for p in sorted((case.private / "truth").glob("*.csv"))}


def load_anomalies(case: Case) -> pd.DataFrame:
    if case.private is None:
        raise FileNotFoundError(f"{case.root}: no private/ folder, the answer key is missing")
    return pd.read_csv(case.private / "anomalies.csv", dtype=str)
