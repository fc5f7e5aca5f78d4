"""Sign-in and the server-side role check, through the Flask test client: forged callback
requests get no instructor data and no other student's data."""

from __future__ import annotations

import json
import zipfile

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from workbench.classroom import add_user, class_code
from workbench.classroom.auth import AuthError, check_instructor, current_user
from workbench.classroom.course import gradebook
from workbench.classroom.models import UserRow
from workbench.classroom.wire import find, payload

from .conftest import PASSPHRASE, PASSWORD


@pytest.fixture
def app(course):
    from workbench.app import create_app

    return create_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


def call(client, output_id, values):
    deps = client.get("/_dash-dependencies").get_json()
    return client.post("/_dash-update-component", json=payload(find(deps, output_id), values))


def sign_in(client, **form):
    return client.post("/auth/login", data=form)


GRADEBOOK = {"instructor-lab.value": "logistics", "instructor-refresh.data": 0}


def test_passwords_are_hashed_and_checked(course):
    with Session(gradebook().engine) as db:
        row = db.scalars(select(UserRow).where(UserRow.username == "teacher")).one()
    assert PASSWORD not in row.password_hash and row.password_hash.startswith("scrypt:")
    assert check_instructor("teacher", PASSWORD)
    assert not check_instructor("teacher", PASSWORD + "x")
    assert not check_instructor("s03", PASSPHRASE)  # a student's passphrase is no password
    with pytest.raises(AuthError, match="exists already"):
        add_user("teacher", "another password")
    with pytest.raises(AuthError, match="at least 8"):
        add_user("short", "1234567")
    with pytest.raises(AuthError, match="not understood"):
        add_user("bad name", "long enough password")


def test_the_secret_is_per_course_not_in_the_code(app, course):
    secret = (course / "instructor" / "session-secret.txt").read_text().strip()
    assert app.server.secret_key == secret and len(secret) == 64
    assert (course / "instructor" / "session-secret.txt").stat().st_mode & 0o077 == 0


def test_wrong_password_signs_nobody_in(client):
    response = sign_in(client, kind="instructor", username="teacher", password="guess")
    assert response.status_code == 302 and response.headers["Location"].endswith("?failed=1")
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 204


def test_anonymous_and_student_posts_get_no_instructor_data(client):
    for output, values in (("instructor-gradebook", GRADEBOOK),
                           ("instructor-drilldown", {"instructor-student.value": "s01",
                                                     "instructor-lab.value": "logistics"}),
                           ("instructor-download", {"instructor-export-csv.n_clicks": 1,
                                                    "instructor-lab.value": "logistics"}),
                           ("instructor-assignments", {"instructor-refresh.data": 1})):
        anonymous = call(client, output, values)
        assert anonymous.status_code == 204 and b"s01" not in anonymous.data, output
    sign_in(client, kind="student", code=class_code(), student="s01")
    assert current_session(client)["role"] == "student"
    as_student = call(client, "instructor-gradebook", GRADEBOOK)
    assert as_student.status_code == 204 and not as_student.data


def test_an_instructor_gets_the_gradebook(client):
    sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    response = call(client, "instructor-gradebook", GRADEBOOK)
    assert response.status_code == 200
    assert "s02" in response.get_data(as_text=True)  # the roster, in the drill-down options


def test_a_forged_session_cookie_is_no_session(client):
    client.set_cookie("session", "eyJyb2xlIjoiaW5zdHJ1Y3RvciIsInVzZXIiOiJ4In0.forged.sig")
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 204


def test_student_sign_in_needs_the_class_code_roster_and_pin(client):
    assert "failed" in sign_in(client, kind="student", code="WRONG1", student="s01").location
    assert "failed" in sign_in(client, kind="student", code=class_code(),
                               student="nobody").location
    assert "failed" in sign_in(client, kind="student", code=class_code(), student="s03",
                               pin="0000-0000-0000").location
    assert sign_in(client, kind="student", code=class_code().lower(), student="s03",
                   pin=PASSPHRASE).location == "/student"


