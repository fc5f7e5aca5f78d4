"""Every registered lab passes every conformance check (``workbench.testing.CHECKS``).

With no lab registered, or a registry that cannot load, this fails instead of passing empty.
"""

from __future__ import annotations

import pytest

from workbench import registry
from workbench.testing import CHECKS, NotApplicable, known_failures, run_check


def _params() -> list:
    try:
        found = registry.labs()
    except Exception as exc:  # report a broken entry point as a failing test, not a crash
        return [pytest.param(None, None, f"the lab registry cannot load: {exc}", id="registry")]
    if not found:
        return [pytest.param(None, None, "no lab is registered in the workbench.labs "
                             "entry-point group", id="no-labs")]
    return [pytest.param(lab, check, None, id=f"{slug}-{check.__name__}")
            for slug, lab in found.items() for check in CHECKS]


@pytest.mark.parametrize(("lab", "check", "error"), _params())
def test_conformance(lab, check, error, tmp_path):
    assert error is None, error
    try:
        reason = run_check(lab, check, tmp_path)
    except NotApplicable as exc:  # e.g. a lab whose exercise steps are not written yet
        pytest.skip(str(exc))
    if reason is not None:  # failed exactly as the lab declares, with its reason
        pytest.xfail(reason)


def test_known_failures_are_declared_with_reasons():
    for lab in registry.labs().values():
        for name, reason in known_failures(lab).items():
            assert len(reason) > 20, f"{lab.slug}.{name}: give a reason a reader can act on"


@pytest.mark.parametrize(("declared", "message"), [
    ({"check_nothing": "a reason long enough to read"}, "unknown checks"),
    ({"check_determinism": "  "}, "need a reason"),
])
def test_bad_declarations_are_refused(declared, message):
    class Declaring:
        slug = "declaring"
        known_failures = declared

    with pytest.raises(ValueError, match=message):
        known_failures(Declaring())


def test_a_declared_failure_that_passes_is_an_error(tmp_path):
    class Declaring:
        slug = "declaring"
        known_failures = {"check_determinism": "declared although the check passes"}

    def check_determinism(lab, tmp):  # stands in for a check that now passes
        return None

    with pytest.raises(AssertionError, match="remove the declaration"):
        run_check(Declaring(), check_determinism, tmp_path)
