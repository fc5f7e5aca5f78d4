"""Repeated failed sign-ins lock the account for that address for a while."""

from __future__ import annotations

from workbench.classroom.throttle import SigninThrottle

KEY = ("127.0.0.1", "instructor:teacher:")


def test_blocked_after_the_allowed_failures_until_the_window_passes():
    throttle = SigninThrottle(attempts=3, window_s=60)
    for now in (0.0, 1.0):
        throttle.failed(KEY, now)
    assert not throttle.blocked(KEY, 2.0)
    throttle.failed(KEY, 2.0)
    assert throttle.blocked(KEY, 3.0)
    assert not throttle.blocked(("127.0.0.2", KEY[1]), 3.0), "another address is not locked"
    assert not throttle.blocked(KEY, 62.5), "failures older than the window are forgotten"


def test_success_clears_the_failures():
    throttle = SigninThrottle(attempts=2, window_s=60)
    throttle.failed(KEY, 0.0)
    throttle.succeeded(KEY)
    throttle.failed(KEY, 1.0)
    assert not throttle.blocked(KEY, 1.5)
