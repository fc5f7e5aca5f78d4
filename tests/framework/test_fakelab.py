"""The fake lab is a real lab: it passes the conformance checks that need no web page; the
step checks do not apply to it (it has no exercise) and say so."""

import pytest

from workbench.testing import CHECKS, NotApplicable, check_page_renders

from .fakelab import FAKE

STEP_CHECKS = {"check_steps_declared", "check_solution_passes_steps",
               "check_scaffold_fails_steps"}


@pytest.mark.parametrize("check", [c for c in CHECKS if c is not check_page_renders
                                   and c.__name__ not in STEP_CHECKS],
                         ids=lambda c: c.__name__)
def test_fake_lab_conforms(check, tmp_path):
    check(FAKE, tmp_path)


@pytest.mark.parametrize("check", [c for c in CHECKS if c.__name__ in STEP_CHECKS],
                         ids=lambda c: c.__name__)
def test_step_checks_do_not_apply_to_a_lab_without_steps(check, tmp_path):
    with pytest.raises(NotApplicable, match="declares no exercise steps yet"):
        check(FAKE, tmp_path)
