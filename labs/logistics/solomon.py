"""Solomon and Gehring–Homberger VRPTW text instances, their best-known solutions, and cases
made from them.

Format (both sets)::

    C101
    VEHICLE
    NUMBER     CAPACITY
      25         200
    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME
        0      40         50          0          0       1236          0
        1      45         68         10        912        967         90

Node 0 is the depot (its due date is the horizon); travel time = Euclidean distance.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import pandas as pd

from labs.logistics.instance import CUSTOMER_COLUMNS, CUSTOMERS_FILE, FLEET_FILE, Instance
from workbench.lab import Case, dump_json, write_case_meta

SLUG = "logistics"


def read_solomon(path: str | Path) -> Instance:
    """Read a Solomon / Gehring–Homberger instance (speed 1: minutes = distance units)."""
    path = Path(path)
    lines = [ln.split() for ln in path.read_text(encoding="utf-8").splitlines()]
    lines = [ln for ln in lines if ln]
    try:
        at = next(i for i, ln in enumerate(lines) if ln[0].upper() == "VEHICLE")
        vehicles, capacity = int(lines[at + 2][0]), int(lines[at + 2][1])
        rows = [[float(v) for v in ln] for ln in lines[at + 3:]
                if len(ln) == 7 and ln[0].isdigit()]
    except (StopIteration, IndexError, ValueError) as exc:
        raise ValueError(f"{path}: not a Solomon-format VRPTW instance ({exc})") from None
    if len(rows) < 2 or rows[0][0] != 0:
        raise ValueError(f"{path}: expected the depot (node 0) and at least one customer")
    table = pd.DataFrame(rows, columns=list(CUSTOMER_COLUMNS))
    depot, customers = table.iloc[0], table.iloc[1:].reset_index(drop=True)
    customers = customers.astype({"id": int, "demand": int})
    return Instance(customers=customers, depot_x=float(depot["x"]), depot_y=float(depot["y"]),
                    vehicles=vehicles, capacity=capacity, shift_start=float(depot["ready"]),
                    shift_end=float(depot["due"]), speed_km_per_min=1.0, name=lines[0][0])


def read_bks(path: str | Path) -> pd.DataFrame:
    """Best-known solutions, indexed by instance name, with ``bks_vehicles``/``bks_distance``
    (hierarchical objective: fewest vehicles, then distance)."""
    table = pd.read_csv(path)
    missing = {"instance", "bks_vehicles", "bks_distance"} - set(table.columns)
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    return table.set_index("instance")


def write_instance(inst: Instance, public: Path) -> None:
    """Write ``customers.csv`` and ``fleet.json`` (the public files of a case)."""
    public.mkdir(parents=True, exist_ok=True)
    inst.customers.loc[:, list(CUSTOMER_COLUMNS)].to_csv(public / CUSTOMERS_FILE, index=False,
                                                         lineterminator="\n")
    dump_json(inst.fleet_dict(), public / FLEET_FILE)


def case_from_solomon(path: str | Path, out: Path) -> Case:
    """A case made from a benchmark instance, so a real instance can be used in class."""
    inst = read_solomon(path)
    size = "class" if inst.n <= 200 else "large"
    # a stable pseudo-seed from the instance name keeps case ids distinct and reproducible
    seed = zlib.crc32(f"solomon:{inst.name}".encode())
    case = write_case_meta(Path(out), SLUG, seed, size, source=f"benchmark {inst.name}",
                           customers=inst.n, title=f"Benchmark instance {inst.name}",
                           files=[CUSTOMERS_FILE, FLEET_FILE])
    write_instance(inst, case.public)
    dump_json({"instance": inst.name, "source_file": Path(path).name},
              case.private / "source.json")
    return case
