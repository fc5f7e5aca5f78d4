"""Generated delivery days: determinism, sizes, layouts, public/private split, trips."""

from __future__ import annotations

import filecmp

import numpy as np
import pytest

from labs.logistics.generate import LAYOUTS, make_case
from labs.logistics.instance import load_instance, load_trips, travel_matrix


def test_same_seed_same_bytes(tmp_path):
    a, b = make_case(11, "tiny", out=tmp_path / "a"), make_case(11, "tiny", out=tmp_path / "b")
    for path in sorted(p.relative_to(a.root) for p in a.root.rglob("*") if p.is_file()):
        assert filecmp.cmp(a.root / path, b.root / path, shallow=False), path
    c = make_case(12, "tiny", out=tmp_path / "c")
    assert (a.public / "customers.csv").read_bytes() != (c.public / "customers.csv").read_bytes()


@pytest.mark.parametrize(("size", "customers"), [("tiny", 15), ("class", 100), ("large", 1000)])
def test_sizes(tmp_path, size, customers):
    inst = load_instance(make_case(1, size, out=tmp_path / size))
    assert inst.n == customers
    assert inst.customers["demand"].sum() <= inst.vehicles * inst.capacity


@pytest.mark.parametrize("layout", LAYOUTS)
def test_layout_keyword_and_public_files(tmp_path, layout):
    case = make_case(4, "tiny", out=tmp_path, layout=layout)
    assert case.info["layout"] == layout
    assert {p.name for p in case.public.iterdir()} == {
        "case.json", "customers.csv", "fleet.json", "trips.csv"}
    assert "congestion" in (case.private / "generator.json").read_text(encoding="utf-8")


def test_every_customer_can_be_served_alone(tmp_path):
    inst = load_instance(make_case(2, "class", out=tmp_path))
    tt = travel_matrix(inst)[0, 1:]
    c = inst.customers
    start = np.maximum(inst.shift_start + tt, c["ready"])
    assert (start <= c["due"]).all() and (c["ready"] < c["due"]).all()
    assert (start + c["service"] + tt <= inst.shift_end).all()
    assert (c["demand"] <= inst.capacity).all()


def test_trips_show_rush_hours(tmp_path):
    trips = load_trips(make_case(3, "class", out=tmp_path))
    assert list(trips.columns) == ["origin", "destination", "weekday", "departure_hour",
                                   "distance_km", "observed_minutes"]
    kmh = 60 * trips["distance_km"] / trips["observed_minutes"]
    by_hour = kmh.groupby(trips["departure_hour"]).median()
    assert by_hour[8] < by_hour[11] and by_hour[17] < by_hour[11]


def test_bad_arguments(tmp_path):
    with pytest.raises(ValueError, match="size 'huge' not understood"):
        make_case(1, "huge", out=tmp_path)
    with pytest.raises(ValueError, match="layout 'grid' not understood"):
        make_case(1, "tiny", out=tmp_path, layout="grid")


def test_capacity_keyword(tmp_path):
    inst = load_instance(make_case(1, "tiny", out=tmp_path / "a", capacity=120))
    assert inst.capacity == 120
    with pytest.raises(ValueError, match="capacity 10 not understood"):
        make_case(1, "tiny", out=tmp_path / "b", capacity=10)
