"""Fixtures for the framework tests: the fake lab, a tiny case of it, and a registry seam."""

from __future__ import annotations

import pytest

from workbench import registry

from .fakelab import FAKE, FakeLab


@pytest.fixture
def lab() -> FakeLab:
    return FAKE


@pytest.fixture
def case(lab, tmp_path):
    """tiny_case: 5 hidden targets, seed 1."""
    return lab.make_case(1, "tiny", out=tmp_path / "case")


@pytest.fixture
def fake_registered(monkeypatch, lab):
    """Make the registry (and so the CLI) see only the fake lab."""
    monkeypatch.setattr(registry, "labs", lambda: {lab.slug: lab})
    return lab