def test_a_student_sees_pseudonyms_and_only_their_own_case(client, course):
    sign_in(client, kind="student", code=class_code(), student="s01")
    board = call(client, "student-status", {"student-lab.value": "logistics"})
    text = board.get_data(as_text=True)
    assert board.status_code == 200 and "attempts left today" in text
    assert "s02" not in text and "s03" not in text
    download = call(client, "student-download", {"student-download-btn.n_clicks": 1,
                                                 "student-lab.value": "logistics"})
    content = json.loads(download.data)["response"]["student-download"]["data"]
    assert content["filename"] == "logistics-s01.zip"
    names = zipfile.ZipFile(_bytes(content["content"])).namelist()
    assert names and all(n.startswith("s01/") for n in names)
    assert not any("private" in n or "key.json" in n for n in names)
    # a lab the student is not assigned to, or no session at all: nothing
    assert call(client, "student-status", {"student-lab.value": "welding"}).status_code == 204
    client.post("/auth/logout")
    assert call(client, "student-status", {"student-lab.value": "logistics"}).status_code == 204


def test_background_jobs_check_the_cookie_they_were_given(app, client):
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    cookie = client.get_cookie("session").value
    for cookies, expected in (({"session": cookie}, ("teacher", "instructor")),
                              ({"session": cookie[:-3] + "abc"}, None), ({}, None)):
        token = context_value.set(AttributeDict(cookies=cookies))
        try:
            assert current_user() == expected
        finally:
            context_value.reset(token)


def current_session(client) -> dict:
    from flask.sessions import SecureCookieSessionInterface

    app = client.application
    return SecureCookieSessionInterface().get_signing_serializer(app).loads(
        client.get_cookie("session").value)


def _bytes(content: str):
    import base64
    import io

    return io.BytesIO(base64.b64decode(content))


def test_no_background_job_starts_for_a_forged_instructor_request(client):
    create = {"instructor-create-btn.n_clicks": 1, "instructor-new-lab.value": "logistics",
              "instructor-new-size.value": "tiny", "instructor-new-due.value": "2030-01-01T00:00",
              "instructor-new-limit.value": 3, "instructor-new-public.value": ["route_duration"],
              "instructor-roster.contents": "data:text/csv;base64,c3R1ZGVudF9pZApzMDkK",
              "instructor-roster.filename": "roster.csv"}
    anonymous = call(client, "instructor-create-status", create)
    assert anonymous.status_code == 204 and b"job" not in anonymous.data
    sign_in(client, kind="student", code=class_code(), student="s01")
    assert call(client, "instructor-create-status", create).status_code == 204


def test_every_instructor_callback_also_checks_the_role_itself(app):
    """Behind the door, each callback refuses on its own (defence in depth)."""
    import flask
    from dash.exceptions import PreventUpdate

    from workbench.app import instructor

    calls = [(instructor.drilldown, ("s01", "logistics")),
             (instructor.show_gradebook, ("logistics", 0)),
             (instructor.list_assignments, (0, None)),
             (instructor.public_choices, ("logistics",)),
             (instructor.store_class_upload, ("data:x;base64,", "a.zip"))]
    for user in (None, ("s01", "student")):
        with app.server.test_request_context("/"):
            if user:
                flask.session.update(user=user[0], role=user[1])
            for func, args in calls:
                with pytest.raises(PreventUpdate):
                    func(*args)


def test_guessing_a_password_is_throttled(client, monkeypatch):
    from workbench.classroom import auth
    from workbench.classroom.throttle import SigninThrottle

    monkeypatch.setattr(auth, "THROTTLE", SigninThrottle(attempts=3, window_s=600))
    for _ in range(3):
        response = sign_in(client, kind="instructor", username="teacher", password="guess")
        assert response.headers["Location"].endswith("?failed=1")
    # even the right password is refused until the window has passed
    response = sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    assert response.headers["Location"].endswith("?failed=wait")
    from workbench.app import instructor

    with client.application.test_request_context("/instructor?failed=wait"):
        assert "Too many failed sign-ins" in str(instructor.layout(failed="wait"))


# ---- acceptance 3: throttle keys, session versions, absolute lifetime, timing ----------------

def _guesses_until_locked(client, extra) -> int:
    """Wrong passwords for ``teacher`` until the form answers "wait"; ``extra(k)`` adds form
    fields of guess k."""
    for k in range(50):
        form = {"kind": "instructor", "username": "teacher", "password": f"guess{k}", **extra(k)}
        if sign_in(client, **form).headers["Location"].endswith("?failed=wait"):
            return k
    return 50


