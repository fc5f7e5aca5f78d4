"""Brute-force protection for the sign-in form, shared by every process serving a course.

Failures are counted under three keys, each built only from what the password check actually
uses (the form kind and the account it names) and the client's address — never from other
form fields, so extra or junk fields cannot open a fresh count:

- one account from one address: ``per_pair`` failures lock that pair;
- one account from anywhere: ``per_account`` failures lock the account (guessing spread over
  many addresses);
- one address, any account: ``per_address`` failures lock the address (one machine trying
  many accounts).

A lock lasts until the failures fall out of the ``window_s`` window. A successful sign-in
clears only its own pair: signing in to one's own account never resets the counts of an
address or of another account.

The counts live in the course's gradebook (table ``signin_failures``, SQLite or PostgreSQL),
so every process serving the course — several ``workbench serve`` processes, gunicorn
workers, with or without Celery — counts the same failures, and a restart forgets nothing.
Each sign-in is counted *before* its password is checked (:meth:`SigninThrottle.attempt`):
its rows are committed first and the counts read afterwards, so of any number of guesses
arriving at once from any number of processes at most the limit get their password checked;
a success then takes its rows back. Keys are stored as SHA-256 digests, never the typed
account name; rows older than the window are deleted as new attempts come in.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workbench.classroom.models import SigninFailureRow as Row


def _digest(*parts: str) -> str:
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


class SigninThrottle:
    """Refuse sign-in for a while after repeated failures (see the module docstring).

    ``engine``: the database holding the counts (an engine, or a function returning one);
    by default the served course's gradebook, looked up at each call."""

    def __init__(
        self,
        attempts: int = 5,
        window_s: float = 600.0,
        *,
        per_account: int = 30,
        per_address: int = 30,
        engine: Engine | Callable[[], Engine] | None = None,
    ):
        self.per_pair, self.window_s = attempts, window_s
        self.per_account, self.per_address = per_account, per_address
        self._engine = engine

    def engine(self) -> Engine:
        if isinstance(self._engine, Engine):
            return self._engine
        if self._engine is not None:
            return self._engine()
        from workbench.classroom.course import gradebook

        return gradebook().engine

    def _keys(self, address: str, kind: str, account: str) -> list[tuple[str, int]]:
        return [
            (_digest("pair", address, kind, account), self.per_pair),
            (_digest("account", kind, account), self.per_account),
            (_digest("address", address), self.per_address),
        ]

    def _over(
        self, db: Session, keys: list[tuple[str, int]], now: float, *, counting_self: bool
    ) -> bool:
        digests = [key for key, _ in keys]
        counts = dict(
            db.execute(
                select(Row.key, func.count())
                .where(Row.key.in_(digests), Row.at > now - self.window_s)
                .group_by(Row.key)
            ).all()
        )
        # an attempt already written counts itself: it is over when more than the limit are
        return any(counts.get(key, 0) > limit - (0 if counting_self else 1) for key, limit in keys)

    def attempt(
        self, address: str, kind: str, account: str, now: float | None = None
    ) -> str | None:
        """Count a sign-in to ``account`` from ``address`` as a failure before its password
        is checked; return its ticket, or ``None`` when a lock refuses it unchecked (then it
        is not counted). Pass the ticket to :meth:`succeeded` when the password was right."""
        now = time.time() if now is None else now
        keys = self._keys(address, kind, account)
        ticket = uuid.uuid4().hex
        engine = self.engine()
        with Session(engine) as db, db.begin():
            db.execute(delete(Row).where(Row.at <= now - self.window_s))
            db.add_all(Row(key=key, attempt=ticket, at=now) for key, _ in keys)
        # committed first, counted afterwards: an attempt sees every attempt committed before
        # its count, its own included, so at most ``limit`` of them see no more than the limit
        with Session(engine) as db:
            over = self._over(db, keys, now, counting_self=True)
        if over:
            with Session(engine) as db, db.begin():
                db.execute(delete(Row).where(Row.attempt == ticket))
            return None
        return ticket

    def succeeded(self, ticket: str, address: str, kind: str, account: str) -> None:
        """The password of the attempt ``ticket`` was right: it was no failure, and the
        failures of its pair (account from address) are forgotten."""
        pair = self._keys(address, kind, account)[0][0]
        with Session(self.engine()) as db, db.begin():
            db.execute(delete(Row).where(or_(Row.attempt == ticket, Row.key == pair)))

    def blocked(self, address: str, kind: str, account: str, now: float | None = None) -> bool:
        """Whether a sign-in to ``account`` from ``address`` would be refused unchecked now."""
        now = time.time() if now is None else now
        with Session(self.engine()) as db:
            return self._over(db, self._keys(address, kind, account), now, counting_self=False)

    def failed(self, address: str, kind: str, account: str, now: float | None = None) -> None:
        """Count one failure (an attempt whose password was wrong)."""
        self.attempt(address, kind, account, now)

    def clear(self) -> None:
        """Forget every count (e.g. after a class-wide lockout)."""
        with Session(self.engine()) as db, db.begin():
            db.execute(delete(Row))
