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


def _fault(case):
    return json.loads((case.private / "batch.json").read_text())["fault"]


def test_heater_sags_on_the_fault_line_from_the_onset_only(tiny_case, truth_chunks):
    fault = _fault(tiny_case)
    assert any(c.line == fault["line"] and c.day >= fault["onset_day"] for c in truth_chunks)
    for chunk in truth_chunks:
        z7 = chunk.oven_minutes()["zones"][:, 6] - chunk.burst
        after_onset = chunk.line == fault["line"] and (
            chunk.day > fault["onset_day"] or chunk.day == fault["onset_day"])
        if after_onset:
            start = fault["onset_minute"] if chunk.day == fault["onset_day"] else 0
            sagging = 250 - z7[start:]
            # 12 °C at average heat demand: below the 20 °C alarm band, above the 5 °C warning
            assert 8 < sagging.mean() < 15 and sagging.max() < ph.ALARM_C
            assert abs(z7[:start].mean() - 250) < 1 if start > 60 else True
        else:
            assert abs(z7.mean() - 250) < 1
        assert (chunk.oven_minutes()["speed_sp"] == ph.SPEED_SP).all()  # nobody touched it


def test_fault_location_is_drawn_per_seed_and_kept_in_the_key():
    from labs.welding.batch import Plan, draw_fault

    faults = {draw_fault(seed, Plan.of("class")) for seed in range(10)}
    assert len({(f.line, f.shift, f.onset_day) for f in faults}) >= 3
    assert {f.line for f in faults} == set(ph.LINES)


def test_sag_warns_and_is_acknowledged_in_the_logs_never_alarms(tiny_case):
    fault = _fault(tiny_case)
    logs = tiny_case.public / "logs" / "oven" / fault["line"]
    text = "".join(p.read_text() for p in sorted(logs.iterdir()))
    assert "Z7_DEV_WARN" in text
    assert ("ack=OPERATOR" in text) or ('"Acknowledged":true' in text)
    assert "Z7_DEV_ALARM" not in text


def test_suspect_new_paste_lot_is_in_the_shift_report_at_the_onset(tiny_case, collected):
    fault = _fault(tiny_case)
    boards, _ = collected
    own = boards[boards["line"] == fault["line"]]
    suppliers = own.groupby("production_date")["paste_lot"].agg(lambda s: {x[0] for x in s})
    assert suppliers.iloc[0] == {"A"} and "B" in suppliers[fault["onset_date"]]
    others = boards[boards["line"] != fault["line"]]
    assert set(others["paste_lot"].str[0]) == {"A"}


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
