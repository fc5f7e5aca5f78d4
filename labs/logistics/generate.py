"""City-like VRPTW delivery days with a table of historical trips.

A case is one delivery day in a city: customers in districts (clustered), spread out (random)
or both (mixed), a depot on the outskirts, parcels to deliver, delivery windows (open all day,
half-day or two-hour slots), service times, a fleet and a driver shift. ``trips.csv`` holds
past trips whose travel time depends on the hour of departure (rush hours), for the
"big data" exercise; the congestion profile that produced it stays private.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from labs.logistics.instance import CUSTOMERS_FILE, FLEET_FILE, TRIPS_FILE
from workbench.lab import Case, check_size, dump_json, write_case_meta

SLUG = "logistics"
LAYOUTS = ("clustered", "random", "mixed")
# customers, city side (km), trips, districts (low, high)
SIZE_PARAMS = {"tiny": (15, 8.0, 400, (2, 3)), "class": (100, 20.0, 5000, (5, 8)),
               "large": (1000, 50.0, 50000, (15, 25))}
SHIFT = (480, 1080)  # 08:00–18:00, minutes since midnight
CAPACITY = 200  # parcels per van: a full van is about one shift of work
SLOTS = (480, 600, 720, 840, 960)  # starts of the two-hour delivery slots
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
WEEKDAY_FACTOR = (1.0, 1.0, 1.0, 0.97, 0.92)  # Friday traffic is worst


def _positions(rng: np.random.Generator, n: int, side: float, layout: str,
               districts: tuple[int, int]) -> tuple[np.ndarray, list]:
    """Customer coordinates and the district centres used (km, inside [0, side]²)."""
    n_clustered = {"clustered": n, "random": 0, "mixed": n // 2}[layout]
    centres = rng.uniform(0.1 * side, 0.9 * side, size=(int(rng.integers(*districts,
                                                                          endpoint=True)), 2))
    spread = rng.uniform(0.03, 0.07) * side
    which = rng.integers(0, len(centres), size=n_clustered)
    clustered = centres[which] + rng.normal(0.0, spread, size=(n_clustered, 2))
    spread_out = rng.uniform(0.0, side, size=(n - n_clustered, 2))
    xy = np.clip(np.vstack([clustered, spread_out]), 0.0, side)
    return xy[rng.permutation(n)], np.round(centres, 2).tolist()


def _depot(rng: np.random.Generator, side: float) -> np.ndarray:
    """A distribution centre on the outskirts of the city."""
    angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(0.35, 0.5) * side
    return np.clip(side / 2 + radius * np.array([math.cos(angle), math.sin(angle)]), 0, side)


def _windows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, dict]:
    """Delivery windows before clipping: open, half-day or two-hour slot."""
    p_open, p_half = rng.uniform(0.2, 0.4), rng.uniform(0.1, 0.25)
    kind = rng.choice(3, size=n, p=[p_open, p_half, 1 - p_open - p_half])
    ready, due = np.full(n, float(SHIFT[0])), np.full(n, float(SHIFT[1]))
    afternoon = rng.random(n) < 0.5
    half = kind == 1
    ready[half & afternoon], due[half & ~afternoon] = 780.0, 720.0
    slot = kind == 2
    starts = np.asarray(SLOTS, float)[rng.integers(0, len(SLOTS), size=n)]
    ready[slot], due[slot] = starts[slot], starts[slot] + 120.0
    return ready, due, {"open": round(p_open, 3), "half_day": round(p_half, 3)}


def _congestion(rng: np.random.Generator) -> dict:
    return {"free_speed_km_per_min": round(rng.uniform(0.5, 0.6), 3),
            "morning_peak": round(rng.uniform(0.5, 0.9), 3),
            "evening_peak": round(rng.uniform(0.6, 1.0), 3),
            "midday": round(rng.uniform(0.1, 0.3), 3), "noise_sigma": 0.12}


def speed_at(profile: dict, hour: np.ndarray) -> np.ndarray:
    """Straight-line km per minute for a departure within ``hour`` (rush hours are slow)."""
    h = np.asarray(hour, float) + 0.5
    load = (profile["morning_peak"] * np.exp(-((h - 8.0) ** 2) / 2)
            + profile["evening_peak"] * np.exp(-((h - 17.5) ** 2) / 2)
            + profile["midday"] * np.exp(-((h - 12.5) ** 2) / 2))
    return profile["free_speed_km_per_min"] / (1.0 + load)


def real_speeds(profile: dict) -> np.ndarray:
    """The city's real km per minute for a departure in each hour 0–23 of an average weekday
    (what the replay of a plan drives at; private to the grader)."""
    return speed_at(profile, np.arange(24)) * float(np.mean(WEEKDAY_FACTOR))


def _trips(rng: np.random.Generator, xy: np.ndarray, rows: int, profile: dict) -> pd.DataFrame:
    """Historical trips between known places (0 = depot) with observed minutes."""
    origin = rng.integers(0, len(xy), size=rows)
    destination = (origin + rng.integers(1, len(xy), size=rows)) % len(xy)
    day = rng.integers(0, len(WEEKDAYS), size=rows)
    hour = rng.integers(7, 20, size=rows)
    km = np.hypot(*(xy[origin] - xy[destination]).T)
    speed = speed_at(profile, hour) * np.asarray(WEEKDAY_FACTOR)[day]
    minutes = km / speed * np.exp(rng.normal(0.0, profile["noise_sigma"], size=rows))
    return pd.DataFrame({"origin": origin, "destination": destination,
                         "weekday": np.asarray(WEEKDAYS)[day], "departure_hour": hour,
                         "distance_km": km.round(2), "observed_minutes": minutes.round(1)})


def _customers(rng: np.random.Generator, xy: np.ndarray, depot: np.ndarray,
               speed: float) -> tuple[pd.DataFrame, dict]:
    n = len(xy)
    demand = np.clip(np.round(rng.lognormal(math.log(6), 0.6, size=n)), 1, 40).astype(int)
    service = np.round(4 + rng.gamma(2.0, 3.0, size=n)).astype(int)
    ready, due, mix = _windows(rng, n)
    out = np.ceil(np.hypot(*(xy - depot).T) / speed)  # minutes from/to the depot
    # Every customer must be servable by a van of its own: reachable by its due time and back
    # by the end of the shift; windows that cannot be met are moved earlier, never dropped.
    due = np.minimum(np.maximum(due, SHIFT[0] + out), SHIFT[1] - service - out)
    ready = np.clip(np.minimum(ready, due - 30.0), SHIFT[0], None)
    table = pd.DataFrame({"id": np.arange(1, n + 1), "x": xy[:, 0].round(2),
                          "y": xy[:, 1].round(2), "demand": demand, "ready": ready.astype(int),
                          "due": due.astype(int), "service": service})
    return table, mix


def make_case(seed: int, size: str = "class", *, out: Path, layout: str | None = None,
              capacity: int = CAPACITY) -> Case:
    """Generate a delivery day into ``out`` (public + private); same seed → same bytes.

    ``layout`` overrides the layout drawn from the seed; ``capacity`` (parcels per van) lets
    an instructor show how the effect sizes change when vans are smaller or larger.
    """
    check_size(size)
    if capacity < 40:
        raise ValueError(f"capacity {capacity} not understood; a van carries at least 40 parcels "
                         "(the largest single delivery)")
    n, side, trip_rows, districts = SIZE_PARAMS[size]
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)]
    layout_rng, place_rng, customer_rng, trip_rng = streams
    drawn = LAYOUTS[int(layout_rng.integers(0, len(LAYOUTS)))]
    if layout is not None and layout not in LAYOUTS:
        raise ValueError(f"layout {layout!r} not understood; use one of {', '.join(LAYOUTS)}")
    layout = layout or drawn
    out = Path(out)
    case = write_case_meta(out, SLUG, seed, size, layout=layout, customers=n,
                           title=f"Delivery day ({layout}, {n} customers)",
                           files=[CUSTOMERS_FILE, FLEET_FILE, TRIPS_FILE])
    xy, centres = _positions(place_rng, n, side, layout, districts)
    depot = _depot(place_rng, side).round(2)
    profile = _congestion(trip_rng)
    in_shift = np.arange(SHIFT[0] // 60, SHIFT[1] // 60)
    speed = round(float(speed_at(profile, in_shift).mean()) * float(np.mean(WEEKDAY_FACTOR)), 3)
    customers, mix = _customers(customer_rng, xy, depot, speed)
    demand = int(customers["demand"].sum())
    fleet = {"depot_x": float(depot[0]), "depot_y": float(depot[1]), "capacity": capacity,
             "vehicles": math.ceil(3 * demand / capacity) + 2, "shift_start": SHIFT[0],
             "shift_end": SHIFT[1], "speed_km_per_min": speed}
    customers.to_csv(out / "public" / CUSTOMERS_FILE, index=False, lineterminator="\n")
    dump_json(fleet, out / "public" / FLEET_FILE)
    places = np.vstack([depot, customers[["x", "y"]].to_numpy()])
    _trips(trip_rng, places, trip_rows, profile).to_csv(
        out / "public" / TRIPS_FILE, index=False, lineterminator="\n")
    dump_json({"layout": layout, "districts": centres, "window_mix": mix,
               "congestion": profile, "city_side_km": side},
              out / "private" / "generator.json")
    return case
