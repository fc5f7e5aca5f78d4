"""Reproducing claims over seeds: the JSON shape, the interval and the process pool."""

from __future__ import annotations

import json

import pytest
from scipy import stats

from workbench.reproduce import mean_ci, reproduce


def test_json_shape_on_the_fake_lab(lab):
    result = reproduce([lab], seeds=3, size="tiny", progress=False)
    json.dumps(result, allow_nan=False)
    [entry] = result["labs"]
    assert entry["lab"] == "fake" and set(entry) >= {"lab", "claims", "sensitivity"}
    [claim] = entry["claims"]
    assert set(claim) == {"name", "claimed", "measured", "ci95", "holds", "values"}
    assert claim["name"] == "error_drop" and claim["claimed"] == "−50 %"
    assert len(claim["values"]) == 3 and claim["holds"] is True
    assert claim["measured"] == pytest.approx(sum(claim["values"]) / 3)
    low, high = claim["ci95"]
    assert low < claim["measured"] < high
    [row] = entry["sensitivity"]["zeros"]
    assert set(row) == {"name", "measured", "ci95"} and row["name"] == "error_drop"


def test_process_pool_gives_the_same_numbers(lab):
    one = reproduce([lab], seeds=2, size="tiny", progress=False)
    two = reproduce([lab], seeds=2, size="tiny", workers=2, progress=False)
    assert one == two


def test_mean_ci_is_the_student_t_interval():
    values = [1.0, 2.0, 4.0]
    mean, (low, high) = mean_ci(values)
    half = stats.t.ppf(0.975, 2) * stats.sem(values)
    assert mean == pytest.approx(7 / 3)
    assert (low, high) == pytest.approx((mean - half, mean + half))
    assert mean_ci([3.0]) == (3.0, None)
    assert mean_ci([2.0, 2.0]) == (2.0, (2.0, 2.0))


def test_bad_arguments(lab):
    with pytest.raises(ValueError, match="seeds=0"):
        reproduce([lab], seeds=0, progress=False)
    with pytest.raises(ValueError, match="size 'huge'"):
        reproduce([lab], size="huge", progress=False)
