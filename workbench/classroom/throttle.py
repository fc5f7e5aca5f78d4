"""Brute-force protection for the sign-in form."""

from __future__ import annotations

import threading
import time


class SigninThrottle:
    """Refuse sign-in for a while after repeated failures from one address for one account, so
    passwords and PINs cannot be guessed by brute force (in memory: one server process)."""

    def __init__(self, attempts: int = 5, window_s: float = 600.0):
        self.attempts, self.window_s = attempts, window_s
        self._failures: dict[tuple[str, str], list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self._failures.get(key, []) if now - t < self.window_s]
        self._failures[key] = times
        return times

    def blocked(self, key: tuple[str, str], now: float | None = None) -> bool:
        with self._lock:
            return len(self._recent(key, now or time.monotonic())) >= self.attempts

    def failed(self, key: tuple[str, str], now: float | None = None) -> None:
        with self._lock:
            now = now or time.monotonic()
            self._recent(key, now).append(now)

    def succeeded(self, key: tuple[str, str]) -> None:
        with self._lock:
            self._failures.pop(key, None)
