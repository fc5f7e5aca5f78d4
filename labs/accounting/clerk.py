"""The manual clerk: a Keystroke-Level Model for time and published error rates for mistakes.

The clerk pivots each regional export (assumed correct), then keys every regional balance
into the consolidation workbook: the group account (looked up in the account map), the local
amount, and the CNY amount worked out on a calculator. Elimination lines are keyed again, the
statements are linked by formulas. Each keyed field costs ``M + P + click + H + n_chars * K``
seconds (Card, Moran & Newell), scaled by a log-normal factor; each field can go wrong with
Panko's rates: 0.5-1 % for a simple entry, 1-5 % for multi-step work. Errors are the ones
clerks make: transposed digits, an omitted row, a wrong sign, a wrong account.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from labs.accounting.chart import ACCOUNT_TYPE, BALANCE_SHEET_TYPES, CTA_ACCOUNT, IC_ACCOUNTS
from labs.accounting.consolidate import TB_REGIONS_COLUMNS, statements, with_translation_plug


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


def _transpose(value: float, rng: np.random.Generator) -> float:
    digits = list(f"{abs(value):.2f}".replace(".", ""))
    if len(digits) < 2:
        return value
    i = int(rng.integers(0, len(digits) - 1))
    digits[i], digits[i + 1] = digits[i + 1], digits[i]
    out = int("".join(digits)) / 100
    return out if value >= 0 else -out


def key_regional_balances(tb: pd.DataFrame, params: ClerkParams,
                          rng: np.random.Generator) -> tuple[pd.DataFrame, dict[str, float]]:
    """The clerk's keyed regional lines (region, account, net, tnet) and keying time / errors.

    ``tb`` has columns region, account, net (local balance) and rate (CNY per unit).
    """
    factor = 28.0 if params.double_entry else 1.0
    p_simple, p_multi = params.p_simple / factor, params.p_multistep / factor
    types = {t: [a for a, k in ACCOUNT_TYPE.items() if k == t and a != CTA_ACCOUNT]
             for t in set(ACCOUNT_TYPE.values())}
    rows, counts, seconds = [], dict.fromkeys(("transposition", "omitted_row", "wrong_sign",
                                               "wrong_account"), 0), 0.0
    for r in tb.itertuples(index=False):
        chars = len(f"{abs(r.net):.2f}")
        steps = params.field_seconds([len(r.account), chars, chars + 8, chars])  # last: calc + result
        seconds += float((steps * rng.lognormal(0, params.time_sigma, 4)).sum())
        seconds += params.lookup_median * float(rng.lognormal(0, params.time_sigma))
        if rng.random() < p_simple:
            counts["omitted_row"] += 1
            continue
        account, net = r.account, float(r.net)
        if rng.random() < p_multi:
            counts["wrong_account"] += 1
            others = [a for a in types[ACCOUNT_TYPE[account]] if a != account] or [account]
            account = str(rng.choice(others))
        if rng.random() < p_simple:
            counts["transposition"] += 1
            net = _transpose(net, rng)
        tnet = round(net * float(r.rate), 2)
        if rng.random() < p_multi:
            if rng.random() < 0.5:
                counts["transposition"] += 1
                tnet = _transpose(tnet, rng)
            else:
                counts["wrong_sign"] += 1
                tnet = -tnet
        rows.append((r.region, account, round(net, 2), tnet))
    if params.double_entry:
        seconds *= 2
    keyed = pd.DataFrame(rows, columns=["region", "account", "net", "tnet"])
    return keyed, {"keying_seconds": seconds, **{f"errors_{k}": float(v) for k, v in counts.items()}}


def manual_report(regional: pd.DataFrame, fx: pd.DataFrame, params: ClerkParams,
                  rng: np.random.Generator) -> tuple[dict[str, pd.DataFrame], dict[str, float]]:
    """Report tables built by hand from regional balances (region, account, net, currency)."""
    is_bs = regional["account"].map(ACCOUNT_TYPE).isin(BALANCE_SHEET_TYPES)
    rate = np.where(is_bs, regional["currency"].map(fx["closing_rate"]),
                    regional["currency"].map(fx["average_rate"]))
    keyed, info = key_regional_balances(regional.assign(rate=rate), params, rng)
    keyed = keyed.groupby(["region", "account"], sort=True)[["net", "tnet"]].sum().reset_index()
    tb_regions = with_translation_plug(keyed)[TB_REGIONS_COLUMNS]
    ic_lines = int(tb_regions["account"].isin(IC_ACCOUNTS).sum())
    # elimination lines are keyed again (account + amount); statements are linked by formulas
    steps = params.field_seconds(np.tile([4, 10], ic_lines))
    info["keying_seconds"] += float((steps * rng.lognormal(0, params.time_sigma, len(steps))).sum())
    tables = statements(tb_regions, fx)
    n_regions = regional["region"].nunique()
    info["setup_seconds"] = float((params.setup_median * rng.lognormal(0, params.time_sigma, n_regions)).sum())
    info["review_seconds"] = float(params.review_median * rng.lognormal(0, params.time_sigma))
    return tables, info
