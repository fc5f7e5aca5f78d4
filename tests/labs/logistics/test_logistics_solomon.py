"""Solomon / Gehring–Homberger readers on the real benchmark files."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.logistics import LAB
from labs.logistics.evaluate import evaluate, validate
from labs.logistics.instance import load_instance
from labs.logistics.reference import solve_raw
from labs.logistics.solomon import case_from_solomon, read_bks, read_solomon
from labs.logistics.submission import Plan

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data"


@pytest.fixture
def data() -> Path:
    if not (DATA / "solomon" / "C101.txt").is_file():
        pytest.skip("needs ../shared/data (not on a user's machine)")
    return DATA


def test_read_c101(data):
    inst = read_solomon(data / "solomon" / "C101.txt")
    assert (inst.name, inst.n, inst.vehicles, inst.capacity) == ("C101", 100, 25, 200)
    assert (inst.depot_x, inst.depot_y, inst.shift_end) == (40.0, 50.0, 1236.0)
    first = inst.customers.iloc[0]
    assert first[["id", "x", "y", "demand", "ready", "due", "service"]].tolist() == [
        1, 45, 68, 10, 912, 967, 90]


def test_read_homberger_and_bks(data):
    inst = read_solomon(data / "homberger" / "RC2_2_1.txt")
    assert inst.n == 200
    bks = read_bks(data / "solomon" / "solomon_bks.csv")
    assert len(bks) == 56 and bks.loc["C101", "bks_vehicles"] == 10


def test_solution_is_feasible_and_never_beats_the_bks(data):
    """C101's best known: 10 vehicles, 828.94. A plan our validator accepts cannot be better
    (beyond the 0.3 % by which published copies of the table differ)."""
    inst = read_solomon(data / "solomon" / "C101.txt")
    routes, feasible = solve_raw(inst, max_iterations=300, objective="distance")
    plan = Plan({f"V{k:02d}": tuple(r) for k, r in enumerate(routes, start=1)})
    assert feasible and validate(inst, plan) == []
    m = evaluate(inst, plan)
    assert m["vehicles_used"] >= 10 and m["distance"] >= 828.94 * (1 - 0.003)
    assert m["distance"] <= 828.94 * 1.02  # an easy instance: near the optimum quickly


def test_case_from_solomon(data, tmp_path):
    case = case_from_solomon(data / "solomon" / "R101.txt", tmp_path / "r101")
    inst = load_instance(case)
    assert inst.n == 100 and inst.vehicles == 25
    assert validate(inst, LAB.baseline(case)) == []


def test_not_a_solomon_file(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="not a Solomon-format"):
        read_solomon(path)


def test_naive_baseline_left_out_when_the_fleet_is_too_small(data, tmp_path):
    case = case_from_solomon(data / "solomon" / "R101.txt", tmp_path / "r101")
    # R101: the naive nearest neighbour needs 37 vans, the fleet has 25
    assert set(LAB.sensitivity_baselines(case)) == {"competent_dispatcher", "deadline_dispatcher"}
