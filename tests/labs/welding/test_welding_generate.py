"""The generator: determinism, the faults in the raw logs, sizes, public/private split."""

from __future__ import annotations

import json

import numpy as np
import pytest

from labs.welding import LAB
from labs.welding import physics as ph
from labs.welding.batch import SIZE_PLAN, Plan
from workbench.datasets import sha256_tree


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, tiny_case):
    again = LAB.make_case(5, "tiny", out=tmp_path / "again")
    assert sha256_tree(again.root) == sha256_tree(tiny_case.root)
    other = LAB.make_case(6, "tiny", out=tmp_path / "other")
    assert sha256_tree(other.public) != sha256_tree(tiny_case.public)


def test_public_files_every_source_and_no_seed(tiny_case):
    logs = tiny_case.public / "logs"
    for folder, suffix in [("oven/L1", ".log"), ("oven/L2", ".jsonl"), ("oven/L3", ".log"),
                           ("spi", ".csv"), ("aoi", ".csv"), ("mes", ".csv"), ("env", ".csv"),
                           ("shift_reports", ".xlsx")]:
        assert list((logs / folder).glob(f"*{suffix}")), folder
    meta = json.loads((tiny_case.public / "case.json").read_text())
    assert "seed" not in meta and meta["transit_s"] == ph.TRANSIT_S
    assert (tiny_case.private / "answers.csv").is_file()
    assert not (tiny_case.public / "answers.csv").exists()


def test_aoi_only_for_inspected_days_holdout_for_the_rest(tiny_case):
    plan = Plan.of("tiny")
    aoi_days = {p.stem.split("_")[1] for p in (tiny_case.public / "logs" / "aoi").glob("*.csv")}
    assert len(aoi_days) == plan.first_holdout_day
    holdout = (tiny_case.public / "holdout.csv").read_text().split()[1:]
    answers = (tiny_case.private / "answers.csv").read_text().split()[1:]
    assert [a.split(",")[0] for a in answers] == holdout


def test_heater_sags_on_line2_nights_of_fault_days_only(truth_chunks):
    assert any(c.line == "L2" and c.fault_day for c in truth_chunks)
    for chunk in truth_chunks:
        z7 = chunk.oven_minutes()["zones"][:, 6]
        night = z7[960:] - chunk.burst[960:]
        if chunk.line == "L2" and chunk.fault_day:
            assert night[-60:].mean() < 235  # 4 + 2.4·7.5 h ≈ 22 °C below set point
            assert chunk.oven_minutes()["speed_sp"][960:].min() == 81
        else:
            assert abs(night.mean() - 250) < 2


def test_overshoot_bursts_only_on_line3(truth_chunks):
    assert all(c.burst.max() == 0 for c in truth_chunks if c.line != "L3")
    assert any(c.burst.max() == ph.BURST_C for c in truth_chunks if c.line == "L3")
    assert set(np.unique(np.concatenate([c.burst for c in truth_chunks]))) <= {0.0, ph.BURST_C}


def test_large_size_has_a_million_boards_and_streams():
    days, per_shift = SIZE_PLAN["large"]
    assert days * len(ph.LINES) * 3 * per_shift >= 1_000_000
    from labs.welding.batch import iter_chunks

    first = next(iter_chunks(1, "large"))  # one chunk at a time, never the whole batch
    assert 3000 < len(first.oven_in_s) < 4500


@pytest.mark.parametrize("size", ["huge", ""])
def test_unknown_size_is_refused(tmp_path, size):
    with pytest.raises(ValueError, match="size"):
        LAB.make_case(1, size, out=tmp_path / "x")
