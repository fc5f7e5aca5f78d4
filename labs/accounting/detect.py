"""The reference anomaly detector: graded JET scores + Benford + IsolationForest, one risk score.

Each control point gives a score in [0, 1]; they combine as a noisy-OR,
``risk = 1 - prod(1 - w_i * s_i)``, so one strong, specific signal is enough to flag an entry
and weak signals add up. The weights say how specific each test is; they are fixed a priori,
not fitted to the planted labels. Every flagged entry carries its strongest reasons.
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
    duplicate_key,
    duplicate_keys,
    split_similarity,
)

WEIGHTS = {"rare_pair": 0.9, "unusual_user": 0.8, "period_end_no_desc": 0.9, "round_amount": 0.7,
           "below_limit": 0.8, "split_invoice": 0.8, "duplicate": 0.9, "weekend_holiday": 0.8,
           "benford": 0.6, "isolation_forest": 0.5}
FEATURES = ("log_amount", "amount_to_limit", "trailing_zeros", "day", "weekday", "lag_days",
            "text_len", "log_pair_count", "user_share", "n_lines")


@dataclass(frozen=True)
class Detector:
    """Scores journal entries; ``weights`` per control point, ``seed`` for the forest."""

    weights: dict[str, float] = field(default_factory=lambda: dict(WEIGHTS))
    seed: int = 0
    n_estimators: int = 200

    def __post_init__(self) -> None:
        bad = {k: w for k, w in self.weights.items() if not 0 <= w <= 1}
        if bad:
            raise ValueError(f"weights must lie in 0-1, got {bad}")

    def components(self, e: pd.DataFrame) -> pd.DataFrame:
        """Per-entry score of every control point, each in [0, 1]."""
        n = len(e)
        tau = max(1.0, 0.002 * n)
        blank = e["text_len"] < 3
        late = e["posted"] > e["period_end"]
        at_end = e["date"] >= e["period_end"] - pd.Timedelta(days=2)
        ratio = e["amount"] / e["limit"]
        dup = duplicate_keys(e)
        # of a duplicate group, the later document is the copy; the first is the original
        later = e[dup].groupby(duplicate_key(e))["doc"].transform(lambda s: s > s.min())
        comp = pd.DataFrame({
            "rare_pair": np.exp(-(e["pair_count"] - 1) / tau),
            "unusual_user": np.maximum(np.exp(-e["user_share"] / 0.01), e["system_odd"].astype(float)),
            "period_end_no_desc": np.where(blank, np.where(late | at_end, 1.0, 0.5), np.where(late, 0.3, 0.0)),
            "round_amount": np.clip((e["trailing_zeros"] - 1) / 3, 0, 1),
            "below_limit": np.where((ratio >= 0.95) & (ratio < 1), 1.0,
                                    np.where((ratio >= 0.9) & (ratio < 1), 0.4, 0.0)),
            "split_invoice": split_similarity(e),
            "duplicate": np.where(dup, 0.3, 0.0),
            "weekend_holiday": e["offday"].astype(float),
            "benford": self._benford(e),
            "isolation_forest": self._forest(e),
        }, index=e.index)
        comp.loc[later[later].index, "duplicate"] = 1.0
        return comp

    def _benford(self, e: pd.DataFrame) -> np.ndarray:
        bf = benford_by_region(e)
        bf = bf[bf["n"] >= BENFORD_MIN_ENTRIES]
        strength = np.clip(bf["mad"] / MAD_NONCONFORMITY, 0, 1)
        excess = np.clip(bf["observed"] / bf["expected"] - 1, 0, 1)
        score = dict(zip(zip(bf["region"], bf["digit"], strict=True), strength * excess, strict=True))
        return np.array([score.get((r, d), 0.0) for r, d in zip(e["region"], e["first_digit"],
                                                               strict=True)])

    def _forest(self, e: pd.DataFrame) -> np.ndarray:
        x = feature_matrix(e)
        forest = IsolationForest(n_estimators=self.n_estimators, random_state=self.seed)
        raw = -forest.fit(x).score_samples(x)  # higher = more isolated
        pct = pd.Series(raw).rank(pct=True).to_numpy()
        return np.clip((pct - 0.9) / 0.1, 0, 1)  # only the most isolated tenth contributes

    def score(self, e: pd.DataFrame, top: int = 50_000) -> pd.DataFrame:
        """Flags table of the ``top`` riskiest entries: entry_id, risk_score, reason (its
        strongest components first)."""
        comp = self.components(e)
        w = pd.Series(self.weights).reindex(comp.columns).fillna(0.0)
        weighted = comp * w
        risk = pd.Series(1 - np.prod(1 - weighted.to_numpy(), axis=1), index=e.index).round(6)
        order = pd.DataFrame({"entry_id": e["entry_id"], "risk": risk}).sort_values(
            ["risk", "entry_id"], ascending=[False, True]).head(top)
        reasons = [", ".join(f"{c} {v:.2f}" for c, v in weighted.loc[i].sort_values(
            ascending=False).items() if v >= 0.2) for i in order.index]
        return pd.DataFrame({"entry_id": order["entry_id"].to_numpy(),
                             "risk_score": order["risk"].to_numpy(), "reason": reasons})


def feature_matrix(e: pd.DataFrame) -> np.ndarray:
    """Engineered features of each entry for the learned component."""
    f = pd.DataFrame({
        "log_amount": np.log10(e["amount"].clip(lower=0.01)),
        "amount_to_limit": (e["amount"] / e["limit"]).clip(upper=5),
        "trailing_zeros": e["trailing_zeros"], "day": e["date"].dt.day,
        "weekday": e["date"].dt.day_of_week, "lag_days": e["lag_days"].clip(upper=30),
        "text_len": e["text_len"], "log_pair_count": np.log10(e["pair_count"]),
        "user_share": e["user_share"], "n_lines": e["n_lines"]})
    return f[list(FEATURES)].to_numpy(dtype=float)
