"""The VRPTW instance a plan is scored against, read from a case's public files.

Units: kilometres for coordinates and distances, minutes (since midnight) for every time.
Travel time between two points is the double-precision Euclidean distance divided by the
planning speed in ``fleet.json``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.lab import Case

__all__ = [
    "CUSTOMERS_FILE",
    "CUSTOMER_COLUMNS",
    "FLEET_FIELDS",
    "FLEET_FILE",
    "TRIPS_FILE",
    "Instance",
    "case_id",
    "coordinates",
    "distance_matrix",
    "load_instance",
    "load_trips",
    "read_instance",
    "travel_matrix",
]

CUSTOMER_COLUMNS = ("id", "x", "y", "demand", "ready", "due", "service")
FLEET_FIELDS = (
    "depot_x",
    "depot_y",
    "vehicles",
    "capacity",
    "shift_start",
    "shift_end",
    "speed_km_per_min",
)
CUSTOMERS_FILE = "customers.csv"
FLEET_FILE = "fleet.json"
TRIPS_FILE = "trips.csv"


@dataclass(frozen=True, eq=False)
class Instance:
    """One delivery day: customers with windows, a depot, a fleet and a shift."""

    customers: pd.DataFrame
    depot_x: float
    depot_y: float
    vehicles: int
    capacity: int
    shift_start: float
    shift_end: float
    speed_km_per_min: float = 1.0
    name: str = ""

    def __post_init__(self) -> None:
        missing = [c for c in CUSTOMER_COLUMNS if c not in self.customers.columns]
        if missing:
            raise ValueError(f"customers table lacks column(s) {', '.join(missing)}")
        ids = self.customers["id"]
        if ids.duplicated().any() or (ids <= 0).any():
            raise ValueError("customer ids must be unique positive whole numbers (0 is the depot)")
        if self.vehicles < 1 or self.capacity < 1:
            raise ValueError("the fleet needs at least one vehicle with capacity >= 1")
        if self.shift_end <= self.shift_start:
            raise ValueError("shift_end must be after shift_start")
        if self.speed_km_per_min <= 0:
            raise ValueError("speed_km_per_min must be > 0")

    @property
    def n(self) -> int:
        return len(self.customers)

    @property
    def horizon(self) -> float:
        return self.shift_end - self.shift_start

    def vehicle_ids(self) -> list[str]:
        """Fleet vehicle ids ``V01``, ``V02``, ... (wider when the fleet has 100+ vehicles)."""
        width = max(2, len(str(self.vehicles)))
        return [f"V{i:0{width}d}" for i in range(1, self.vehicles + 1)]

    def index_of(self) -> dict[int, int]:
        """Customer id → row of the travel matrix (0 is the depot)."""
        return {int(c): i + 1 for i, c in enumerate(self.customers["id"])}

    def fleet_dict(self) -> dict[str, float | int]:
        return {f: getattr(self, f) for f in FLEET_FIELDS}


def coordinates(inst: Instance) -> np.ndarray:
    """(n + 1) × 2 array: the depot first, then the customers in table order."""
    depot = np.array([[inst.depot_x, inst.depot_y]], dtype=float)
    return np.vstack([depot, inst.customers[["x", "y"]].to_numpy(dtype=float)])


def distance_matrix(inst: Instance) -> np.ndarray:
    """Euclidean distances in km (double precision), depot at index 0."""
    xy = coordinates(inst)
    return np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])


def travel_matrix(inst: Instance) -> np.ndarray:
    """Travel times in minutes: Euclidean distance / planning speed, depot at index 0."""
    return distance_matrix(inst) / inst.speed_km_per_min


def read_instance(public: Path, name: str = "") -> Instance:
    """Read ``customers.csv`` and ``fleet.json`` from a public folder."""
    customers_path, fleet_path = public / CUSTOMERS_FILE, public / FLEET_FILE
    for p in (customers_path, fleet_path):
        if not p.is_file():
            raise FileNotFoundError(f"{p} is missing; is {public} a logistics case folder?")
    customers = pd.read_csv(customers_path)
    fleet = json.loads(fleet_path.read_text(encoding="utf-8"))
    missing = [f for f in FLEET_FIELDS if f not in fleet]
    if missing:
        raise ValueError(f"{fleet_path}: missing field(s) {', '.join(missing)}")
    return Instance(
        customers=customers.loc[:, list(CUSTOMER_COLUMNS)].reset_index(drop=True),
        depot_x=float(fleet["depot_x"]),
        depot_y=float(fleet["depot_y"]),
        vehicles=int(fleet["vehicles"]),
        capacity=int(fleet["capacity"]),
        shift_start=float(fleet["shift_start"]),
        shift_end=float(fleet["shift_end"]),
        speed_km_per_min=float(fleet["speed_km_per_min"]),
        name=name or public.parent.name,
    )


def load_instance(case: Case | Path | str) -> Instance:
    """The instance of a case (a ``Case``, a case folder or its ``public`` folder)."""
    if isinstance(case, Case):
        return read_instance(case.public, case.case_id)
    root = Path(case)
    public = root if (root / CUSTOMERS_FILE).is_file() else root / "public"
    return read_instance(public)


def load_trips(case: Case | Path | str) -> pd.DataFrame | None:
    """The historical trips table of a generated case, or ``None`` (e.g. a Solomon case)."""
    root = case.public if isinstance(case, Case) else Path(case)
    path = root / TRIPS_FILE if (root / TRIPS_FILE).is_file() else root / "public" / TRIPS_FILE
    return pd.read_csv(path) if path.is_file() else None


def case_id(public: Path | str) -> str | None:
    """The case id in a public folder's ``case.json`` (write it into your plan file so that the
    grader and the lab page can tell which case it is for), or ``None``."""
    path = Path(public) / "case.json"
    if not path.is_file():
        return None
    found = json.loads(path.read_text(encoding="utf-8")).get("case_id")
    return found if isinstance(found, str) and found else None
