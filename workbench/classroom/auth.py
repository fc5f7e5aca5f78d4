"""Who is signed in: users with hashed passwords, sign-in routes, and the role check every
instructor page and callback runs on the server.

Passwords and passphrases are hashed with werkzeug (scrypt). The session is Flask's signed
cookie, keyed by the course's session secret, so a browser can read it but never forge a role.
It carries the user's **session version** (stored on the server, in ``users``) and the time it
was **issued**: every request checks both, so removing a user or giving them a new password
ends their sessions at once, and a session ends 12 hours after sign-in however busy it is (no
sliding expiry). Sign-in and sign-out are plain POST forms handled by Flask routes, outside
Dash's callback machinery; failed sign-ins are throttled per account and per address, counted
in the gradebook so every serving process shares them (:mod:`workbench.classroom.throttle`), and an unknown account costs the same hashing time as a
known one, so timing does not tell which accounts exist.
"""

from __future__ import annotations

import functools
import re
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from dash.exceptions import PreventUpdate
from flask import Flask, g, has_request_context, redirect, request, session
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workbench.classroom.course import NoCourse, class_code, gradebook, session_secret
from workbench.classroom.models import ROLES, UserRow
from workbench.classroom.throttle import SigninThrottle
from workbench.store import StudentRow

SESSION_HOURS = 12
MIN_PASSWORD = {"instructor": 8, "student": 8}
# instructor-issued student passphrases: 12 characters of an alphabet without look-alikes
# (no 0/o, 1/l/i), about 60 bits, typed from a slip of paper as three groups of four
PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
F = TypeVar("F", bound=Callable[..., Any])


class AuthError(ValueError):
    """A user that cannot be created or changed, with the reason."""


def _check_user(username: str, password: str, role: str) -> None:
    if role not in ROLES:
        raise AuthError(f"role {role!r} not understood; use one of {', '.join(ROLES)}")
    if not _USERNAME.fullmatch(username):
        raise AuthError(f"user name {username!r} not understood; use letters, digits and "
                        ". _ @ + - only (a student's account uses their student id)")
    if len(password) < MIN_PASSWORD[role]:
        kind = "password" if role == "instructor" else "passphrase"
        raise AuthError(f"the {kind} of {username} has {len(password)} characters; give at "
                        f"least {MIN_PASSWORD[role]} (or let `workbench user add --generate` "
                        "make one)")


def new_passphrase() -> str:
    """A random passphrase an instructor hands a student, e.g. ``k7dq-m2xe-hv9a``."""
    chars = "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(12))
    return "-".join(chars[k:k + 4] for k in range(0, 12, 4))


def add_user(username: str, password: str, role: str = "instructor", *,
             replace: bool = False) -> None:
    """Create a user (a student entry sets that student's sign-in passphrase); ``replace``
    changes the password of an existing one and signs them out everywhere."""
    _check_user(username, password, role)
    hashed = generate_password_hash(password)
    with Session(gradebook().engine) as db, db.begin():
        row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is not None and not replace:
            raise AuthError(f"user {username} exists already; pass --replace to set a new "
                            "password")
        if row is None:
            db.add(UserRow(username=username, role=role, password_hash=hashed,
                           created=datetime.now(UTC), session_version=1))
        else:
            row.role, row.password_hash = role, hashed
            row.session_version = (row.session_version or 1) + 1  # old cookies end here


def remove_user(username: str) -> bool:
    """Remove a user; their sessions end on their next request."""
    with Session(gradebook().engine) as db, db.begin():
        return db.execute(delete(UserRow).where(UserRow.username == username)).rowcount > 0


def sign_out_everywhere(username: str) -> bool:
    """End every session of ``username`` without changing the password."""
    with Session(gradebook().engine) as db, db.begin():
        row = db.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            return False
        row.session_version = (row.session_version or 1) + 1
        return True


def list_users() -> list[tuple[str, str]]:
    """``(username, role)`` of every user, by name; hashes stay in the database."""
    with Session(gradebook().engine) as db:
        return [(u.username, u.role) for u in db.scalars(select(UserRow).order_by(
            UserRow.username))]


def _user(username: str) -> UserRow | None:
    with Session(gradebook().engine) as db:
        return db.scalars(select(UserRow).where(UserRow.username == username)).first()


@functools.cache
def _dummy_hash() -> str:
    # hashed once per process: checking against it costs what checking a real password does
    return generate_password_hash(secrets.token_hex(16))


