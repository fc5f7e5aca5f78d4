"""Who is signed in: users with hashed passwords, sign-in routes, and the role check every
instructor page and callback runs on the server.

Passwords and PINs are hashed with werkzeug (scrypt). The session is Flask's signed cookie,
keyed by the course's session secret, so a browser can read it but never forge a role. Sign-in
and sign-out are plain POST forms handled by Flask routes, outside Dash's callback machinery.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from dash.exceptions import PreventUpdate
from flask import Flask, redirect, request, session
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workbench.classroom.course import NoCourse, class_code, gradebook, session_secret
from workbench.classroom.models import ROLES, UserRow
from workbench.classroom.throttle import SigninThrottle
from workbench.store import StudentRow

SESSION_HOURS = 12
MIN_PASSWORD = {"instructor": 8, "student": 4}
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
F = TypeVar("F", bound=Callable[..., Any])


class AuthError(ValueError):
    """A user that cannot be created or changed, with the reason."""


def _check_user(username: str, password: str, role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"role {role!r} not understood; use one of {', '.join(ROLES)}")
    if not _USERNAME.fullmatch(username):
        raise AuthError(f"user name {username!r} not understood; use letters, digits and "
                        ". _ @ + - only (a student's PIN account uses their student id)")
    if len(password) < MIN_PASSWORD[role]:
        raise AuthError(f"the {'password' if role == 'instructor' else 'PIN'} of {username} "
                        f"has {len(password)} characters; give at least {MIN_PASSWORD[role]}")


def add_user(username: str, password: str, role: str = "instructor", *,
             replace: bool = False) -> None:
    """Create a user (a student entry sets that student's sign-in PIN); ``replace`` changes
    the password of an existing one."""
    _check_user(username, password, role)
    hashed = generate_password_hash(password)
    with Session(gradebook().engine) as db, db.begin():
        row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is not None and not replace:
            raise AuthError(f"user {username} exists already; pass --replace to set a new "
                            "password")
        if row is None:
            db.add(UserRow(username=username, role=role, password_hash=hashed,
                           created=datetime.now(UTC)))
        else:
            row.role, row.password_hash = role, hashed


def remove_user(username: str) -> bool:
    with Session(gradebook().engine) as db, db.begin():
        return db.execute(delete(UserRow).where(UserRow.username == username)).rowcount > 0


def list_users() -> list[tuple[str, str]]:
    """``(username, role)`` of every user, by name; hashes stay in the database."""
    with Session(gradebook().engine) as db:
        return [(u.username, u.role) for u in db.scalars(select(UserRow).order_by(
            UserRow.username))]


def _user(username: str) -> UserRow | None:
    with Session(gradebook().engine) as db:
        return db.scalars(select(UserRow).where(UserRow.username == username)).first()


def check_instructor(username: str, password: str) -> bool:
    user = _user(username)
    return (user is not None and user.role == "instructor"
            and check_password_hash(user.password_hash, password))


def check_student(code: str, student: str, pin: str = "") -> bool:
    """A student signs in with the class code and an id on one of the course's rosters, plus
    their PIN when the instructor set one."""
    if not code or code.strip().upper() != class_code():
        return False
    with Session(gradebook().engine) as db:
        on_roster = db.scalars(select(StudentRow).where(StudentRow.student == student)).first()
    if on_roster is None:
        return False
    user = _user(student)
    if user is None:
        return True
    return user.role == "student" and check_password_hash(user.password_hash, pin)


# ---- the session ----------------------------------------------------------------------------

def install(server: Flask) -> None:
    """Sign the session cookie with the course's secret and add the sign-in routes."""
    server.secret_key = session_secret()
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS))
    if "classroom_login" not in server.view_functions:
        server.add_url_rule("/auth/login", "classroom_login", _login, methods=["POST"])
        server.add_url_rule("/auth/logout", "classroom_logout", _logout, methods=["POST"])
        server.before_request(_guard_callbacks)


# Component ids of each role's pages start with the role: a callback writing one of them is
# refused at the door, before Dash runs anything or starts a background job for it.
ROLE_PREFIXES = {"instructor-": "instructor", "student-": "student"}


def _guard_callbacks():
    if request.method != "POST" or not request.path.endswith("/_dash-update-component"):
        return None
    body = request.get_json(silent=True)
    output = body.get("output", "") if isinstance(body, dict) else ""
    ids = {part.rsplit(".", 1)[0] for part in str(output).strip(".").split("...")}
    needed = {role for prefix, role in ROLE_PREFIXES.items()
              for id_ in ids if id_.startswith(prefix)}
    user = current_user()
    if needed and (user is None or {user[1]} != needed):
        return "", 204
    return None


THROTTLE = SigninThrottle()


def _login():
    form = request.form
    kind = form.get("kind", "")
    account = f"{kind}:{form.get('username', '')}{form.get('code', '')}:{form.get('student', '')}"
    key = (request.remote_addr or "", account.strip())
    back = "/instructor" if kind == "instructor" else "/student"
    if THROTTLE.blocked(key):
        return redirect(f"{back}?failed=wait")
    try:
        if kind == "instructor" and check_instructor(form.get("username", ""),
                                                     form.get("password", "")):
            THROTTLE.succeeded(key)
            return _signed_in(form["username"], "instructor", "/instructor")
        if kind == "student" and check_student(form.get("code", ""),
                                               form.get("student", "").strip(),
                                               form.get("pin", "")):
            THROTTLE.succeeded(key)
            return _signed_in(form["student"].strip(), "student", "/student")
    except NoCourse:
        pass
    THROTTLE.failed(key)
    return redirect(f"{back}?failed=1")


def _signed_in(username: str, role: str, to: str):
    session.clear()
    session.permanent = True
    session.update(user=username, role=role)
    return redirect(to)


def _logout():
    session.clear()
    return redirect("/")


def current_user() -> tuple[str, str] | None:
    """``(username, role)`` of the signed-in user. Inside a request the Flask session says;
    a background callback (a worker process, no request) checks the cookie Dash passed on."""
    from flask import has_request_context

    if has_request_context():
        data: Any = session
    else:
        data = _cookie_session()
    user, role = data.get("user"), data.get("role")
    return (user, role) if isinstance(user, str) and role in ROLES else None


def _cookie_session() -> dict[str, Any]:
    from dash import callback_context
    from dash.exceptions import MissingCallbackContextException
    from flask.sessions import SecureCookieSessionInterface

    try:
        cookie = callback_context.cookies.get("session", "")
    except MissingCallbackContextException:
        return {}
    checker = Flask("workbench-session-check")
    checker.secret_key = session_secret()
    serializer = SecureCookieSessionInterface().get_signing_serializer(checker)
    try:
        return serializer.loads(cookie, max_age=SESSION_HOURS * 3600)
    except Exception:  # a forged, expired or missing cookie is no session
        return {}


def require_role(role: str) -> Callable[[F], F]:
    """Decorate a callback so it runs only for a signed-in ``role``; for anyone else it
    raises ``PreventUpdate`` and the browser receives nothing."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def checked(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or user[1] != role:
                raise PreventUpdate
            return func(*args, **kwargs)

        return checked  # type: ignore[return-value]

    return decorate


def signed_in_student() -> str | None:
    user = current_user()
    return user[0] if user and user[1] == "student" else None
