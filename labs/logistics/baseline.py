"""Control-class methods: how a dispatcher plans by hand, plus two sensitivity baselines.

* ``dispatcher`` — the experienced dispatcher of the case study: one zone per driver (sweep by
  angle around the depot, filled up to the van's capacity), stops in each zone ordered by
  deadline (earliest due first); stops that would be late go to extra drivers.
* ``nearest_neighbour`` — naive: always drive to the nearest customer that can still be served.
* ``time_aware_nearest_neighbour`` — competent: Solomon's (1987) nearest-neighbour rule that
  weighs distance, the time gap (including waiting) and urgency.

All three only ever build feasible routes (capacity, windows, shift end).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from labs.logistics.instance import Instance, coordinates, travel_matrix
from labs.logistics.submission import Plan

SLOT_MINUTES = 180  # a window this short is an appointment the dispatcher pins first


class FleetTooSmall(RuntimeError):
    """The method's plan needs more vehicles than the fleet has."""


@dataclass(frozen=True, eq=False)
class _Data:
    """Instance as arrays indexed by matrix row (0 = depot)."""

    tt: np.ndarray
    ready: np.ndarray
    due: np.ndarray
    service: np.ndarray
    demand: np.ndarray
    ids: np.ndarray
    start: float
    end: float
    capacity: int


def _data(inst: Instance) -> _Data:
    c = inst.customers
    col = lambda name: np.concatenate([[0.0], c[name].to_numpy(float)])  # noqa: E731
    return _Data(travel_matrix(inst), col("ready"), col("due"), col("service"), col("demand"),
                 np.concatenate([[0], c["id"].to_numpy(int)]), inst.shift_start,
                 inst.shift_end, inst.capacity)


def _starts(d: _Data, at: int, now: float, cand: np.ndarray) -> np.ndarray:
    """Service start at each candidate when leaving ``at`` at time ``now``."""
    return np.maximum(now + d.tt[at, cand], d.ready[cand])


def _feasible(d: _Data, at: int, now: float, load: float, cand: np.ndarray) -> np.ndarray:
    """Candidates that fit in the van, start by their due time and let the van return."""
    start = _starts(d, at, now, cand)
    back = start + d.service[cand] + d.tt[cand, 0]
    return (load + d.demand[cand] <= d.capacity) & (start <= d.due[cand]) & (back <= d.end)


def _to_plan(inst: Instance, d: _Data, routes: list[list[int]]) -> Plan:
    if len(routes) > inst.vehicles:
        raise FleetTooSmall(f"{inst.name or 'instance'}: the plan needs {len(routes)} vehicles "
                           f"but the fleet has {inst.vehicles}")
    return Plan({v: tuple(int(d.ids[r]) for r in route)
                 for v, route in zip(inst.vehicle_ids(), routes, strict=False)})


def _greedy(inst: Instance, choose) -> Plan:
    """Build routes one at a time; ``choose(d, at, now, cand)`` picks among feasible rows."""
    d = _data(inst)
    left = np.arange(1, len(d.ids))
    routes: list[list[int]] = []
    while left.size:
        route, at, now, load = [], 0, d.start, 0.0
        while left.size:
            cand = left[_feasible(d, at, now, load, left)]
            if not cand.size:
                break
            nxt = int(choose(d, at, now, cand))
            now = float(_starts(d, at, now, np.array([nxt]))[0] + d.service[nxt])
            at, load = nxt, load + d.demand[nxt]
            route.append(nxt)
            left = left[left != nxt]
        if not route:
            raise RuntimeError(f"customer {int(d.ids[left[0]])} cannot be served even by a van "
                               "of its own (window, capacity or shift too tight)")
        routes.append(route)
    return _to_plan(inst, d, routes)


def nearest_neighbour(inst: Instance) -> Plan:
    """Naive: drive to the nearest customer that can still be served (waiting ignored)."""
    return _greedy(inst, lambda d, at, now, cand: cand[np.argmin(d.tt[at, cand])])


def time_aware_nearest_neighbour(inst: Instance, weights: tuple[float, float, float] = (
        0.4, 0.4, 0.2)) -> Plan:
    """Competent: Solomon's NN rule, cost = w1·travel + w2·time gap + w3·urgency."""
    w1, w2, w3 = weights

    def choose(d: _Data, at: int, now: float, cand: np.ndarray) -> int:
        arrival = now + d.tt[at, cand]
        gap = np.maximum(arrival, d.ready[cand]) - now  # travel + waiting
        urgency = d.due[cand] - arrival
        return cand[np.argmin(w1 * d.tt[at, cand] + w2 * gap + w3 * urgency)]

    return _greedy(inst, choose)


