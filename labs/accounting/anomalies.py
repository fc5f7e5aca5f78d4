"""Planted anomalies, one builder per type, each tied to the audit test that should catch it.

=================== ========================================================================
type                audit standard / practice
=================== ========================================================================
rare_pair           seldom-used or unrelated debit-credit pairs (AS 2401.61(a))
unusual_poster      people who do not usually post, system user posting by hand (61(b))
period_end_no_desc  period-end or post-closing entries without description (61(c))
round_amount        round amounts (61(e))
below_limit         amounts at 95-99.99 % of the approval limit (practice)
split_invoice       one invoice split into parts below the limit (practice)
duplicate           exact and fuzzy duplicates (IDEA / ACL duplicate tests)
weekend_holiday     postings on weekends and public holidays (practice)
benford             fabricated amounts breaking Benford's law in one region (Nigrini)
=================== ========================================================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from labs.accounting.chart import RARE_PAIRS, TEMPLATES, UNUSUAL_USERS, Region
from labs.accounting.ledger import ENTRY_COLUMNS, Period, posted_after, routine_entries

ANOMALY_TYPES = ("rare_pair", "unusual_poster", "period_end_no_desc", "round_amount",
                 "below_limit", "split_invoice", "duplicate", "weekend_holiday", "benford")
_BY_NAME = {t.name: t for t in TEMPLATES}
_MANUAL = tuple(t for t in TEMPLATES if not t.system)


class Planter:
    """Builds ``n`` anomalies of a type for one region, given its routine entries."""

    def __init__(self, rng: np.random.Generator, region: Region, period: Period, rate: float,
                 users: tuple[list[str], np.ndarray], routine: pd.DataFrame):
        self.rng, self.region, self.period, self.rate = rng, region, period, rate
        self.users, self.routine = users, routine

    def _base(self, n: int, names: tuple[str, ...] | None = None) -> pd.DataFrame:
        tps = tuple(_BY_NAME[x] for x in names) if names else _MANUAL
        return routine_entries(self.rng, self.region, n, self.period, self.rate, self.users, tps)

    def rare_pair(self, n: int) -> pd.DataFrame:
        e = self._base(n)
        pairs = [RARE_PAIRS[i] for i in self.rng.integers(0, len(RARE_PAIRS), size=n)]
        e["debit"], e["credit"] = [p[0] for p in pairs], [p[1] for p in pairs]
        e["text"] = [("调整 " if self.region.chinese else "Reclass ") + t.split()[-1] for t in e["text"]]
        return e

    def unusual_poster(self, n: int) -> pd.DataFrame:
        e = self._base(n)
        e["user"] = self.rng.choice(UNUSUAL_USERS, size=n)
        return e

    def period_end_no_desc(self, n: int) -> pd.DataFrame:
        e = self._base(n)
        e["date"] = self.period.end
        late = self.rng.random(n) < 0.5  # half posted after the books were closed
        after = np.busday_offset(self.period.close, self.rng.integers(1, 4, size=n),
                                 roll="forward", busdaycal=self.period.calendar)
        e["posted"] = np.where(late, after, np.maximum(self.period.end, e["posted"].to_numpy()))
        e["text"] = ""
        return e

    def round_amount(self, n: int) -> pd.DataFrame:
        e = self._base(n, ("sale", "purchase", "marketing", "pay"))
        unit = 10.0 ** np.floor(np.log10(self.region.limit / 5))
        e["amount"] = self.rng.integers(1, 10, size=n) * unit
        return e

    def below_limit(self, n: int) -> pd.DataFrame:
        e = self._base(n, ("purchase", "marketing", "pay", "travel"))
        share = self.rng.uniform(0.95, 0.9999, size=n)
        e["amount"] = np.round(self.region.limit * share, self.region.decimals)
        return e

    def split_invoice(self, n: int) -> pd.DataFrame:
        parts = []
        while sum(len(p) for p in parts) < n:
            total = self.region.limit * self.rng.uniform(1.2, 2.4)
            k = int(np.ceil(total / (0.85 * self.region.limit)))
            e = self._base(1, ("purchase", "marketing"))
            e = pd.concat([e] * k, ignore_index=True)
            w = 1 + self.rng.uniform(-0.08, 0.08, size=k)
            e["amount"] = np.round(total * w / w.sum(), self.region.decimals)
            e["text"] = [f"{e['text'].iloc[0]}-{chr(97 + i)}" for i in range(k)]
            parts.append(e)
        return pd.concat(parts, ignore_index=True)

    def duplicate(self, n: int) -> pd.DataFrame:
        pool = self.routine[self.routine["user"] != "SYSTEM"]
        e = pool.iloc[self.rng.choice(len(pool), size=n, replace=False)].copy()
        fuzzy = self.rng.random(n) < 0.5  # next working day, text retyped in capitals
        shifted = np.busday_offset(e["date"].to_numpy().astype("datetime64[D]"), 1, roll="forward",
                                   busdaycal=self.period.calendar)
        e["date"] = np.where(fuzzy, np.minimum(shifted, self.period.end), e["date"].to_numpy())
        e["posted"] = posted_after(self.rng, e["date"].to_numpy().astype("datetime64[D]"), self.period)
        e["text"] = [t.upper() if f else t for t, f in zip(e["text"], fuzzy, strict=True)]
        return e.reset_index(drop=True)

    def weekend_holiday(self, n: int) -> pd.DataFrame:
        e = self._base(n)
        days = self.rng.choice(self.period.offdays, size=n)
        e["date"], e["posted"] = days, days
        return e

    def benford(self, n: int) -> pd.DataFrame:
        """Invented expense claims: the inventor keeps reaching for two favourite first digits."""
        e = self._base(n, ("travel", "office", "marketing", "utilities"))
        favourite = self.rng.choice(np.arange(5, 10), size=2, replace=False)
        first = self.rng.choice(favourite, size=n)
        magnitude = 10.0 ** np.floor(np.log10(e["amount"].to_numpy()))
        e["amount"] = np.round((first + self.rng.uniform(0, 1, size=n)) * magnitude,
                               self.region.decimals)
        return e

    def plant(self, kind: str, n: int) -> pd.DataFrame:
        if n <= 0:
            return pd.DataFrame(columns=ENTRY_COLUMNS)
        e = getattr(self, kind)(n)
        e["label"] = kind
        return e[ENTRY_COLUMNS]
