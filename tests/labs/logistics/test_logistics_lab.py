"""The lab object: protocol, metrics and claims as data, figures, translations."""

from __future__ import annotations

import pytest

from labs.logistics import LAB
from labs.logistics.instance import load_instance, load_trips
from labs.logistics.plots import kpi_comparison, route_map, timeline, trips_profile
from workbench.i18n import missing_translations, reset_language, t, use_language
from workbench.lab import Lab
from workbench.testing import CHECKS


def test_is_a_lab():
    assert isinstance(LAB, Lab) and LAB.slug == "logistics"
    assert sum(m.weight for m in LAB.metrics) == 100
    assert {c.name for c in LAB.claims} == {"delivery_time", "delivery_time_customer",
                                            "vehicle_use"}


@pytest.mark.parametrize("check", [c for c in CHECKS if c.__name__ in (
    "check_determinism", "check_separation", "check_methods_are_valid_submissions",
    "check_malformed_submissions")], ids=lambda c: c.__name__)
def test_conformance(tmp_path, check):
    check(LAB, tmp_path)


def test_metrics_are_all_evaluated(tmp_path):
    case = LAB.make_case(2, "tiny", out=tmp_path)
    values = LAB.evaluate(case, LAB.baseline(case))
    assert {m.name for m in LAB.metrics} <= set(values)
    assert set(LAB.sensitivity_baselines(case)) == {"competent_dispatcher",
                                                    "deadline_dispatcher",
                                                    "naive_nearest_neighbour"}


def test_reference_is_cached_per_case(tmp_path):
    case = LAB.make_case(2, "tiny", out=tmp_path)
    assert LAB.reference(case) is LAB.reference(case)


def test_figures(tmp_path):
    case = LAB.make_case(6, "tiny", out=tmp_path)
    inst = load_instance(case)
    plans = {"baseline": LAB.baseline(case), "reference": LAB.reference(case)}
    figs = LAB.figures(case, plans)
    assert len(figs) == 5
    assert len(route_map(inst, plans["baseline"]).data) == len(plans["baseline"].used()) + 2
    gantt = timeline(inst, plans["baseline"])
    assert {tr.name for tr in gantt.data} <= {"Travel", "Wait", "Service"}
    assert len(kpi_comparison({"a": LAB.evaluate(case, plans["baseline"])}).data) == 6
    assert len(trips_profile(load_trips(case)).data) == 6  # five weekdays + all days


def test_figure_texts_have_chinese(tmp_path):
    assert not missing_translations(["Route map", "Vehicle timelines", "Key figures by method"])
    token = use_language("zh")
    try:
        assert t("Route map") == "路线图"
        case = LAB.make_case(6, "tiny", out=tmp_path)
        fig = timeline(load_instance(case), LAB.baseline(case))
        assert fig.layout.title.text == "车辆时间线"
    finally:
        reset_language(token)
