"""Timetable with the latest feasible departure, validation messages and metrics."""

from __future__ import annotations

import pytest

from labs.logistics.evaluate import evaluate, latest_departure, schedule, validate
from labs.logistics.instance import travel_matrix
from labs.logistics.submission import Plan


def test_latest_departure_removes_all_waiting(ok_three):
    # total waiting 15 + 8 = 23; slack to the first due time is 15 + 30 − 20 = 25 → depart 23
    assert latest_departure(ok_three, travel_matrix(ok_three), [1, 2, 3]) == pytest.approx(23)
    s = schedule(ok_three, Plan({"V01": (1, 2, 3)}))
    assert s["arrival"].tolist() == pytest.approx([28, 34, 40])
    assert s["start"].tolist() == pytest.approx([28, 34, 40])
    assert s["wait"].tolist() == pytest.approx([0, 0, 0])
    assert s["end"].tolist() == pytest.approx([30, 37, 41])
    assert s["load"].tolist() == [1, 3, 4]
    m = evaluate(ok_three, Plan({"V01": (1, 2, 3)}))
    assert m["route_duration"] == pytest.approx(24)  # 47 − 23 = 18 travel + 6 service
    assert m["travel_time"] == pytest.approx(18) and m["waiting_time"] == pytest.approx(0)


def test_latest_departure_limited_by_a_due_time(make):
    inst = make(due1=25.0)  # slack at stop 1 is now 15 + 25 − 20 = 20 < 23
    s = schedule(inst, Plan({"V01": (1, 2, 3)}))
    assert s["start"].tolist() == pytest.approx([25, 31, 40])
    assert s["wait"].tolist() == pytest.approx([0, 0, 3])
    m = evaluate(inst, Plan({"V01": (1, 2, 3)}))
    assert m["route_duration"] == pytest.approx(27) and m["waiting_time"] == pytest.approx(3)
    assert m["route_time_utilisation"] == pytest.approx(1 - 3 / 27)


def test_metrics_of_two_routes(ok_three):
    m = evaluate(ok_three, Plan({"V01": (1, 2), "V02": (3,)}))
    assert m["vehicles_used"] == 2
    assert m["load_factor"] == pytest.approx(4 / (2 * 4))
    # V01: 5 + 4 + 3 km, V02: 6 + 6 km
    assert m["distance"] == pytest.approx(24)
    assert m["shift_utilisation"] == pytest.approx((24 + 6) / (2 * 100))
    assert m["on_time_rate"] == 1.0


@pytest.mark.parametrize(("routes", "fleet", "message", "where"), [
    ({"V01": (1, 2)}, {}, "customer 3 is missing: no vehicle visits it", "customer 3"),
    ({"V01": (1, 2, 3), "V02": (2,)}, {},
     "customer 2 is repeated: visited 2 times by vehicles V01, V02", "customer 2"),
    ({"V01": (1, 2, 3, 9)}, {}, "unknown stop id 9 on vehicle V01", "vehicle V01, stop 9"),
    ({"V01": (1, 2, 0, 3)}, {}, "unknown stop id 0 on vehicle V01", "vehicle V01, stop 0"),
    ({"X7": (1, 2, 3)}, {}, "unknown vehicle X7; the fleet is V01–V02", "vehicle X7"),
    ({"V01": (1,), "V02": (2,), "V03": (3,)}, {},
     "more vehicles than the fleet: 3 routes for 2 vehicles", "the fleet"),
    ({"V01": (1, 2, 3)}, {"capacity": 3}, "capacity exceeded on vehicle V01 by 1", "vehicle V01"),
    ({"V01": (3, 1, 2)}, {}, "time window missed at stop 1 by 16.00 minutes",
     "vehicle V01, stop 1"),
    ({"V01": (1, 2, 3)}, {"shift_end": 46.0},
     "vehicle V01 returns after shift end by 1.00 minutes", "vehicle V01"),
])
def test_validation_messages(make, routes, fleet, message, where):
    problems = validate(make(**fleet), Plan(routes))
    assert any(p.message.startswith(message) and p.where == where for p in problems), \
        [str(p) for p in problems]


def test_feasible_plan_has_no_problems(ok_three):
    assert validate(ok_three, Plan({"V01": (1, 2, 3)})) == []
    assert validate(ok_three, Plan({"V01": (1, 2), "V02": (3,)})) == []


def test_problems_say_which_metrics_they_void(ok_three, make):
    [missing] = validate(ok_three, Plan({"V01": (1, 2)}))
    assert missing.affects is None  # a partial plan cannot be compared at all
    over = validate(make(capacity=3), Plan({"V01": (1, 2, 3)}))
    assert over and "load_factor" in over[0].affects


def test_long_problem_lists_are_summarised_first(tmp_path):
    """One sentence for the lot: customers not visited, late stops with the worst lateness,
    vans back late (in the student's language)."""
    from labs.logistics import LAB
    from labs.logistics.submission import Plan
    from workbench.grading.check import summarise
    from workbench.i18n import language

    case = LAB.make_case(3, "class", out=tmp_path)
    routes = {v: tuple(reversed(r)) for v, r in LAB.baseline(case).routes.items()}
    first = next(iter(routes))
    routes[first] = routes[first][: len(routes[first]) // 2]
    problems = LAB.validate(case, Plan(routes))
    [line] = summarise(LAB, problems)
    missing = sum("is missing" in p.message for p in problems)
    late = [p for p in problems if "time window missed" in p.message]
    assert line.startswith(f"{missing} customers not visited; {len(late)} late stops, worst by ")
    with language("zh"):
        assert f"{missing} 位客户未被访问" in summarise(LAB, problems)[0]
