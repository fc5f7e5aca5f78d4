"""The classroom pages render for each kind of visitor, with every text translated."""

from __future__ import annotations

import time

import flask
import pytest

from workbench.app import demo, instructor, student
from workbench.app.textcheck import untranslated, visible_texts
from workbench.classroom.auth import _version


@pytest.fixture
def app(course):
    from workbench.app import create_app

    return create_app()


def render(app, layout, *, path: str, user: tuple[str, str] | None = None, **args):
    with app.server.test_request_context(path):
        if user:
            # what sign-in stores: the user's session version and when it was issued
            flask.session.update(user=user[0], role=user[1], v=_version(*user),
                                 iat=int(time.time()))
        return untranslated(lambda: layout(**args)), list(visible_texts(layout(**args)))


@pytest.mark.parametrize("page, path, user, must_show", [
    (instructor.layout, "/instructor", None, "Sign in"),
    (instructor.layout, "/instructor", ("s01", "student"), "Sign in"),
    (instructor.layout, "/instructor", ("teacher", "instructor"), "Gradebook"),
    (student.layout, "/student", None, "Class code"),
    (student.layout, "/student", ("s01", "student"), "Download my case"),
    (student.layout, "/student", ("teacher", "instructor"), "Class code"),
    (demo.layout, "/demo", None, "Choose a lab to present"),
])
def test_pages_show_the_right_thing_translated(app, page, path, user, must_show):
    (literals, missing), texts = render(app, page, path=path, user=user)
    assert not literals and not missing, (literals, missing)
    assert any(must_show in text for text in texts), texts


def test_a_students_page_never_lists_instructor_tools(app):
    _, texts = render(app, student.layout, path="/student", user=("s01", "student"))
    assert not any("Gradebook" in text or "Class code for students" in text for text in texts)


def test_without_a_course_the_pages_say_how_to_start_one(app, monkeypatch):
    monkeypatch.delenv("WORKBENCH_COURSE")
    for page, path in ((instructor.layout, "/instructor"), (student.layout, "/student")):
        (literals, missing), texts = render(app, page, path=path)
        assert not literals and not missing
        assert any("workbench serve --course" in text for text in texts)


def test_the_failed_sign_in_is_said(app):
    _, texts = render(app, instructor.layout, path="/instructor", failed="1")
    assert any("Signing in failed" in text for text in texts)
