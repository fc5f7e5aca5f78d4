"""The classroom: sign-in, assignments with due dates and attempt limits, students' uploads
graded against their own cases, leaderboards, and the instructor's gradebook in the browser.

Everything lives in the course folder made by ``workbench assign`` (see
:mod:`workbench.assign`); the app serves the one named by ``WORKBENCH_COURSE``.
"""

from workbench.classroom.assignments import (
    Settings,
    assignments,
    create_assignment,
    default_public_metrics,
    settings_of,
)
from workbench.classroom.attempts import (
    AttemptRefused,
    leaderboard,
    submit,
    visible_report,
)
from workbench.classroom.auth import add_user, current_user, require_role
from workbench.classroom.course import NoCourse, class_code, course_root, pseudonym

__all__ = [
    "AttemptRefused",
    "NoCourse",
    "Settings",
    "add_user",
    "assignments",
    "class_code",
    "course_root",
    "create_assignment",
    "current_user",
    "default_public_metrics",
    "leaderboard",
    "pseudonym",
    "require_role",
    "settings_of",
    "submit",
    "visible_report",
]
