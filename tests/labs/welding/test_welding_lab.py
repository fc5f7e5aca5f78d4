"""The lab as a whole: methods, grading, claims data, the conformance checks that need no app."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.welding import LAB
from workbench.testing import (
    check_determinism,
    check_malformed_submissions,
    check_methods_are_valid_submissions,
    check_separation,
)


def test_metric_weights_sum_to_100():
    assert sum(m.weight for m in LAB.metrics) == 100


@pytest.mark.parametrize("check", [check_determinism, check_separation,
                                   check_methods_are_valid_submissions,
                                   check_malformed_submissions])
def test_conformance(check, tmp_path: Path):
    check(LAB, tmp_path)


def _truth(case):
    import json

    return json.loads((case.private / "batch.json").read_text())


def test_control_class_finds_where_and_blames_the_paste_lot(tiny_case, tiny_baseline):
    truth = _truth(tiny_case)["diagnosis"]
    assert tiny_baseline.diagnosis["line"] == truth["line"]
    assert tiny_baseline.diagnosis["variable"] == "paste_lot"
    (action,) = tiny_baseline.actions
    assert action.kind == "revert" and action.line == truth["line"]


def test_reference_finds_the_heater_and_repairs_it(tiny_case, tiny_reference):
    truth = _truth(tiny_case)
    assert tiny_reference.diagnosis == truth["diagnosis"]
    (action,) = tiny_reference.actions
    assert (action.kind, action.variable, action.line) == ("repair", "z7",
                                                           truth["fault"]["line"])


def test_reference_beats_baseline_and_both_grade_valid(tiny_case, tiny_baseline, tiny_reference,
                                                       tmp_path):
    from workbench.grading import grade_file

    base = grade_file(LAB, tiny_case, LAB.write_submission(tiny_baseline, tmp_path / "b.json"))
    ref = grade_file(LAB, tiny_case, LAB.write_submission(tiny_reference, tmp_path / "r.json"))
    assert base.valid and ref.valid
    assert ref.score > base.score
    m_base, m_ref = LAB.evaluate(tiny_case, tiny_baseline), LAB.evaluate(tiny_case, tiny_reference)
    assert m_ref["expected_defect_rate"] < m_base["expected_defect_rate"]
    assert m_ref["pr_auc"] > m_base["pr_auc"] and m_ref["diagnosis"] == 1.0
    assert 0 < m_ref["pr_auc_vs_bayes"] <= 1.2


def test_figures_and_sensitivity(tiny_case):
    sens = LAB.sensitivity_baselines(tiny_case)
    figs = LAB.figures(tiny_case, sens)
    assert len(figs) == 3 and all(f.to_dict()["data"] for f in figs)
    assert set(sens) == {"no action", "blanket slow-down", "slow-down of the flagged line"}


def test_no_known_failures_declared():
    assert not getattr(LAB, "known_failures", {})
    assert "under this scenario" in LAB.scenario


def test_control_class_finds_where_and_when_from_the_line_records(tiny_case):
    """p-chart, CUSUM, stratification, t-tests and chi-square on MES, AOI and shift reports:
    the fault line, its first bad shift (within a day), the paste lot as the only recorded
    change that goes with the defects; no set point differs (nobody touched one)."""
    import pandas as pd

    from labs.welding.baseline import analyse

    fault = _truth(tiny_case)["fault"]
    control = analyse(tiny_case.public)
    rates = control.strata.groupby("line").apply(
        lambda g: (g["defect_rate"] * g["boards"]).sum() / g["boards"].sum())
    assert rates.idxmax() == fault["line"]
    onset = pd.Timestamp(control.onset[fault["line"]].split()[0])
    assert abs((onset - pd.Timestamp(fault["onset_date"])).days) <= 1
    assert control.chi2.iloc[0]["variable"] == "paste_lot"
    assert control.chi2.iloc[0]["p_value"] < 0.01
    assert (control.ttests["p_value"] == 1.0).all()
    # the EWMA chart alarms on the fault line too, within a day of the onset, and on no other
    ewma_onset = pd.Timestamp(control.ewma_onset[fault["line"]].split()[0])
    assert abs((ewma_onset - pd.Timestamp(fault["onset_date"])).days) <= 1
    assert set(control.ewma_onset) == {fault["line"]}


def test_ewma_limits_and_alarms():
    """Exact EWMA limits; an in-control line never alarms, a lasting rise does."""
    import numpy as np
    import pandas as pd

    from labs.welding.baseline import ewma_chart, first_alarms

    rng = np.random.default_rng(0)
    rows = []
    for line, lift in (("L1", 0.0), ("L2", 0.01)):
        for day in range(20):
            rate = 0.02 + (lift if day >= 10 else 0.0)
            rows.append({"line": line, "date": f"2024-03-{day + 1:02d}", "shift": "D",
                         "boards": 1000, "defects": float(rng.binomial(1000, rate))})
    chart = ewma_chart(pd.DataFrame(rows), lam=0.2, width=3.0)
    first = chart.groupby("line").head(1)
    assert np.allclose(first["ucl"], 3 * 0.2)  # i = 1: L·λ
    assert chart["ucl"].max() < 3 * np.sqrt(0.2 / 1.8) + 1e-12  # the steady-state limit
    onsets = first_alarms(chart)
    assert "L1" not in onsets
    assert "2024-03-11" <= onsets["L2"].split()[0] <= "2024-03-18"  # a 2σ rise: days
