"""The toolkit boundary under `grade --course` (issue 9, acceptance 1): for each lab, code that
imports the lab's reference solution scores 0 for the outcome on its own case and on the hidden
cases, and the report says why."""

from __future__ import annotations

import pytest

from workbench import registry

from .conftest import needs_bwrap

LABS = ("accounting", "logistics", "welding")

# Imports the solution inside a try (so the run itself succeeds) and writes whatever it can.
CHEAT = """
def {function}(public_dir, out_dir):
    try:
        from labs.{slug} import reference
    except ImportError as exc:
        print("refused:", exc)
        return
    reference.solve(public_dir, out_dir)
"""


@needs_bwrap
@pytest.mark.slow
@pytest.mark.parametrize("slug", LABS)
def test_code_importing_the_reference_scores_no_outcome_under_grade_course(slug, tmp_path):
    from workbench.assign import assign
    from workbench.grading.batch import grade_course
    from workbench.grading.sandbox import Limits

    lab = registry.get_lab(slug)
    assign(lab, {"s1": {"name": "Ann"}}, tmp_path / "course", size="tiny", hidden=1,
           progress=False)
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "s1.py").write_text(CHEAT.format(function=lab.code_entry.function, slug=slug))
    result = grade_course(lab, tmp_path / "course", subs, progress=False,
                          limits=Limits(wall_s=120, cpu_s=120))
    (student, report), = result.graded
    metrics = {m.name for m in lab.metrics if m.weight > 0}
    outcome = [c for c in report.criteria if c.name in metrics or c.name.split(":")[-1] in metrics]
    assert outcome and all(c.points == 0 for c in outcome), report.criteria
    told = " ".join(report.problems)
    assert "uses the lab's reference solution: not allowed" in told, told
    assert f"labs.{slug}.kit" in told, told
