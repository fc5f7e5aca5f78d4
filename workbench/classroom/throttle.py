"""Brute-force protection for the sign-in form.

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
address or of another account. Counts live in the server process's memory (a restart
forgets them; several server processes each count on their own).
"""

from __future__ import annotations

import threading
import time
from collections import deque

Key = tuple[str, ...]


class SigninThrottle:
    """Refuse sign-in for a while after repeated failures (see the module docstring)."""

    def __init__(self, attempts: int = 5, window_s: float = 600.0, *,
                 per_account: int = 30, per_address: int = 30, max_keys: int = 50_000):
        self.per_pair, self.window_s = attempts, window_s
        self.per_account, self.per_address, self.max_keys = per_account, per_address, max_keys
        self._failures: dict[Key, deque[float]] = {}
        self._lock = threading.Lock()

    def _keys(self, address: str, kind: str, account: str) -> list[tuple[Key, int]]:
        return [(("pair", address, kind, account), self.per_pair),
                (("account", kind, account), self.per_account),
                (("address", address), self.per_address)]

    def _recent(self, key: Key, now: float) -> deque[float]:
        times = self._failures.get(key)
        if times is None:
            return deque()
        while times and now - times[0] >= self.window_s:
            times.popleft()
        if not times:
            del self._failures[key]
        return times

    def blocked(self, address: str, kind: str, account: str, now: float | None = None) -> bool:
        """Whether a sign-in to ``account`` from ``address`` is refused without checking."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return any(len(self._recent(key, now)) >= limit
                       for key, limit in self._keys(address, kind, account))

    def failed(self, address: str, kind: str, account: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            if len(self._failures) >= self.max_keys:
                self._forget_old(now)
            for key, _ in self._keys(address, kind, account):
                self._recent(key, now)
                self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, address: str, kind: str, account: str) -> None:
        with self._lock:
            self._failures.pop(("pair", address, kind, account), None)

    def _forget_old(self, now: float) -> None:
        """Bound the memory an attacker inventing account names can take: drop counts out of
        the window, then (if still full) the oldest half."""
        for key in list(self._failures):
            self._recent(key, now)
        if len(self._failures) >= self.max_keys:
            oldest = sorted(self._failures, key=lambda k: self._failures[k][-1])
            for key in oldest[: len(oldest) // 2]:
                del self._failures[key]