def _sweep_zones(inst: Instance, d: _Data) -> list[list[int]]:
    """Customers by angle around the depot, cut into zones that fill one van each."""
    xy = coordinates(inst)
    angle = np.arctan2(xy[1:, 1] - xy[0, 1], xy[1:, 0] - xy[0, 0])
    order = np.argsort(angle, kind="stable") + 1
    # start the sweep after the widest empty sector, as one would on a paper map
    gaps = np.diff(np.concatenate([angle[order - 1], [angle[order[0] - 1] + 2 * np.pi]]))
    order = np.roll(order, -(int(np.argmax(gaps)) + 1))
    zones, zone, load = [], [], 0.0
    for r in order:
        if load + d.demand[r] > d.capacity:
            zones.append(zone)
            zone, load = [], 0.0
        zone.append(int(r))
        load += d.demand[r]
    return zones + [zone] if zone else zones


def _by_deadline(d: _Data, stops: list[int]) -> tuple[list[int], list[int]]:
    """Visit ``stops`` by earliest due time; stops that would be late are left over."""
    route, left, at, now, load = [], [], 0, d.start, 0.0
    for r in sorted(stops, key=lambda r: (d.due[r], d.ready[r], r)):
        if _feasible(d, at, now, load, np.array([r]))[0]:
            now = float(max(now + d.tt[at, r], d.ready[r]) + d.service[r])
            at, load = r, load + d.demand[r]
            route.append(r)
        else:
            left.append(r)
    return route, left


def _zoned(inst: Instance, build, *, hand_over: bool) -> Plan:
    """One route per sweep zone built by ``build(d, stops)`` (the route and the stops it could
    not take). Left-over stops are handed to the driver whose route they lengthen least
    (``hand_over``), and what still does not fit goes to extra drivers."""
    d = _data(inst)
    routes: list[list[int]] = []
    leftovers: list[int] = []
    for zone in _sweep_zones(inst, d):
        route, left = build(d, zone)
        routes.append(route)
        leftovers += left
    if hand_over:
        leftovers = [r for r in leftovers if not _hand_over(d, routes, r)]
    while leftovers:
        route, leftovers = build(d, leftovers)
        if not route:
            raise RuntimeError(f"customer {int(d.ids[leftovers[0]])} cannot be served even by "
                               "a van of its own (window, capacity or shift too tight)")
        routes.append(route)
    return _to_plan(inst, d, [r for r in routes if r])


def deadline_dispatcher(inst: Instance) -> Plan:
    """Sensitivity baseline: sweep zones, each visited in earliest-deadline order (vans
    zig-zag across their zone); extra drivers for the stops that do not fit."""
    return _zoned(inst, _by_deadline, hand_over=False)


def _route_fits(d: _Data, route: list[int]) -> bool:
    """Capacity, every window and the shift end, leaving the depot at the shift start."""
    if d.demand[route].sum() > d.capacity:
        return False
    now, at = d.start, 0
    for r in route:
        now = max(now + d.tt[at, r], d.ready[r])
        if now > d.due[r]:
            return False
        now, at = now + d.service[r], r
    return now + d.tt[at, 0] <= d.end


def _cheapest_insertion(d: _Data, route: list[int], r: int) -> tuple[float, int] | None:
    """(added travel minutes, position) of the cheapest feasible place for ``r``."""
    path = [0, *route, 0]
    best = None
    for p in range(len(route) + 1):
        a, b = path[p], path[p + 1]
        added = d.tt[a, r] + d.tt[r, b] - d.tt[a, b]
        if (best is None or added < best[0]) and _route_fits(d, route[:p] + [r] + route[p:]):
            best = (float(added), p)
    return best


def _hand_over(d: _Data, routes: list[list[int]], r: int) -> bool:
    """Insert ``r`` where it lengthens an existing route least; False if it fits nowhere."""
    offers = [(place, k) for k, route in enumerate(routes)
              if (place := _cheapest_insertion(d, route, r)) is not None]
    if not offers:
        return False
    (_, p), k = min(offers)
    routes[k].insert(p, r)
    return True


def _by_insertion(d: _Data, stops: list[int]) -> tuple[list[int], list[int]]:
    """Draw a zone's route on the map: first the appointments (windows of at most three
    hours), then the other stops, each group from the farthest in; every stop goes where it
    lengthens the drive least without making anyone late. The rest are left over."""
    route: list[int] = []
    left = []
    for r in sorted(stops, key=lambda r: (d.due[r] - d.ready[r] > SLOT_MINUTES, -d.tt[0, r], r)):
        place = _cheapest_insertion(d, route, r)
        if place is None:
            left.append(r)
        else:
            route.insert(place[1], r)
    return route, left


def dispatcher(inst: Instance) -> Plan:
    """The experienced dispatcher: one sweep zone per van (filled by load), each zone's route
    drawn geographically around the tightest windows (cheapest feasible insertion); stops
    that fit nowhere go to a neighbouring driver or, failing that, to an extra driver."""
    return _zoned(inst, _by_insertion, hand_over=True)
