"""Feedback pages: score, criteria, problems, metrics, offline plotly figures, Chinese."""

from __future__ import annotations

from workbench.grading import grade, references
from workbench.grading.feedback import feedback_html, write_feedback


def _solutions(lab, case, mine):
    refs = references(lab, case)
    return {"you": mine, "baseline": refs.baseline_solution, "reference": refs.reference_solution}


def test_page_written_with_score_and_offline_plotly(lab, case, tmp_path):
    report = grade(lab, case, lab.reference(case), submission="alice.json")
    path = write_feedback(lab, case, report, _solutions(lab, case, lab.reference(case)),
                          tmp_path / "fb" / "alice.html", inline=False)
    page = path.read_text(encoding="utf-8")
    assert "100.0 / 100" in page and "mean error" in page and "No problems found." in page
    assert 'class="plotly-graph-div"' in page
    assert 'src="plotly.min.js"' in page and "cdn" not in page.lower()
    assert (tmp_path / "fb" / "plotly.min.js").stat().st_size > 1_000_000


def test_inline_page_is_self_contained(lab, case):
    report = grade(lab, case, {"picks": [1.0]}, submission="bob.json")
    page = feedback_html(lab, case, report, _solutions(lab, case, {"picks": [1.0]}),
                         inline=True)
    assert "0.0 / 100" in page and "1 picks given, 5 expected" in page
    assert "not valid" in page and 'src="plotly.min.js"' not in page
    assert page.count("plotly-graph-div") >= 1 and len(page) > 1_000_000


def test_page_in_chinese_and_figure_errors_do_not_break_it(lab, case, monkeypatch):
    report = grade(lab, case, lab.baseline(case))
    monkeypatch.setattr(type(lab), "figures", lambda self, c, s: 1 / 0)
    page = feedback_html(lab, case, report, {}, lang="zh")
    assert "得分" in page and "无法绘制图表" in page and "division by zero" in page


def test_verdict_of_a_partly_valid_report(lab, case):
    from dataclasses import replace

    invalid = grade(lab, case, {"picks": [1.0]}, submission="bob.json")
    assert invalid.verdict == "The submission is not valid, so it scores 0."
    # code invalid on its own case that still earned its hidden-case points
    partly = replace(invalid, score=12.5)
    page = feedback_html(lab, case, partly, _solutions(lab, case, {"picks": [1.0]}))
    assert "Part of the submission is not valid" in page and "so it scores 0" not in page
    assert grade(lab, case, lab.reference(case)).verdict == "The submission is valid."
