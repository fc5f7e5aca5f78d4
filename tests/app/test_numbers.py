"""Numbers as people read them, in both languages (issue 12)."""

from __future__ import annotations

from workbench.i18n import date_text, language, metric_value, money, number, percent, points
from workbench.lab import Metric


def test_points_say_the_bonus_instead_of_a_score_above_the_maximum():
    with language("en"):
        assert points(100.7, 100) == "100.0 / 100 +0.7 bonus"
        assert points(59.3, 100) == "59.3 / 100"
    with language("zh"):
        assert points(30.1, 30) == "30.0 / 30 +0.1 加分"


def test_shares_money_dates_and_big_numbers():
    with language("en"):
        assert percent(0.008151, 2) == "0.82%"
        assert number(40951616.47) == "40,951,616.5"
        assert money(40951616.47) == "CN¥40,951,616.47"
        assert number(float("nan")) == "—"
    assert date_text("2024-03-01 00:00:00") == "2024-03-01"
    assert date_text("2024-03-01 08:30:00") == "2024-03-01 08:30"


def test_metric_values_as_shares_or_numbers():
    rate = Metric("expected_defect_rate", "", False, 20, "Expected defect rate")
    auc = Metric("pr_auc", "", True, 25, "PR-AUC")
    minutes = Metric("route_duration", "min", False, 40, "Route duration")
    with language("en"):
        assert metric_value(rate, 0.008151) == "0.82%"
        assert metric_value(auc, 0.8123) == "0.812"
        assert metric_value(minutes, 4321.26) == "4,321.3"
        assert metric_value(minutes, None) == "—"
