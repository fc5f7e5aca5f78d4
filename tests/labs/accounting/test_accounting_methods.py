"""Baselines and reference: valid, seeded, and the reference ahead where the lab says it is."""

from __future__ import annotations

import pytest

from labs.accounting import LAB
from labs.accounting.clerk import ClerkParams
from workbench.testing import CHECKS


def test_methods_are_valid_and_reference_scores_higher(tiny_case, tiny_baseline, tiny_reference):
    assert LAB.validate(tiny_case, tiny_baseline) == []
    assert LAB.validate(tiny_case, tiny_reference) == []
    base, ref = LAB.evaluate(tiny_case, tiny_baseline), LAB.evaluate(tiny_case, tiny_reference)
    assert ref["report_accuracy"] == 1.0 > base["report_accuracy"]
    assert ref["processing_time"] < base["processing_time"] / 3
    assert sum(m.weight for m in LAB.metrics) == 100


def test_clerk_prints_every_parameter_and_is_seeded(tiny_case, tiny_baseline):
    meta = tiny_baseline.meta
    for name in ("K", "P", "H", "M", "p_simple", "p_multistep", "setup_median"):
        assert f"clerk.{name}" in meta
    assert any(meta[f"errors_{k}"] for k in ("transposition", "omitted_row", "wrong_sign",
                                             "wrong_account"))
    again = LAB.baseline(tiny_case)
    assert again.meta == meta


def test_double_entry_clerk_makes_fewer_errors_but_is_slower(tiny_case):
    variants = LAB.sensitivity_baselines(tiny_case)
    assert set(variants) == {"clerk rules of thumb", "JET checklist (unweighted)",
                             "double-entry clerk", "skilled typist"}
    single = LAB.evaluate(tiny_case, LAB.baseline(tiny_case))
    double = LAB.evaluate(tiny_case, variants["double-entry clerk"])
    assert double["keying_time"] > single["keying_time"]
    assert double["report_error_rate"] <= single["report_error_rate"]


@pytest.mark.parametrize("bad", [{"K": -1.0}, {"p_simple": 2.0}])
def test_clerk_parameters_are_checked(bad):
    with pytest.raises(ValueError):
        ClerkParams(**bad)


@pytest.mark.parametrize("check", [c for c in CHECKS if c.__name__ in (
    "check_determinism", "check_separation", "check_malformed_submissions")],
    ids=lambda c: c.__name__)
def test_conformance_checks(check, tmp_path):
    check(LAB, tmp_path)


def test_graded_reference_beats_graded_baseline(tiny_case, tiny_baseline, tiny_reference):
    from workbench.grading import grade

    base, ref = grade(LAB, tiny_case, tiny_baseline), grade(LAB, tiny_case, tiny_reference)
    assert base.valid and ref.valid
    assert ref.score > base.score


def test_feedback_figures(tiny_case, tiny_baseline, tiny_reference):
    figures = LAB.figures(tiny_case, {"baseline": tiny_baseline, "reference": tiny_reference})
    assert len(figures) == 2 and all(len(f.data) == 2 for f in figures)


def test_clerk_translates_by_formula_and_ties_out(tiny_case, tiny_baseline):
    from labs.accounting.steps import _tb_rates
    from workbench.exercise import CheckContext

    tb = tiny_baseline.tables["TB_Regions"]
    local = (tb["local_debit"] - tb["local_credit"]).groupby(tb["region"]).sum()
    assert (local.abs() < 0.01).all(), local  # every local trial balance ties out
    # every CNY balance is local x the rule's rate (closing, historical, average): a formula
    assert _tb_rates(tb, CheckContext(public=tiny_case.public)) is True
    meta = tiny_baseline.meta
    slips = sum(meta[f"errors_{k}"] for k in ("transposition", "omitted_row", "wrong_sign"))
    assert meta["errors_caught_by_tieout"] <= slips
