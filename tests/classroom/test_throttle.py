"""Repeated failed sign-ins lock the account for that address, the account everywhere, and the
address for every account, each for a while. The counts live in the gradebook (SQLite and
PostgreSQL): two throttles on one database, and two ``workbench serve`` processes on one
course, share one count."""

from __future__ import annotations

import os
import threading
from contextlib import ExitStack

import pytest
import requests
from scale.test_serve_db import serving
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workbench.classroom.models import SigninFailureRow
from workbench.classroom.throttle import SigninThrottle
from workbench.store import DB_ENV, Gradebook

from .conftest import PASSWORD

WHO = ("127.0.0.1", "instructor", "teacher")


@pytest.fixture
def engine(db_url):
    book = Gradebook(db_url)  # migrated to head: the table comes from the Alembic revision
    yield book.engine
    book.close()


def rows(engine) -> int:
    with Session(engine) as db:
        return db.scalar(select(func.count()).select_from(SigninFailureRow)) or 0


def test_blocked_after_the_allowed_failures_until_the_window_passes(engine):
    throttle = SigninThrottle(attempts=3, window_s=60, engine=engine)
    for now in (0.0, 1.0):
        throttle.failed(*WHO, now=now)
    assert not throttle.blocked(*WHO, now=2.0)
    throttle.failed(*WHO, now=2.0)
    assert throttle.blocked(*WHO, now=3.0)
    assert throttle.attempt(*WHO, now=3.0) is None, "refused unchecked, and not counted"
    assert not throttle.blocked("127.0.0.2", "instructor", "teacher", now=3.0), (
        "another address is not locked by this pair"
    )
    assert not throttle.blocked("127.0.0.1", "instructor", "ta", now=3.0), (
        "another account is not locked by this pair"
    )
    assert not throttle.blocked(*WHO, now=62.5), "failures older than the window are forgotten"


def test_a_success_clears_only_its_own_pair(engine):
    throttle = SigninThrottle(attempts=2, window_s=60, per_address=3, engine=engine)
    throttle.failed(*WHO, now=0.0)
    throttle.succeeded(throttle.attempt(*WHO, now=0.5), *WHO)  # right password: no failure
    throttle.failed(*WHO, now=1.0)
    assert not throttle.blocked(*WHO, now=1.5)
    # signing in to one's own account does not reset the address's count for other accounts
    throttle.failed("127.0.0.1", "student", "s01", now=2.0)
    throttle.failed("127.0.0.1", "student", "s02", now=3.0)
    mine = throttle.attempt("127.0.0.1", "student", "mine", now=3.5)
    assert mine is None, "the address has 3 failures (teacher, s01, s02): locked"
    assert throttle.blocked("127.0.0.1", "student", "s03", now=4.0)


def test_guessing_from_many_addresses_locks_the_account(engine):
    throttle = SigninThrottle(attempts=5, window_s=600, per_account=12, engine=engine)
    guesses = 0
    for k in range(10):  # ten machines, each staying under the per-pair limit
        address = f"10.0.0.{k}"
        while not throttle.blocked(address, "student", "s01", now=float(guesses)):
            throttle.failed(address, "student", "s01", now=float(guesses))
            guesses += 1
    assert guesses == 12


def test_one_address_trying_many_accounts_is_locked(engine):
    throttle = SigninThrottle(attempts=5, window_s=600, per_address=20, engine=engine)
    guesses = 0
    for k in range(50):
        account = f"s{k:02d}"
        while not throttle.blocked("10.0.0.9", "student", account, now=float(guesses)):
            throttle.failed("10.0.0.9", "student", account, now=float(guesses))
            guesses += 1
    assert guesses == 20


def test_counts_are_shared_through_the_database_and_stay_small(engine):
    one = SigninThrottle(attempts=4, window_s=60, engine=engine)
    two = SigninThrottle(attempts=4, window_s=60, engine=engine)  # another process's throttle
    for k, throttle in enumerate((one, two, one, two)):
        assert throttle.attempt(*WHO, now=float(k)) is not None
    assert one.blocked(*WHO, now=5.0) and two.blocked(*WHO, now=5.0)
    assert one.attempt(*WHO, now=5.0) is None and two.attempt(*WHO, now=5.0) is None
    with Session(engine) as db:
        keys = set(db.scalars(select(SigninFailureRow.key)))
    assert keys and not any("teacher" in key for key in keys), "digests, no names in clear"
    # rows older than the window go as new attempts come in: an attacker inventing accounts
    # fills the table only for one window
    assert rows(engine) == 4 * 3
    one.failed("10.9.9.9", "student", "someone", now=200.0)
    assert rows(engine) == 3
    one.clear()
    assert rows(engine) == 0


def test_guesses_at_the_same_moment_get_no_more_than_the_limit(engine):
    """Counted before the check: 16 sign-ins arriving together, each with its own database
    connection (as from several processes), get exactly 5 password checks."""
    throttle = SigninThrottle(attempts=5, window_s=600, engine=engine)
    barrier, tickets = threading.Barrier(16), []

    def guess() -> None:
        barrier.wait()
        tickets.append(throttle.attempt(*WHO))

    threads = [threading.Thread(target=guess) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    checked = [t for t in tickets if t is not None]
    assert len(tickets) == 16 and len(checked) <= 5
    assert checked, "the first guesses are checked"


# ---- two serving processes, one course ------------------------------------------------------


def sign_in(base: str, **form: str) -> str:
    answer = requests.post(
        f"{base}/auth/login", data={"kind": "instructor", **form}, allow_redirects=False, timeout=30
    )
    assert answer.status_code == 302, answer.text[:300]
    return answer.headers["Location"]


def test_two_serving_processes_share_the_lockout(course):
    """Guesses alternate between two servers of one course: the lock comes after 5 guesses
    in all (not 5 per process) and holds on both, junk fields or not, even for the right
    password; another account still signs in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKBENCH_")}
    extra = ["--db", os.environ[DB_ENV]] if os.environ.get(DB_ENV) else []
    with ExitStack() as stack:
        one, two = (stack.enter_context(serving(course, env, *extra)) for _ in range(2))
        answers = [
            sign_in((one, two)[k % 2], username="teacher", password=f"guess{k}") for k in range(5)
        ]
        assert all(a.endswith("?failed=1") for a in answers), answers
        for base in (one, two):
            assert sign_in(base, username="teacher", password="guess").endswith("?failed=wait")
            assert sign_in(
                base, username="teacher", password=PASSWORD, student="junk", extra="1"
            ).endswith("?failed=wait")
        # the lock is the pair's, not the server's: a student still signs in on either
        from workbench.classroom import class_code

        for base in (one, two):
            answer = requests.post(
                f"{base}/auth/login",
                allow_redirects=False,
                timeout=30,
                data={"kind": "student", "code": class_code(), "student": "s01"},
            )
            assert answer.headers["Location"] == "/student"
