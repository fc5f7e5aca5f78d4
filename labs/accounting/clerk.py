"""The manual clerk: a Keystroke-Level Model for time and published error rates for mistakes.

The clerk works as a competent clerk does. She pivots each regional export (assumed correct)
and keys every regional balance into the consolidation workbook: the group account (looked up
in the account map) and the local amount. The CNY amount is a spreadsheet formula (local
amount times the rate cell: closing, historical for equity, average), so translation adds no
keying error. Each region's keyed local trial balance is tied out against the pivot's totals:
a difference is searched for and corrected before she moves on, so an omitted row, a
transposed amount or a wrong sign never survives the tie-out; the 3900 translation difference
is then a formula over a balanced trial balance, not a plug that hides errors. What the
tie-out cannot see survives: a balance keyed to the wrong account. Eliminations are formulas
linked to the intercompany lines, the statements are linked by formulas.

Each keyed field costs ``M + P + click + H + n_chars * K`` seconds (Card, Moran & Newell),
scaled by a log-normal factor; each field can go wrong with Panko's rates: 0.5-1 % for a
simple entry, 1-5 % for multi-step work (the account look-up).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from labs.accounting.chart import ACCOUNT_TYPE, CTA_ACCOUNT, IC_ACCOUNTS
from labs.accounting.consolidate import (
    TB_REGIONS_COLUMNS,
    statements,
    translation_rates,
    with_translation_plug,
)


@dataclass(frozen=True)
class ClerkParams:
    """Every parameter of the manual model (printed in the report's Meta sheet)."""

    K: float = 0.28  # s per keystroke, average typist (0.20 skilled, 0.50 random codes)
    P: float = 1.1  # s to point at a cell
    click: float = 0.2  # s to press and release the mouse button
    H: float = 0.4  # s to home hands between mouse and keyboard
    M: float = 1.35  # s of mental preparation per field
    lookup_median: float = 6.0  # s to find a local account in the account map
    time_sigma: float = 0.3  # log-normal spread of every timed step
    setup_median: float = 600.0  # s per region: open export, fix layout, build a pivot table
    tieout_median: float = 90.0  # s per region: compare the keyed totals with the pivot's
    search_median: float = 300.0  # s to find and correct one difference the tie-out shows
    review_median: float = 900.0  # s: final read-through of the finished report
    p_simple: float = 0.0075  # error rate of a simple entry (Panko: 0.5-1 %)
    p_multistep: float = 0.03  # error rate of multi-step work (Panko: 1-5 %)
    double_entry: bool = False  # key twice and compare: ~28x fewer errors (Barchard & Pace)

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            if isinstance(value, float) and value < 0:
                raise ValueError(f"{name} < 0 not understood")
        if not (self.p_simple <= 1 and self.p_multistep <= 1):
            raise ValueError("error rates are probabilities: give values between 0 and 1")

    def field_seconds(self, n_chars: int | np.ndarray) -> np.ndarray:
        return self.M + self.P + self.click + self.H + np.asarray(n_chars) * self.K

    def formula_seconds(self, n: int) -> float:
        """Point at a cell and type a short formula such as ``=C5*$F$2`` (fill-down is free)."""
        return n * (self.P + self.click + 8 * self.K)


def _transpose(value: float, rng: np.random.Generator) -> float:
    digits = list(f"{abs(value):.2f}".replace(".", ""))
    if len(digits) < 2:
        return value
    i = int(rng.integers(0, len(digits) - 1))
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    out = int("".join(digits)) / 100
    return out if value >= 0 else -out


ERROR_KINDS = ("transposition", "omitted_row", "wrong_sign", "wrong_account")


def key_regional_balances(tb: pd.DataFrame, params: ClerkParams,
                          rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, float]]:
    """The clerk's keyed regional lines (region, account, net) after the tie-out, with keying
    time and error counts (made, and caught by the tie-out).

    ``tb`` has columns region, account and net (local balance).
    """
    factor = 28.0 if params.double_entry else 1.0
    p_simple, p_multi = params.p_simple / factor, params.p_multistep / factor
    types = {t: [a for a, k in ACCOUNT_TYPE.items() if k == t and a != CTA_ACCOUNT]
             for t in set(ACCOUNT_TYPE.values())}
    made = dict.fromkeys(ERROR_KINDS, 0)
    caught = 0
    seconds = 0.0
    rows = []
    for region, grp in tb.groupby("region", sort=True):
        unbalanced = 0
        for r in grp.itertuples(index=False):
            chars = len(f"{abs(r.net):.2f}")
            steps = params.field_seconds([len(r.account), chars])
            seconds += float((steps * rng.lognormal(0, params.time_sigma, 2)).sum())
            seconds += params.lookup_median * float(rng.lognormal(0, params.time_sigma))
            account, net = r.account, float(r.net)
            if rng.random() < p_simple:
                made["omitted_row"] += 1
                unbalanced += 1
            elif rng.random() < p_simple:
                made["transposition"] += 1
                unbalanced += int(_transpose(net, rng) != net)
            elif rng.random() < p_simple:
                made["wrong_sign"] += 1
                unbalanced += 1
            if rng.random() < p_multi:
                made["wrong_account"] += 1
                others = [a for a in types[ACCOUNT_TYPE[account]] if a != account] or [account]
                account = str(rng.choice(others))
            # the tie-out shows every unbalancing slip; it is found and keyed again
            rows.append((region, account, round(net, 2)))
        seconds += params.tieout_median * float(rng.lognormal(0, params.time_sigma))
        if unbalanced:
            caught += unbalanced
            seconds += float((params.search_median
                              * rng.lognormal(0, params.time_sigma, unbalanced)).sum())
    seconds += params.formula_seconds(len(rows))  # the CNY column: one formula per line
    if params.double_entry:
        seconds *= 2
    keyed = pd.DataFrame(rows, columns=["region", "account", "net"])
    info = {"keying_seconds": seconds, **{f"errors_{k}": float(v) for k, v in made.items()},
            "errors_caught_by_tieout": float(caught)}
    return keyed, info


def manual_report(regional: pd.DataFrame, fx: pd.DataFrame, params: ClerkParams,
                  rng: np.random.Generator) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Report tables built by hand from regional balances (region, account, net, currency)."""
    keyed, info = key_regional_balances(regional, params, rng)
    keyed = keyed.groupby(["region", "account"], sort=True)["net"].sum().reset_index()
    currency = keyed["region"].map(regional.drop_duplicates("region").set_index("region")["currency"])
    keyed["tnet"] = (keyed["net"] * translation_rates(keyed["account"], currency, fx)).round(2)
    off = keyed.groupby("region")["net"].sum().round(2)
    if (off.abs() > 0.005).any():  # the tie-out guarantees this; a failure is a bug in the model
        raise AssertionError(f"keyed local trial balances do not tie out: {off[off != 0].to_dict()}")
    tb_regions = with_translation_plug(keyed)[TB_REGIONS_COLUMNS]
    ic_lines = int(tb_regions["account"].isin(IC_ACCOUNTS).sum())
    info["keying_seconds"] += params.formula_seconds(ic_lines)  # eliminations link to the TB
    tables = statements(tb_regions, fx)
    n_regions = regional["region"].nunique()
    info["setup_seconds"] = float((params.setup_median * rng.lognormal(0, params.time_sigma, n_regions)).sum())
    info["review_seconds"] = float(params.review_median * rng.lognormal(0, params.time_sigma))
    return tables, info