def _verify(stored_hash: str | None, password: str) -> bool:
    """Check ``password`` against ``stored_hash``; with no hash (no such account) the same
    scrypt work is done against a dummy, so the answer takes as long either way."""
    if stored_hash is None:
        check_password_hash(_dummy_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


def check_instructor(username: str, password: str) -> bool:
    user = _user(username)
    ok = _verify(user.password_hash if user is not None and user.role == "instructor" else None,
                 password)
    return ok and user is not None


def check_student(code: str, student: str, pin: str = "") -> bool:
    """A student signs in with the class code and an id on one of the course's rosters, plus
    their passphrase when the instructor issued one. A wrong code or an unknown id costs the
    same hashing time as a wrong passphrase."""
    code_ok = bool(code) and secrets.compare_digest(code.strip().upper().encode(),
                                                     class_code().encode())
    with Session(gradebook().engine) as db:
        on_roster = db.scalars(select(StudentRow).where(StudentRow.student == student)).first()
    user = _user(student)
    if not code_ok or on_roster is None or (user is not None and user.role != "student"):
        _verify(None, pin)
        return False
    if user is None:
        return True  # no passphrase issued: class code + id are enough (see docs/classroom.md)
    return _verify(user.password_hash, pin)


# ---- the session ----------------------------------------------------------------------------

def install(server: Flask) -> None:
    """Sign the session cookie with the course's secret and add the sign-in routes."""
    server.secret_key = session_secret()
    server.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                         PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
                         SESSION_REFRESH_EACH_REQUEST=False)  # no sliding expiry
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


def _field(name: str) -> str:
    value = request.form.get(name, "")
    return value if len(value) <= 200 else value[:200]


def _login():
    """Check exactly the fields the chosen form uses; the throttle is keyed on those (the
    account) and on the address, never on anything else the client sends."""
    kind = request.form.get("kind", "")
    back = "/instructor" if kind == "instructor" else "/student"
    if kind not in ROLES:
        return redirect(f"{back}?failed=1")
    account = _field("username") if kind == "instructor" else _field("student").strip()
    address = request.remote_addr or ""
    try:
        # counted as a failure before the check (in the gradebook, shared by every serving
        # process); a right password takes it back
        ticket = THROTTLE.attempt(address, kind, account)
        if ticket is None:
            return redirect(f"{back}?failed=wait")
        if kind == "instructor" and check_instructor(account, _field("password")):
            THROTTLE.succeeded(ticket, address, kind, account)
            return _signed_in(account, "instructor", "/instructor")
        if kind == "student" and check_student(_field("code"), account, _field("pin")):
            THROTTLE.succeeded(ticket, address, kind, account)
            return _signed_in(account, "student", "/student")
    except NoCourse:
        pass
    return redirect(f"{back}?failed=1")


def _version(username: str, role: str) -> int | None:
    """The session version a valid cookie of this user carries now; None: no such user. A
    student with no passphrase has no user row: version 0 while they are on a roster."""
    user = _user(username)
    if user is not None:
        return user.session_version if user.role == role else None
    if role == "student":
        with Session(gradebook().engine) as db:
            listed = db.scalar(select(StudentRow.id).where(StudentRow.student == username))
        return 0 if listed is not None else None
    return None


def _signed_in(username: str, role: str, to: str):
    session.clear()
    session.permanent = True
    session.update(user=username, role=role, v=_version(username, role), iat=int(time.time()))
    return redirect(to)


def _logout():
    session.clear()
    return redirect("/")


def current_user() -> tuple[str, str] | None:
    """``(username, role)`` of the signed-in user, checked on the server on every call: the
    user still exists with that role, the session version matches, and the session is less
    than ``SESSION_HOURS`` old (counted from sign-in). Inside a request the Flask session says
    (checked once per request); a background callback (a worker process, no request) checks
    the cookie Dash passed on."""
    if has_request_context():
        if "workbench_user" not in g:
            g.workbench_user = _checked(session)
        return g.workbench_user
    return _checked(_cookie_session())


def _checked(data: Any) -> tuple[str, str] | None:
    user, role, version, issued = (data.get(k) for k in ("user", "role", "v", "iat"))
    if not (isinstance(user, str) and role in ROLES and isinstance(version, int)
            and isinstance(issued, int)):
        return None
    if not 0 <= time.time() - issued < SESSION_HOURS * 3600:
        return None
    try:
        if _version(user, role) != version:
            return None
    except NoCourse:
        return None
    return user, role


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
