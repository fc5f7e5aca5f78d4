"""Shared fixtures: one tiny welding case per test session (5 days, ~1,800 boards)."""

from __future__ import annotations

from pathlib import Path

import pytest

from labs.welding import LAB
from workbench.lab import Case


@pytest.fixture(scope="session")
def tiny_case(tmp_path_factory: pytest.TempPathFactory) -> Case:
    """Seed 5, size tiny: every kind of dirt (a re-sent oven and AOI file, skew, -999)."""
    return LAB.make_case(5, "tiny", out=tmp_path_factory.mktemp("welding") / "tiny5")


@pytest.fixture(scope="session")
def collected(tiny_case: Case):
    """The collection bot's table and report for the tiny case."""
    from labs.welding.collect import collect

    return collect(tiny_case.public)


@pytest.fixture(scope="session")
def tiny_reference(tiny_case: Case):
    return LAB.reference(tiny_case)


@pytest.fixture(scope="session")
def tiny_baseline(tiny_case: Case):
    return LAB.baseline(tiny_case)


def chunks_of(case: Case):
    """The hidden draws of a case (instructor side), for checks against the truth."""
    from labs.welding.batch import iter_chunks

    key = case.key()
    return list(iter_chunks(key["seed"], key["size"]))


@pytest.fixture(scope="session")
def truth_chunks(tiny_case: Case):
    return chunks_of(tiny_case)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path
