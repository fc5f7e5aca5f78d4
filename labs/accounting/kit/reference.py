"""The public reference tables of a case: regions, group chart, account map, FX rates,
holidays, and the period (``case.json``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass
class Reference:
    """The public reference tables of a case (``public/reference/*.csv`` and ``case.json``)."""

    regions: pd.DataFrame  # region, name, name_zh, currency, file, approval_limit
    account_map: pd.DataFrame  # region, local_account, local_name, group_account (all text)
    fx: pd.DataFrame  # indexed by currency: closing_rate, average_rate, historical_rate
    holidays: pd.DataFrame  # region, date
    start: str
    end: str
    group_chart: pd.DataFrame | None = None  # account, name, name_zh, type

    @classmethod
    def load(cls, public: str | Path) -> Reference:
        public = Path(public)
        ref = public / "reference"
        meta = json.loads((public / "case.json").read_text(encoding="utf-8"))
        chart = ref / "group_chart.csv"
        return cls(
            regions=pd.read_csv(ref / "regions.csv", dtype={"region": str}),
            account_map=pd.read_csv(ref / "account_map.csv", dtype=str),
            fx=pd.read_csv(ref / "fx_rates.csv").set_index("currency"),
            holidays=pd.read_csv(ref / "holidays.csv", dtype=str),
            start=meta["period_start"],
            end=meta["period_end"],
            group_chart=pd.read_csv(chart, dtype=str) if chart.is_file() else None,
        )

    @property
    def currency(self) -> dict[str, str]:
        """Region code -> currency code."""
        return dict(zip(self.regions["region"], self.regions["currency"], strict=True))

    @property
    def account_type(self) -> dict[str, str]:
        """Group account -> asset, liability, equity, revenue or expense."""
        if self.group_chart is None:
            return {}
        return dict(zip(self.group_chart["account"], self.group_chart["type"], strict=True))

    def inbox(self, public: str | Path) -> dict[str, Path]:
        """Region code -> path of its export in ``public/inbox``."""
        return {r.region: Path(public) / "inbox" / r.file for r in self.regions.itertuples()}