def test_junk_fields_get_no_more_guesses_than_the_plain_form(client, monkeypatch):
    from workbench.classroom import auth
    from workbench.classroom.throttle import SigninThrottle

    monkeypatch.setattr(auth, "THROTTLE", SigninThrottle(attempts=5, window_s=600))
    plain = _guesses_until_locked(client, lambda k: {})
    assert plain == 5
    # after the lockout, forms with ever-new junk fields (the old bypass: a `student` field on
    # the instructor form, other unused fields) get no guess at all
    junk = _guesses_until_locked(client, lambda k: {"student": f"junk{k}", "code": str(k),
                                                    "pin": "x", f"extra{k}": "1"})
    assert junk == 0
    # and a fresh lockout with junk from the start allows exactly as many as the plain form
    # (the counts live in the gradebook: a new throttle object would see the old ones)
    auth.THROTTLE.clear()
    assert _guesses_until_locked(client, lambda k: {"student": f"junk{k}"}) == plain


def test_a_removed_users_cookie_is_refused_on_the_next_request(client):
    from workbench.classroom.auth import remove_user

    sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 200
    assert remove_user("teacher")
    refused = call(client, "instructor-gradebook", GRADEBOOK)
    assert refused.status_code == 204 and b"s02" not in refused.data
    # and the page itself shows the sign-in form again
    from workbench.app import instructor

    with client.application.test_request_context("/instructor"):
        flask_session_from(client)
        assert "instructor-signin-form" in str(instructor.layout())


def flask_session_from(client) -> None:
    import flask

    flask.session.update(current_session(client))


def test_a_new_password_ends_the_old_sessions(client):
    sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 200
    add_user("teacher", "a brand new password", replace=True)
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 204
    sign_in(client, kind="instructor", username="teacher", password="a brand new password")
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 200


def test_a_students_new_passphrase_ends_their_sessions(client):
    status = {"student-lab.value": "logistics"}
    sign_in(client, kind="student", code=class_code(), student="s03", pin=PASSPHRASE)
    assert call(client, "student-status", status).status_code == 200
    add_user("s03", "new0-pass-phrs", "student", replace=True)
    assert call(client, "student-status", status).status_code == 204
    # a student who signed in without a passphrase is signed out once one is issued
    sign_in(client, kind="student", code=class_code(), student="s01")
    assert call(client, "student-status", status).status_code == 200
    add_user("s01", "s01s-very-own0", "student")
    assert call(client, "student-status", status).status_code == 204


def test_sessions_end_twelve_hours_after_sign_in_however_busy(client, monkeypatch):
    import time as time_module

    from workbench.classroom import auth

    sign_in(client, kind="instructor", username="teacher", password=PASSWORD)
    cookie = client.get_cookie("session").value
    response = call(client, "instructor-gradebook", GRADEBOOK)
    assert response.status_code == 200
    assert "session=" not in response.headers.get("Set-Cookie", ""), "no sliding expiry"
    start = time_module.time()
    monkeypatch.setattr(auth.time, "time", lambda: start + auth.SESSION_HOURS * 3600 - 60)
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 200
    monkeypatch.setattr(auth.time, "time", lambda: start + auth.SESSION_HOURS * 3600 + 1)
    assert call(client, "instructor-gradebook", GRADEBOOK).status_code == 204
    assert client.get_cookie("session").value == cookie  # never re-issued


def test_unknown_accounts_cost_as_much_as_known_ones(course, monkeypatch):
    # The same scrypt work either way, counted rather than timed (a timing test flakes on a
    # busy machine): one hash check per attempt, against a hash of the same method and cost.
    import workbench.classroom.auth as auth
    from workbench.classroom.auth import check_student

    real = auth.check_password_hash
    checked: list[str] = []

    def counting(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])  # the method and its cost parameters
        return real(stored, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)

    def work(check, *args) -> list[str]:
        checked.clear()
        assert not check(*args)
        return list(checked)

    known = work(check_instructor, "teacher", "wrong password")
    assert len(known) == 1 and known[0].startswith("scrypt:")
    assert work(check_instructor, "nobody", "wrong password") == known
    assert work(check_student, class_code(), "s03", "wrong-pass-word") == known
    for args in ((class_code(), "nobody", "x"), ("WRONG1", "s03", "x"), ("", "", "")):
        assert work(check_student, *args) == known, args


def test_passphrases_are_long_and_unambiguous():
    from workbench.classroom.auth import PASSPHRASE_ALPHABET, new_passphrase

    phrases = {new_passphrase() for _ in range(200)}
    assert len(phrases) == 200
    for phrase in phrases:
        groups = phrase.split("-")
        assert [len(g) for g in groups] == [4, 4, 4]
        assert set("".join(groups)) <= set(PASSPHRASE_ALPHABET)
    assert not set("0o1li") & set(PASSPHRASE_ALPHABET)
    with pytest.raises(AuthError, match="at least 8"):
        add_user("s01", "1234", "student")
