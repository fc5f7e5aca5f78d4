"""A delivery plan: vehicle id → the customer ids it visits, in order (the depot not listed)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Plan", "plan_json"]


@dataclass(frozen=True)
class Plan:
    """Routes by vehicle id; each route lists customer ids in visiting order (no depot)."""

    routes: dict[str, tuple[int, ...]]

    def used(self) -> dict[str, tuple[int, ...]]:
        """The routes that visit at least one customer."""
        return {v: r for v, r in self.routes.items() if r}

    @classmethod
    def from_routes(cls, routes: list[list[int]], vehicles: list[str]) -> Plan:
        """Number routes (lists of customer ids) with the fleet's vehicle ids, in order."""
        if len(routes) > len(vehicles):
            raise ValueError(f"{len(routes)} routes but only {len(vehicles)} vehicles")
        return cls({v: tuple(int(s) for s in r) for v, r in zip(vehicles, routes, strict=False)})


def plan_json(plan: Plan, path: str | Path, case_id: str | None = None) -> Path:
    """Write ``plan`` as the plan.json a student hands in; ``case_id`` (see
    ``kit.case_id(public_dir)``) names the case it is for."""
    path = Path(path)
    data: dict = {"case_id": case_id} if case_id else {}
    data["routes"] = [{"vehicle": v, "stops": [int(s) for s in r]} for v, r in plan.routes.items()]
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return path
