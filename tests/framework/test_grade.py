"""Scoring against baseline and reference, invalid submissions, and the report's JSON form."""

from __future__ import annotations

import json
import math

import pytest

from workbench.grading import (
    BONUS_CAP,
    GradeReport,
    References,
    criterion_fraction,
    grade,
    grade_file,
    references,
)
from workbench.lab import Metric

HIGH = Metric("hits", "", higher_is_better=True, weight=40)
LOW = Metric("error", "km", higher_is_better=False, weight=60)


@pytest.mark.parametrize(
    ("metric", "value", "baseline", "reference", "expected"),
    [
        (HIGH, 0.2, 0.2, 0.8, 0.0),  # at the baseline
        (HIGH, 0.8, 0.2, 0.8, 1.0),  # at the reference
        (HIGH, 0.5, 0.2, 0.8, 0.5),  # half way
        (HIGH, 0.86, 0.2, 0.8, 1.1),  # beyond, within the bonus cap
        (HIGH, 5.0, 0.2, 0.8, 1 + BONUS_CAP),  # far beyond: capped
        (HIGH, 0.1, 0.2, 0.8, 0.0),  # worse than the baseline
        (LOW, 10.0, 10.0, 6.0, 0.0),  # lower is better: at the baseline
        (LOW, 6.0, 10.0, 6.0, 1.0),
        (LOW, 8.0, 10.0, 6.0, 0.5),
        (LOW, 0.0, 10.0, 6.0, 1 + BONUS_CAP),
        (LOW, 12.0, 10.0, 6.0, 0.0),
        (HIGH, 0.5, 0.5, 0.5, 1.0),  # degenerate: as good as the reference
        (HIGH, 0.6, 0.5, 0.5, 1.0),
        (HIGH, 0.4, 0.5, 0.5, 0.0),
        (LOW, 3.0, 3.0, 3.0, 1.0),
        (LOW, 3.5, 3.0, 3.0, 0.0),
        (HIGH, 0.8, 0.8, 0.2, 1.0),  # reference worse than baseline: at least as good as it
        (HIGH, 0.2, 0.8, 0.2, 1.0),  # the reference itself always earns full marks
        (HIGH, 0.1, 0.8, 0.2, 0.0),  # worse than the reference
        (LOW, 9.0, 6.0, 9.0, 1.0),
        (LOW, 9.5, 6.0, 9.0, 0.0),
        (HIGH, math.nan, 0.2, 0.8, 0.0),
        (LOW, math.inf, 10.0, 6.0, 0.0),
        (HIGH, 0.5, math.nan, 0.8, 0.0),
    ],
)
def test_criterion_fraction(metric, value, baseline, reference, expected):
    fraction, message = criterion_fraction(metric, value, baseline, reference)
    assert fraction == pytest.approx(expected)
    assert message and message[-1] == "."


def test_non_finite_value_says_why():
    _, message = criterion_fraction(HIGH, math.nan, 0.2, 0.8)
    assert "not a finite number" in message


def test_baseline_scores_zero_and_reference_full(lab, case):
    refs = references(lab, case)
    base = grade(lab, case, lab.baseline(case), refs=refs)
    ref = grade(lab, case, lab.reference(case), refs=refs)
    assert base.valid and base.score == pytest.approx(0.0)
    assert ref.valid and ref.score == pytest.approx(100.0) and ref.max_score == 100.0
    assert [c.name for c in ref.criteria] == ["error", "hits"]  # weight-0 metrics not graded
    assert ref.metrics["count"] == 5.0 and ref.baseline_metrics == refs.baseline_metrics


def test_beating_the_reference_earns_a_capped_bonus(lab, case):
    targets = json.loads((case.private / "targets.json").read_text())["targets"]
    refs = References({"error": 4.0, "hits": 0.0}, {"error": 2.0, "hits": 0.5})
    report = grade(lab, case, {"picks": targets}, refs=refs)  # error 0, hits 1: far beyond
    assert report.score == pytest.approx(100 * (1 + BONUS_CAP))
    assert report.score > report.max_score
    assert all("capped" in c.message for c in report.criteria)


def test_references_are_memoised(lab, case, monkeypatch):
    first = references(lab, case)
    monkeypatch.setattr(type(lab), "reference", lambda self, c: pytest.fail("solved again"))
    assert references(lab, case) is first
    assert set(first.sensitivity_metrics) == {"zeros"}


def test_wrong_count_voids_everything(lab, case):
    report = grade(lab, case, {"picks": [1.0, 2.0]}, submission="short.json")
    assert not report.valid and report.score == 0.0 and report.max_score == 100.0
    assert report.problems == ["picks: 2 picks given, 5 expected"]
    assert all(c.points == 0 and "not valid" in c.message for c in report.criteria)


def test_problem_voids_only_the_metric_it_affects(lab, case):
    picks = lab.reference(case)["picks"]
    picks[0] = 99.0
    report = grade(lab, case, {"picks": picks})
    points = {c.name: c.points for c in report.criteria}
    error = next(c for c in report.criteria if c.name == "error")
    assert report.valid and points["hits"] == 0.0 and not error.message.startswith("Not")
    assert "outside" in next(c for c in report.criteria if c.name == "hits").message
    assert report.problems == ["picks[0]: 99.0 is outside [-50, 50]"]


def test_nan_metric_counts_zero_with_a_reason(lab, case):
    picks = lab.reference(case)["picks"]
    picks[1] = math.nan
    report = grade(lab, case, {"picks": picks})
    error = next(c for c in report.criteria if c.name == "error")
    assert error.points == 0.0 and "not a finite number" in error.message
    json.dumps(report.to_dict(), allow_nan=False)  # NaN never reaches JSON


@pytest.mark.parametrize("content", [b"", b"\x00\xff garbage", b"[1, 2, 3]",
                                     b'{"picks": ["a", 1, null]}'])
def test_unreadable_file_scores_zero_with_problems(lab, case, tmp_path, content):
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    report = grade_file(lab, case, path)
    assert not report.valid and report.score == 0.0
    assert report.problems and all(str(path) in p for p in report.problems)


def test_missing_file_scores_zero(lab, case, tmp_path):
    report = grade_file(lab, case, tmp_path / "nowhere.json")
    assert not report.valid and "nowhere.json" in report.problems[0]


def test_any_crash_becomes_a_zero_report(lab, case, monkeypatch, tmp_path):
    path = lab.write_submission(lab.reference(case), tmp_path / "ok.json")
    refs = references(lab, case)

    def boom(self, c, s):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(type(lab), "evaluate", boom)
    report = grade_file(lab, case, path, refs=refs)
    assert not report.valid and report.score == 0.0
    assert "could not be evaluated (ZeroDivisionError: division by zero)" in report.problems[0]


def test_report_round_trips_through_json(lab, case):
    report = grade(lab, case, lab.reference(case), submission="ref.json")
    data = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    again = GradeReport.from_dict(data)
    assert again == report and again.graded_at == report.graded_at


def test_graded_at_is_not_compared(lab, case):
    refs = References({"error": 4.0, "hits": 0.2}, {"error": 0.4, "hits": 1.0})
    a = grade(lab, case, lab.reference(case), refs=refs)
    b = grade(lab, case, lab.reference(case), refs=refs)
    b.graded_at = "1999-01-01T00:00:00+00:00"
    assert a == b


def test_from_dict_ignores_unknown_keys(lab, case):
    report = grade(lab, case, lab.reference(case))
    data = {"student": "alice", "added_later": 1, **report.to_dict()}
    data["criteria"][0]["extra"] = True
    assert GradeReport.from_dict(data) == report
