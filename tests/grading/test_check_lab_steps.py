"""``check_lab``'s step checks on the tiny lab: the solution passes, the scaffold fails each
step with a message, a lab without steps is not applicable (skipped with the reason)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from workbench.testing import (
    NotApplicable,
    check_scaffold_fails_steps,
    check_solution_passes_steps,
    check_steps_declared,
)

from .tinylab import LAB, SCAFFOLD, SOLUTION, STEPS, TinyLab, write_notebook


@pytest.mark.parametrize(
    "check", [check_steps_declared, check_solution_passes_steps, check_scaffold_fails_steps]
)
def test_the_tiny_lab_passes_the_step_checks(check, tmp_path):
    check(LAB, tmp_path)


class _Variant(TinyLab):
    """The tiny lab with another solution or scaffold."""

    def __init__(self, solution: str = SOLUTION, scaffold: str = SCAFFOLD, steps=STEPS):
        self._solution, self._scaffold, self.steps = solution, scaffold, steps

    @property
    def solution_notebook(self):
        return write_notebook(self._notebooks / "variant" / "solution.ipynb", self._solution)

    @property
    def student_notebook(self):
        return write_notebook(self._notebooks / "variant" / "notebook.ipynb", self._scaffold)


def test_a_solution_that_fails_a_hidden_check_is_caught(tmp_path):
    wrong = SOLUTION.replace(
        'return int(clean_numbers["value"].sum())', 'return int(clean_numbers["value"].sum()) + 1'
    )
    with pytest.raises(AssertionError, match="total: failed.*not right"):
        check_solution_passes_steps(_Variant(solution=wrong), tmp_path)


def test_a_scaffold_that_gives_a_step_away_is_caught(tmp_path):
    generous = SCAFFOLD.replace(
        "    # TODO: read numbers.csv into a DataFrame\n    raise NotImplementedError",
        "    import pandas as pd\n    return pd.read_csv(Path(public_dir) / 'numbers.csv')",
    )
    with pytest.raises(AssertionError, match="earns points on steps \\['read'\\]"):
        check_scaffold_fails_steps(_Variant(scaffold=generous), tmp_path)


def test_a_scaffold_that_crashes_on_import_still_fails_each_step_with_a_message(tmp_path):
    check_scaffold_fails_steps(_Variant(scaffold=SCAFFOLD + "\nraise SystemError('x')\n"), tmp_path)


def test_a_lab_without_steps_is_not_applicable(tmp_path):
    for check in (check_steps_declared, check_solution_passes_steps, check_scaffold_fails_steps):
        with pytest.raises(NotApplicable, match="declares no exercise steps yet"):
            check(_Variant(steps=()), tmp_path)


def test_steps_without_chinese_are_refused(tmp_path):
    steps = (replace(STEPS[0], title_zh=""),) + STEPS[1:]
    with pytest.raises(AssertionError, match="title_zh empty"):
        check_steps_declared(_Variant(steps=steps), tmp_path)
