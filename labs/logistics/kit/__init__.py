"""The student toolkit of the logistics lab: read a case, evaluate a plan on it, replay a plan
at time-of-day speeds, draw route maps, vehicle timelines and the trips' speed profile. The
only part of the lab importable inside the sandbox; it never imports the reference optimiser
or the dispatcher."""

from labs.logistics.kit.evaluate import evaluate, mean_time_to_serve, schedule, validate
from labs.logistics.kit.instance import (
    Instance,
    case_id,
    distance_matrix,
    load_instance,
    load_trips,
    read_instance,
    travel_matrix,
)
from labs.logistics.kit.plan import Plan, plan_json
from labs.logistics.kit.plots import route_map, timeline, trips_profile
from labs.logistics.kit.replay import replay, replay_metrics
from workbench.exercise import checker

check = checker("logistics")
"""Run one step's public checks in your notebook: ``check("speeds")``."""

__all__ = [
    "Instance",
    "Plan",
    "case_id",
    "check",
    "distance_matrix",
    "evaluate",
    "load_instance",
    "load_trips",
    "mean_time_to_serve",
    "plan_json",
    "read_instance",
    "replay",
    "replay_metrics",
    "route_map",
    "schedule",
    "timeline",
    "travel_matrix",
    "trips_profile",
    "validate",
]
