"""The rubric orders plans of known quality and cannot be gamed (issue 11, acceptance 4).

Measured on the class case of seed 0 with the lab's own grading reference (traffic-aware PyVRP,
2,500 iterations): plans of increasing quality grade in increasing order, a plan a few per
cent worse than the reference stays below 95, and plans that trade one criterion for another
(optimising only the planning model, more vans for punctuality) never score above the
reference.
"""

from __future__ import annotations

import pytest

from labs.logistics import LAB
from labs.logistics.baseline import deadline_dispatcher, dispatcher, nearest_neighbour
from labs.logistics.instance import load_instance
from labs.logistics.reference import solve
from labs.logistics.submission import Plan
from workbench.exercise import outcome_points
from workbench.grading.grade import grade, references


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    case = LAB.make_case(0, "class", out=tmp_path_factory.mktemp("grading") / "case")
    inst = load_instance(case)
    refs = references(LAB, case)

    def score(plan: Plan) -> float:
        """The outcome in % (a plan file earns the outcome points; steps need code)."""
        report = grade(LAB, case, plan, refs=refs)
        assert report.valid, report.problems
        return 100 * report.score / outcome_points(LAB)

    return case, inst, refs, score


def _split(plan: Plan, vehicles: list[str]) -> Plan:
    """Every route cut in two halves driven by two vans (same order, more slack)."""
    halves = [
        part
        for stops in plan.used().values()
        for part in (stops[: len(stops) // 2], stops[len(stops) // 2 :])
        if part
    ]
    return Plan(dict(zip(vehicles, halves, strict=False)))


def test_ladder_of_known_quality_grades_in_order(graded):
    case, inst, refs, score = graded
    ladder = {
        "naive nearest neighbour": nearest_neighbour(inst),
        "dispatcher (control class)": dispatcher(inst),
        "PyVRP, 30 iterations": solve(inst, seed=1, max_iterations=30),
        "PyVRP, 300 iterations": solve(inst, seed=1, max_iterations=300),
        "reference": LAB.reference(case),
    }
    scores = {name: score(plan) for name, plan in ladder.items()}
    values = list(scores.values())
    assert values == sorted(values) and len(set(values)) == len(values), scores
    assert scores["reference"] == pytest.approx(100.0)
    assert scores["PyVRP, 30 iterations"] < 95, scores
    print({name: round(v, 1) for name, v in scores.items()})


def test_deadline_dispatcher_scores_below_the_dispatcher(graded):
    case, inst, refs, score = graded
    assert score(deadline_dispatcher(inst)) < score(dispatcher(inst))


def test_no_plan_beats_the_reference_by_trading_criteria(graded):
    case, inst, refs, score = graded
    reference = LAB.reference(case)
    gamed = {
        # the planning model only: rush hours ignored, the same search budget
        "planning model only": solve(inst, seed=0, max_iterations=2500),
        # twice the vans for slack in real traffic
        "routes split in two": _split(reference, inst.vehicle_ids()),
        # the reference's routes, each driven backwards
        "routes reversed": Plan({v: tuple(reversed(r)) for v, r in reference.routes.items()}),
    }
    for name, plan in gamed.items():
        report = grade(LAB, case, plan, refs=refs)
        assert report.score <= outcome_points(LAB) + 1e-9, (name, report.score)


def test_two_percent_worse_than_the_reference_scores_below_95(graded):
    """The top of the scale is spread: metrics 2 % worse than the reference's on every
    continuous criterion (same vans) earn less than 95 % of the outcome (about 90 % here)."""
    from workbench.grading.grade import criterion_fraction

    case, inst, refs, score = graded
    earned = 0.0
    for metric in (m for m in LAB.metrics if m.weight > 0):
        ref = refs.reference_metrics[metric.name]
        value = ref if metric.name == "load_factor" else ref * 1.02
        fraction, _ = criterion_fraction(metric, value, refs.baseline_metrics[metric.name], ref)
        earned += metric.weight * fraction
    total = sum(m.weight for m in LAB.metrics)
    print(f"2 % worse: {100 * earned / total:.1f} %")
    assert 100 * earned / total < 95, earned
