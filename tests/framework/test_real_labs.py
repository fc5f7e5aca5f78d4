"""The framework on every registered lab: tiny cases, grading, gradebook, exports, feedback.

Parametrised over ``workbench.registry.labs()``; a registry that cannot load fails here too.
"""

from __future__ import annotations

import csv
import json

import pytest
from click.testing import CliRunner

from workbench import registry
from workbench.cli import main
from workbench.exercise import outcome_points, step_points
from workbench.grading import grade_file, references
from workbench.grading.batch import grade_batch
from workbench.grading.exports import plain_csv
from workbench.grading.grade import outcome_scale
from workbench.store import Gradebook


def _params() -> list:
    try:
        found = registry.labs()
    except Exception as exc:
        return [pytest.param((None, f"the lab registry cannot load: {exc}"), id="registry")]
    if not found:
        return [pytest.param((None, "no lab is registered"), id="no-labs")]
    return [pytest.param((slug, None), id=slug) for slug in found]


@pytest.fixture(params=_params())
def real(request, tmp_path):
    """(lab, tiny case of seed 11) of one registered lab."""
    slug, error = request.param
    assert error is None, error
    lab = registry.get_lab(slug)
    return lab, lab.make_case(11, "tiny", out=tmp_path / "case")


def test_baseline_scores_zero_reference_full(real, tmp_path):
    lab, case = real
    refs = references(lab, case)
    suffix = lab.submission_suffixes[0]
    base = lab.write_submission(refs.baseline_solution, tmp_path / f"base{suffix}")
    ref = lab.write_submission(refs.reference_solution, tmp_path / f"ref{suffix}")
    base_report, ref_report = grade_file(lab, case, base), grade_file(lab, case, ref)
    assert base_report.valid and ref_report.valid, base_report.problems + ref_report.problems
    # a data file earns the outcome only: 0 at the baseline, except on criteria where the
    # reference does not improve on it (full marks then); all of the outcome at the reference
    scale = outcome_scale(lab)

    def not_improved(m) -> bool:
        sign = 1 if m.higher_is_better else -1
        return sign * (refs.reference_metrics[m.name] - refs.baseline_metrics[m.name]) <= 0

    tied = sum(m.weight * scale for m in lab.metrics if m.weight > 0 and not_improved(m))
    assert base_report.score == pytest.approx(tied, abs=1e-6)
    assert ref_report.score == pytest.approx(outcome_points(lab))
    assert ref_report.max_score == pytest.approx(outcome_points(lab) + step_points(lab))
    assert all(s["status"] == "needs_code" for s in ref_report.steps)


def test_batch_store_export_feedback(real, tmp_path):
    lab, case = real
    suffix = lab.submission_suffixes[0]
    good = lab.write_submission(lab.reference(case), tmp_path / f"ann{suffix}")
    bad = tmp_path / f"ben{suffix}"
    bad.write_bytes(b"\x00\xff not a submission")
    book = Gradebook(tmp_path / "gb.sqlite")
    graded = grade_batch(lab, case, [good, bad], gradebook=book, feedback_dir=tmp_path / "fb",
                         progress=False)
    assert [(s, r.valid) for s, r in graded] == [("ann", True), ("ben", False)]
    assert graded[1][1].score == 0.0 and graded[1][1].problems
    assert [g.student for g in book.all(lab.slug)] == ["ann", "ben"]
    book.close()
    page = (tmp_path / "fb" / "ann.html").read_text(encoding="utf-8")
    assert "plotly-graph-div" in page  # self-contained: plotly.js inlined in the page
    with plain_csv(graded, tmp_path / "g.csv").open(newline="", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f))
    assert [r["student"] for r in rows] == ["ann", "ben"] and rows[1]["score"] == "0.00"


def test_cli_lists_and_grades_the_lab(real, tmp_path):
    lab, case = real
    runner = CliRunner()
    listed = json.loads(runner.invoke(main, ["labs", "--json"]).stdout)
    assert lab.slug in {entry["lab"] for entry in listed}
    out = tmp_path / f"sol{lab.submission_suffixes[0]}"
    solved = runner.invoke(main, ["solve", lab.slug, "--method", "baseline", "--case",
                                  str(case.root), "--out", str(out)])
    assert solved.exit_code == 0, solved.output
    checked = runner.invoke(main, ["check", lab.slug, str(out), "--case", str(case.root),
                                   "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["valid"] is True
