"""Issue 12, acceptance 3: in Chinese, no untranslated user-facing string on the pages, the
grade reports and the feedback pages of the three labs (data shown verbatim is marked)."""

from __future__ import annotations

import pytest

from workbench.app.components import grade_view
from workbench.app.labpage import readable_report, step_view
from workbench.app.textcheck import untranslated
from workbench.grading import grade, grade_file, references
from workbench.grading.feedback import feedback_html
from workbench.i18n import missing_translations, record
from workbench.registry import labs

SLUGS = sorted(labs())


@pytest.fixture(scope="module", params=SLUGS)
def graded(request, tmp_path_factory):
    """A tiny case of the lab, a valid report (the control class's solution) and an invalid
    one (an empty file of the lab's first submission kind)."""
    lab = labs()[request.param]
    folder = tmp_path_factory.mktemp(request.param)
    case = lab.make_case(7, "tiny", out=folder / "case")
    refs = references(lab, case)
    valid = grade(lab, case, refs.baseline_solution, refs=refs, submission="mine")
    broken = folder / f"broken{lab.submission_suffixes[0]}"
    broken.write_bytes(b"{}" if broken.suffix == ".json" else b"not a submission")
    invalid = grade_file(lab, case, broken, refs=refs)
    return lab, case, refs, [valid, invalid]


def test_grade_reports_in_chinese(graded):
    lab, _, _, reports = graded
    for report in reports:
        def render(r=report):
            shown = readable_report(r)
            return [grade_view(shown, "x"), step_view(shown.steps)]
        literals, missing = untranslated(render)
        assert (literals, missing) == ([], []), (lab.slug, literals, missing)


def test_feedback_pages_in_chinese(graded):
    lab, case, refs, reports = graded
    for report in reports:
        with record() as calls:
            page = feedback_html(lab, case, report, {"baseline": refs.baseline_solution,
                                                      "reference": refs.reference_solution},
                                 lang="zh", inline=False)
        missing = missing_translations([source for source, _ in calls])
        assert missing == [], (lab.slug, missing)
        assert "得分" in page and "对照班" in page and "实验班" in page
