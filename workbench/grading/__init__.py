"""Generic grading: score any lab's submission against its baseline and reference.

``grade_file(lab, case, path)`` → :class:`GradeReport`; exports for LMS gradebooks live in
:mod:`workbench.grading.exports`, HTML feedback pages in :mod:`workbench.grading.feedback`.
"""

from workbench.grading.grade import (
    BONUS_CAP,
    References,
    criterion_fraction,
    grade,
    grade_file,
    invalid_report,
    references,
)
from workbench.grading.report import Criterion, GradeReport

__all__ = [
    "BONUS_CAP",
    "Criterion",
    "GradeReport",
    "References",
    "criterion_fraction",
    "grade",
    "grade_file",
    "invalid_report",
    "references",
]
