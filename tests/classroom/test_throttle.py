"""Repeated failed sign-ins lock the account for that address, the account everywhere, and the
address for every account, each for a while."""

from __future__ import annotations

from workbench.classroom.throttle import SigninThrottle

WHO = ("127.0.0.1", "instructor", "teacher")


def test_blocked_after_the_allowed_failures_until_the_window_passes():
    throttle = SigninThrottle(attempts=3, window_s=60)
    for now in (0.0, 1.0):
        throttle.failed(*WHO, now=now)
    assert not throttle.blocked(*WHO, now=2.0)
    throttle.failed(*WHO, now=2.0)
    assert throttle.blocked(*WHO, now=3.0)
    assert not throttle.blocked("127.0.0.2", "instructor", "teacher", now=3.0), \
        "another address is not locked"
    assert not throttle.blocked("127.0.0.1", "instructor", "ta", now=3.0), \
        "another account from the address is not locked"
    assert not throttle.blocked(*WHO, now=62.5), "failures older than the window are forgotten"


def test_success_clears_only_its_own_pair():
    throttle = SigninThrottle(attempts=2, window_s=60, per_address=3)
    throttle.failed(*WHO, now=0.0)
    throttle.succeeded(*WHO)
    throttle.failed(*WHO, now=1.0)
    assert not throttle.blocked(*WHO, now=1.5)
    # signing in to one's own account does not reset what the address did to others
    throttle.failed("127.0.0.1", "student", "s01", now=2.0)
    throttle.failed("127.0.0.1", "student", "s02", now=3.0)
    throttle.succeeded("127.0.0.1", "student", "mine")
    assert throttle.blocked("127.0.0.1", "student", "s03", now=4.0)


def test_guessing_one_account_from_many_addresses_is_bounded():
    throttle = SigninThrottle(attempts=5, window_s=600, per_account=12)
    guesses = 0
    for k in range(100):  # a hundred machines, each stopping when refused
        address = f"10.0.0.{k}"
        while not throttle.blocked(address, "student", "s01", now=float(guesses)):
            throttle.failed(address, "student", "s01", now=float(guesses))
            guesses += 1
    assert guesses == 12


def test_one_address_trying_many_accounts_is_bounded():
    throttle = SigninThrottle(attempts=5, window_s=600, per_address=20)
    guesses = 0
    for k in range(100):
        account = f"s{k:02d}"
        while not throttle.blocked("10.0.0.9", "student", account, now=float(guesses)):
            throttle.failed("10.0.0.9", "student", account, now=float(guesses))
            guesses += 1
    assert guesses == 20


def test_memory_stays_bounded_when_accounts_are_invented():
    throttle = SigninThrottle(max_keys=1000, per_address=10**9)
    for k in range(5000):
        throttle.failed("10.0.0.1", "student", f"x{k}", now=float(k))
    assert len(throttle._failures) <= 1000 + 3  # checked before each failure adds its keys
