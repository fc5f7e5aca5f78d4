"""Baselines and the reference: always feasible; the reference beats the dispatcher."""

from __future__ import annotations

import pytest

from labs.logistics.baseline import (
    deadline_dispatcher,
    dispatcher,
    nearest_neighbour,
    time_aware_nearest_neighbour,
)
from labs.logistics.evaluate import evaluate, validate
from labs.logistics.generate import make_case
from labs.logistics.instance import load_instance
from labs.logistics.reference import Budget, solve

BASELINES = [dispatcher, deadline_dispatcher, nearest_neighbour, time_aware_nearest_neighbour]


@pytest.mark.parametrize("method", BASELINES)
@pytest.mark.parametrize(("seed", "size"), [(0, "tiny"), (1, "tiny"), (2, "class"),
                                            (3, "class"), (4, "large")])
def test_baselines_are_feasible(tmp_path, method, seed, size):
    inst = load_instance(make_case(seed, size, out=tmp_path))
    assert validate(inst, method(inst)) == []


def test_baselines_fill_the_three_customer_case(ok_three):
    for method in BASELINES:
        plan = method(ok_three)
        assert validate(ok_three, plan) == [] and sorted(sum(plan.routes.values(), ())) == [1, 2, 3]


def test_dispatcher_beats_naive_nearest_neighbour(tmp_path):
    """The control class is an experienced dispatcher: on at least 9 of the 10 class days of
    seeds 0–9 it drives less (km) and for less time (route duration) than naive nearest
    neighbour, and it never needs more vans."""
    wins = []
    for seed in range(10):
        inst = load_instance(make_case(seed, "class", out=tmp_path / str(seed)))
        ours, naive = evaluate(inst, dispatcher(inst)), evaluate(inst, nearest_neighbour(inst))
        assert ours["vehicles_used"] <= naive["vehicles_used"]
        wins.append(ours["route_duration"] < naive["route_duration"]
                    and ours["distance"] < naive["distance"])
    assert sum(wins) >= 9, wins


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_reference_is_feasible_and_better_on_tiny(tmp_path, seed):
    inst = load_instance(make_case(seed, "tiny", out=tmp_path))
    calls = []
    plan = solve(inst, seed=0, max_iterations=300, progress=lambda f, m: calls.append(f))
    assert validate(inst, plan) == []
    ref, base = evaluate(inst, plan), evaluate(inst, dispatcher(inst))
    assert ref["route_duration"] <= base["route_duration"]
    assert ref["vehicles_used"] <= base["vehicles_used"]
    assert calls and calls[-1] == 1.0 and calls == sorted(calls)


def test_reference_is_reproducible(tmp_path):
    inst = load_instance(make_case(5, "tiny", out=tmp_path))
    assert solve(inst, seed=3, max_iterations=200) == solve(inst, seed=3, max_iterations=200)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_claims_on_class_cases(tmp_path, seed):
    """What is measured: the relative change of total route duration and of the load factor,
    optimised plan (1,000 iterations, a shorter budget than the lab's) vs the dispatcher, on
    two class-size days. The duration claim (−15 %) holds; the load factor never falls, and it
    does not rise either, because the dispatcher fills its vans by load (the declared known
    failure of the vehicle-use claim, see LAB.known_failures)."""
    inst = load_instance(make_case(seed, "class", out=tmp_path))
    ref, base = evaluate(inst, solve(inst, max_iterations=1000)), evaluate(inst, dispatcher(inst))
    change = {k: (ref[k] - base[k]) / base[k] for k in ("route_duration", "load_factor")}
    assert change["route_duration"] <= -0.15 and change["load_factor"] >= 0.0, change


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "give max_iterations, time_limit or both"),
    ({"max_iterations": -1}, "not understood"),
    ({"time_limit": -2.0}, "not understood"),
])
def test_budget_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Budget(**kwargs)


def test_fleet_minimisation_first(tmp_path):
    from labs.logistics.reference import solve_raw

    inst = load_instance(make_case(7, "tiny", out=tmp_path))
    calls = []
    routes, feasible = solve_raw(inst, max_iterations=300, fleet_share=0.5,
                                 progress=lambda f, m: calls.append(f))
    assert feasible and sorted(sum(routes, [])) == sorted(inst.customers["id"])
    assert calls == sorted(calls) and calls[-1] == 1.0
    with pytest.raises(ValueError, match="fleet_share 1.0 not understood"):
        solve_raw(inst, max_iterations=10, fleet_share=1.0)
