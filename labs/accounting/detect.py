"""The reference anomaly detector: the JET rules plus two control points they lack, one score.

The control class (``jet.rank_by_rules``) weights each yes/no rule by the rarity of a hit and
uses Benford's test only to point at a region. The detector keeps those rules and weights and
adds what analytics software adds on top of them:

* ``benford_digit``: Benford's drill-down to the entry (as MindBridge's Benford control point
  does): in a nonconforming region, an entry scores by how over-represented its first digit is
  (region MAD / 0.015, capped at 1, times the digit's excess over Benford, capped at 1);
* ``isolation_forest``: an IsolationForest on ten engineered features (amount, amount against
  its account pair, amount to limit, round digits, day, weekday, posting lag, description
  length, pair frequency, user share); only the most isolated tenth contributes.

Every control point is weighted by its self-information on this ledger, ``-ln(mean score)``
(the same rarity weighting as the control class), and ``risk = sum(w * s) / sum(w)``
(MindBridge: ``sum(score * weight) / sum(weights)``). Nothing is fitted to the planted labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

from labs.accounting.jet import (
    BENFORD_MIN_ENTRIES,
    MAD_NONCONFORMITY,
    benford_by_region,
    jet_rules,
)

EXTRA_POINTS = ("benford_digit", "isolation_forest")
FEATURES = (
    "log_amount",
    "amount_in_pair",
    "amount_to_limit",
    "trailing_zeros",
    "day",
    "weekday",
    "lag_days",
    "text_len",
    "log_pair_count",
    "user_share",
)


@dataclass(frozen=True)
class Detector:
    """Scores journal entries.

    ``weights`` fixes the weight of named control points (the others keep their rarity
    weight); ``seed`` and ``n_estimators`` are the forest's.
    """

    weights: dict[str, float] = field(default_factory=dict)
    seed: int = 0
    n_estimators: int = 200

    def __post_init__(self) -> None:
        bad = {k: w for k, w in self.weights.items() if not (np.isfinite(w) and w >= 0)}
        if bad:
            raise ValueError(f"weights must be finite numbers >= 0, got {bad}")

    def components(self, e: pd.DataFrame) -> pd.DataFrame:
        """Per-entry score of every control point, each in [0, 1]."""
        comp = jet_rules(e).astype(float)
        comp["benford_digit"] = self._benford(e)
        comp["isolation_forest"] = self._forest(e)
        return comp

    def control_weights(self, comp: pd.DataFrame) -> pd.Series:
        """Self-information of each control point, ``-ln(mean score)``, unless fixed."""
        mean = comp.mean().clip(lower=1 / max(1, len(comp)), upper=1.0)
        w = -np.log(mean)
        for name, value in self.weights.items():
            if name in w.index:
                w[name] = value
        return w

    def contributions(self, e: pd.DataFrame) -> pd.DataFrame:
        """Each control point's share of each entry's risk (rows sum to the risk)."""
        comp = self.components(e)
        w = self.control_weights(comp)
        return comp.mul(w, axis=1) / max(float(w.sum()), 1e-12)

    def _benford(self, e: pd.DataFrame) -> np.ndarray:
        bf = benford_by_region(e)
        bf = bf[(bf["n"] >= BENFORD_MIN_ENTRIES) & (bf["mad"] > MAD_NONCONFORMITY)]
        strength = np.clip(bf["mad"] / MAD_NONCONFORMITY, 0, 1)
        excess = np.clip(bf["observed"] / bf["expected"] - 1, 0, 1)
        score = dict(
            zip(zip(bf["region"], bf["digit"], strict=True), strength * excess, strict=True)
        )
        return np.array(
            [score.get((r, d), 0.0) for r, d in zip(e["region"], e["first_digit"], strict=True)]
        )

    def _forest(self, e: pd.DataFrame) -> np.ndarray:
        x = feature_matrix(e)
        forest = IsolationForest(n_estimators=self.n_estimators, random_state=self.seed)
        raw = -forest.fit(x).score_samples(x)  # higher = more isolated
        pct = pd.Series(raw).rank(pct=True).to_numpy()
        return np.clip((pct - 0.9) / 0.1, 0, 1)  # only the most isolated tenth contributes

    def score(self, e: pd.DataFrame, top: int = 50_000) -> pd.DataFrame:
        """Flags table of the ``top`` riskiest entries: entry_id, risk_score, reason (its
        strongest control points first)."""
        parts = self.contributions(e)
        risk = parts.sum(axis=1).round(6)
        order = (
            pd.DataFrame({"entry_id": e["entry_id"], "risk": risk})
            .sort_values(["risk", "entry_id"], ascending=[False, True])
            .head(top)
        )
        order = order[order["risk"] > 0]
        reasons = [
            ", ".join(
                f"{c} {v:.2f}"
                for c, v in parts.loc[i].sort_values(ascending=False).items()
                if v >= 0.005
            )
            for i in order.index
        ]
        return pd.DataFrame(
            {
                "entry_id": order["entry_id"].to_numpy(),
                "risk_score": order["risk"].to_numpy(),
                "reason": reasons,
            }
        )


def feature_matrix(e: pd.DataFrame) -> np.ndarray:
    """Engineered features of each entry for the learned component."""
    log_amount = np.log10(e["amount"].clip(lower=0.01))
    by_pair = log_amount.groupby([e["region"], e["pair"]])
    spread = by_pair.transform("std").fillna(0.0).clip(lower=0.1)
    f = pd.DataFrame(
        {
            "log_amount": log_amount,
            "amount_in_pair": ((log_amount - by_pair.transform("median")) / spread).clip(-6, 6),
            "amount_to_limit": (e["amount"] / e["limit"]).clip(upper=5),
            "trailing_zeros": e["trailing_zeros"],
            "day": e["date"].dt.day,
            "weekday": e["date"].dt.day_of_week,
            "lag_days": e["lag_days"].clip(upper=30),
            "text_len": e["text_len"],
            "log_pair_count": np.log10(e["pair_count"]),
            "user_share": e["user_share"],
        }
    )
    return f[list(FEATURES)].to_numpy(dtype=float)
