"""Fixtures of the accounting lab: one tiny case per session (six regions, ~720 entries)."""

from __future__ import annotations

import pytest

from labs.accounting import LAB


@pytest.fixture(scope="session")
def tiny_case(tmp_path_factory):
    """ok_tiny: seed 11, six regional exports, one month."""
    return LAB.make_case(11, "tiny", out=tmp_path_factory.mktemp("accounting") / "tiny")


@pytest.fixture(scope="session")
def tiny_reference(tiny_case):
    return LAB.reference(tiny_case)


@pytest.fixture(scope="session")
def tiny_baseline(tiny_case):
    return LAB.baseline(tiny_case)
