"""Routine journal entries of one region: templates, users, dates, intercompany, opening balance.

Entries are rows of a DataFrame with columns region, date, posted, user, text, debit, credit
(group accounts), amount (local currency) and label ("" for a routine entry, else the anomaly
type); :func:`to_lines` turns them into two ledger lines each, on local accounts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from labs.accounting.chart import FIRST_NAMES, PARTIES, TEMPLATES, Region, Template, local_chart

ENTRY_COLUMNS = ["region", "date", "posted", "user", "text", "debit", "credit", "amount", "label"]


@dataclass(frozen=True)
class Period:
    """The reporting period, its close date and one region's working days."""

    start: np.datetime64
    end: np.datetime64
    close: np.datetime64
    workdays: np.ndarray  # datetime64[D] business days within the period
    offdays: np.ndarray  # weekends and public holidays within the period
    calendar: np.busdaycalendar


def make_period(start: str, end: str, holidays: list[str]) -> Period:
    cal = np.busdaycalendar(weekmask="1111100", holidays=np.array(holidays, dtype="datetime64[D]"))
    days = np.arange(np.datetime64(start), np.datetime64(end) + 1, dtype="datetime64[D]")
    is_work = np.is_busday(days, busdaycal=cal)
    close = np.busday_offset(np.datetime64(end), 4, roll="forward", busdaycal=cal)
    return Period(np.datetime64(start), np.datetime64(end), close, days[is_work], days[~is_work], cal)


def region_users(rng: np.random.Generator, region: Region, k: int = 6) -> tuple[list[str], np.ndarray]:
    """The region's regular posters and how often each posts."""
    names = rng.choice(FIRST_NAMES, size=k, replace=False)
    users = [f"{n}.{region.code.lower()}" for n in names]
    return users, rng.dirichlet(np.full(k, 3.0))


def to_local(amount_cny: np.ndarray, region: Region, rate: float) -> np.ndarray:
    local = np.round(amount_cny / rate, region.decimals)
    return np.maximum(local, 10.0 ** -region.decimals)


def _texts(rng: np.random.Generator, templates: list[Template], region: Region) -> list[str]:
    refs = rng.integers(10_000, 99_999, size=len(templates))
    parties = rng.choice(PARTIES, size=len(templates))
    return [(tp.text_zh if region.chinese else tp.text).format(ref=f"R{r}", party=p)
            for tp, r, p in zip(templates, refs, parties, strict=True)]


def posted_after(rng: np.random.Generator, dates: np.ndarray, period: Period) -> np.ndarray:
    lag = rng.integers(0, 3, size=len(dates))
    posted = np.busday_offset(dates, lag, roll="forward", busdaycal=period.calendar)
    return np.minimum(posted, period.close)


def routine_entries(rng: np.random.Generator, region: Region, n: int, period: Period,
                    rate: float, users: tuple[list[str], np.ndarray],
                    templates: tuple[Template, ...] = TEMPLATES) -> pd.DataFrame:
    """``n`` everyday postings drawn from the templates."""
    weights = np.array([t.weight for t in templates])
    idx = rng.choice(len(templates), size=n, p=weights / weights.sum())
    chosen = [templates[i] for i in idx]
    med = np.array([t.median_cny for t in chosen])
    sigma = np.array([t.sigma for t in chosen])
    amount = to_local(rng.lognormal(np.log(med), sigma), region, rate)
    dates = rng.choice(period.workdays, size=n)
    system = np.array([t.system for t in chosen])
    dates[system] = period.workdays[-1]
    user = rng.choice(users[0], size=n, p=users[1]).astype(object)
    user[system] = "SYSTEM"
    return pd.DataFrame({
        "region": region.code, "date": dates, "posted": posted_after(rng, dates, period),
        "user": user, "text": _texts(rng, chosen, region),
        "debit": [t.debit for t in chosen], "credit": [t.credit for t in chosen],
        "amount": amount, "label": ""})[ENTRY_COLUMNS]


def intercompany_entries(rng: np.random.Generator, regions: tuple[Region, ...], period: Period,
                         avg_rate: dict[str, float], n_links: int = 2) -> pd.DataFrame:
    """Sales between subsidiaries: seller Dr 1250 / Cr 4800, buyer Dr 6800 / Cr 2250."""
    rows = []
    for seller in regions:
        buyers = rng.choice([r for r in regions if r is not seller], size=n_links, replace=False)
        for buyer in buyers:
            for _ in range(int(rng.integers(1, 3))):
                cny = float(rng.lognormal(np.log(60_000), 0.6))
                day = rng.choice(period.workdays)
                ref = f"IC{rng.integers(1000, 9999)}"
                for reg, dr, cr, text in ((seller, "1250", "4800", f"IC sale to {buyer.code} {ref}"),
                                          (buyer, "6800", "2250", f"IC purchase from {seller.code} {ref}")):
                    amt = float(to_local(np.array([cny]), reg, avg_rate[reg.currency])[0])
                    rows.append([reg.code, day, day, "SYSTEM", text, dr, cr, amt, ""])
    return pd.DataFrame(rows, columns=ENTRY_COLUMNS)


OPENING_SHARES = {"1000": 0.3, "1100": 0.5, "1200": 0.4, "1500": 1.0,
                  "2000": -0.35, "2100": -0.1, "2200": -0.05, "2500": -0.4, "3000": -0.6}


def opening_lines(rng: np.random.Generator, region: Region, n_entries: int, rate: float,
                  ) -> pd.DataFrame:
    """The opening-balance entry: one line per balance-sheet account, retained earnings balancing."""
    scale = n_entries * 15_000 / rate
    nets = {acc: round(share * scale * rng.uniform(0.8, 1.2), region.decimals)
            for acc, share in OPENING_SHARES.items()}
    nets["3100"] = round(-sum(nets.values()), region.decimals)
    return pd.DataFrame({"account": list(nets), "debit": [max(v, 0.0) for v in nets.values()],
                         "credit": [max(-v, 0.0) for v in nets.values()]})


def to_lines(rng: np.random.Generator, entries: pd.DataFrame, region: Region) -> pd.DataFrame:
    """Two ledger lines per entry (debit then credit) on local accounts; ``doc`` kept."""
    chart = pd.DataFrame(local_chart(region), columns=["local", "name", "group"])
    options = chart.groupby("group")["local"].apply(list).to_dict()
    n = len(entries)
    out = []
    for side in ("debit", "credit"):
        groups = entries[side].to_numpy()
        pick = rng.random(n)
        local = [opts[int(p * len(opts))] for opts, p in zip(map(options.__getitem__, groups), pick,
                                                             strict=True)]
        amount = entries["amount"].to_numpy()
        part = entries[["doc", "date", "posted", "user", "text"]].copy()
        part["account"], part["group"] = local, groups
        part["debit"] = amount if side == "debit" else 0.0
        part["credit"] = amount if side == "credit" else 0.0
        part["line"] = 0 if side == "debit" else 1
        out.append(part)
    lines = pd.concat(out, ignore_index=True).sort_values(["doc", "line"], kind="stable")
    names = dict(zip(chart["local"], chart["name"], strict=True))
    lines["name"] = lines["account"].map(names)
    return lines.drop(columns="line").reset_index(drop=True)
