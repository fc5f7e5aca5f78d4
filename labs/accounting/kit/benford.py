"""Benford's first-digit law and Nigrini's conformity test (mean absolute deviation).

MAD cut-offs for first digits (Nigrini): 0.006 close conformity, 0.012 acceptable, 0.015
marginal; above 0.015 nonconformity. The test needs hundreds of amounts to mean anything.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BENFORD = np.log10(1 + 1 / np.arange(1, 10))  # expected share of first digits 1..9
MAD_NONCONFORMITY = 0.015
BENFORD_MIN_ENTRIES = 500  # below this the first-digit test says nothing


def first_digits(amounts: pd.Series) -> pd.Series:
    """First significant digit (1-9) of each positive amount."""
    a = amounts.astype(float).abs().clip(lower=1e-9)
    return np.floor(a / 10 ** np.floor(np.log10(a))).astype(int).clip(1, 9)


def benford_by_region(entries: pd.DataFrame) -> pd.DataFrame:
    """First-digit shares per region, the MAD, and each digit's expected share.

    ``entries`` needs a ``region`` column and ``first_digit`` (or ``amount``)."""
    digits = entries["first_digit"] if "first_digit" in entries else first_digits(entries["amount"])
    rows = []
    for region, grp in digits.groupby(entries["region"]):
        share = grp.value_counts(normalize=True).reindex(range(1, 10), fill_value=0.0)
        mad = float(np.abs(share.to_numpy() - BENFORD).mean())
        for d in range(1, 10):
            rows.append(
                {
                    "region": region,
                    "digit": d,
                    "observed": float(share[d]),
                    "expected": float(BENFORD[d - 1]),
                    "mad": mad,
                    "n": len(grp),
                }
            )
    return pd.DataFrame(rows)
