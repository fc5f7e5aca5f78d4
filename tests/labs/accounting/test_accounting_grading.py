"""The grader measures the work: rankings by order only, report errors by materiality, a ladder
of reports of known quality in order, and no exploit above the reference."""

from __future__ import annotations

import pytest

from labs.accounting import LAB, variants
from labs.accounting.evaluate import materiality, review_budget
from labs.accounting.generate import load_truth
from workbench.exercise import outcome_points
from workbench.grading.grade import References, grade


@pytest.fixture(scope="module")
def refs(tiny_case, tiny_baseline, tiny_reference):
    return References(
        LAB.evaluate(tiny_case, tiny_baseline), LAB.evaluate(tiny_case, tiny_reference)
    )


@pytest.fixture(scope="module")
def good(tiny_case):
    return variants.correct_tables(tiny_case)


def _score(case, report, refs):
    g = grade(LAB, case, report, refs=refs)
    assert g.valid, g.problems
    return g.score


@pytest.mark.parametrize("factor", [0.49, 0.001, 3.0, 1000.0])
@pytest.mark.parametrize("method", ["reference", "baseline"])
def test_rescaling_risk_scores_changes_no_grade(
    tiny_case, tiny_reference, tiny_baseline, refs, method, factor
):
    solution = tiny_reference if method == "reference" else tiny_baseline
    scaled = variants.report(
        tiny_case, solution.tables, variants.rescaled(solution.flags, factor), like=solution
    )
    before, after = (
        grade(LAB, tiny_case, solution, refs=refs),
        grade(LAB, tiny_case, scaled, refs=refs),
    )
    assert after.valid and after.score == pytest.approx(before.score, abs=1e-9)
    for name in ("anomaly_ap", "precision_at_k", "recall_at_k", "false_positives"):
        assert after.metrics[name] == pytest.approx(before.metrics[name], abs=1e-12)


def test_rules_and_reference_are_graded_by_the_same_review_budget(tiny_case, refs):
    n = len(variants.entry_ids(tiny_case))
    k = review_budget(n)
    assert (
        refs.baseline_metrics["k"] == refs.reference_metrics["k"] == k == max(10, round(0.02 * n))
    )
    for m in (refs.baseline_metrics, refs.reference_metrics):
        assert m["false_positives"] == pytest.approx(k * (1 - m["precision_at_k"]))


def test_ties_at_the_budget_edge_count_by_their_share(tiny_case, good, refs):
    n = len(variants.entry_ids(tiny_case))
    anomalies = refs.reference_metrics["anomalies"]
    unranked = LAB.evaluate(
        tiny_case, variants.report(tiny_case, good, variants.rule_flags(tiny_case).iloc[:0])
    )
    # every entry tied at 0: the auditor's k picks hold anomalies at the base rate
    assert unranked["precision_at_k"] == pytest.approx(anomalies / n)
    assert unranked["false_positives"] == pytest.approx(unranked["k"] * (1 - anomalies / n))


def test_a_material_misstatement_scores_below_rounding_slips(tiny_case, good, refs):
    flags = variants.detector_flags(tiny_case)
    inverted = variants.report(tiny_case, variants.inverted_rate_tables(tiny_case, "USD"), flags)
    slips = variants.report(tiny_case, variants.with_rounding_slips(good, n=5, slip=1.0), flags)
    m_inv, m_slip = LAB.evaluate(tiny_case, inverted), LAB.evaluate(tiny_case, slips)
    assert m_inv["material_figures"] > 10 and m_slip["material_figures"] == 0
    assert m_slip["report_error_rate"] > 0  # the slips are wrong cells ...
    assert m_slip["report_accuracy"] == 1.0  # ... but clearly trivial
    assert _score(tiny_case, inverted, refs) < _score(tiny_case, slips, refs)


def test_forgotten_eliminations_are_material(tiny_case, good):
    report = variants.report(
        tiny_case, variants.without_eliminations(good), variants.rule_flags(tiny_case)
    )
    m = LAB.evaluate(tiny_case, report)
    assert m["material_figures"] >= 4 and m["report_accuracy"] < 0.95


def test_materiality_is_five_percent_of_profit_before_tax(tiny_case):
    truth = load_truth(tiny_case)
    pl = truth["PL"].set_index("line")["amount"]
    assert materiality(truth) == pytest.approx(
        max(0.05 * abs(pl["NET_INCOME"]), 0.005 * abs(pl["TOTAL_REVENUE"]))
    )


def test_equity_translates_at_the_historical_rate(tiny_case, good):
    fx = variants.Reference.load(tiny_case.public).fx
    assert (fx["historical_rate"] != fx["closing_rate"]).any()
    at_closing = variants.report(
        tiny_case, variants.closing_rate_equity_tables(tiny_case), variants.rule_flags(tiny_case)
    )
    correct = variants.report(tiny_case, good, variants.rule_flags(tiny_case))
    assert LAB.evaluate(tiny_case, correct)["report_error_rate"] == 0.0
    assert LAB.evaluate(tiny_case, at_closing)["report_error_rate"] > 0.0


def test_ladder_of_known_quality_grades_in_order(tiny_case, tiny_reference, good, refs):
    flags = variants.detector_flags(tiny_case)
    k = int(refs.reference_metrics["k"])
    m = materiality(load_truth(tiny_case))
    ladder = {
        "inverted rate, no ranking": variants.report(
            tiny_case, variants.inverted_rate_tables(tiny_case), flags.iloc[:0]
        ),
        "correct report, no ranking": variants.report(tiny_case, good, flags.iloc[:0]),
        "correct report, only the top k ranked": variants.report(tiny_case, good, flags.head(k)),
        "five slips of 0.3 materiality, full ranking": variants.report(
            tiny_case, variants.with_rounding_slips(good, n=5, slip=0.3 * m), flags
        ),
        "reference": tiny_reference,
    }
    scores = [_score(tiny_case, r, refs) for r in ladder.values()]
    assert scores == sorted(scores) and len(set(scores)) == len(scores), dict(
        zip(ladder, scores, strict=True)
    )
    assert scores[-1] == pytest.approx(outcome_points(LAB))  # a data file: outcome points only


def test_no_exploit_scores_above_the_reference(tiny_case, tiny_reference, tiny_baseline, refs):
    ref_score = _score(tiny_case, tiny_reference, refs)
    rules = variants.rule_flags(tiny_case)
    exploits = {
        "reference scores x0.49": variants.rescaled(tiny_reference.flags, 0.49),
        "rules weighted by rarity": rules,
        "every entry at the same risk": rules.assign(risk_score=0.5),
        "reference order reversed": tiny_reference.flags.assign(
            risk_score=1.0 / (1.0 + tiny_reference.flags["risk_score"])
        ),
    }
    for name, flags in exploits.items():
        report = variants.report(tiny_case, tiny_reference.tables, flags, like=tiny_reference)
        assert _score(tiny_case, report, refs) <= ref_score + 1e-9, name
    rules_report = variants.report(tiny_case, tiny_reference.tables, rules, like=tiny_reference)
    anomaly = grade(LAB, tiny_case, rules_report, refs=refs).criteria
    base = grade(LAB, tiny_case, tiny_baseline, refs=refs).criteria
    # the rules-only ranking is the control class: it earns what the baseline earns
    assert [c.points for c in anomaly[1:]] == [c.points for c in base[1:]]


def test_negative_or_missing_risk_scores_are_refused(tiny_case, tiny_reference):
    bad = tiny_reference.flags.copy()
    bad.loc[0, "risk_score"] = -1.0
    problems = LAB.validate(
        tiny_case, variants.report(tiny_case, tiny_reference.tables, bad, like=tiny_reference)
    )
    assert any("not a number >= 0" in str(p) for p in problems)
