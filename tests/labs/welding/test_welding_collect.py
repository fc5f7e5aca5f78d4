"""The collection bot: one test per kind of dirt, and the joined values against the truth."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest

from labs.welding.collect import collect, find_sources, load_boards


def test_finds_every_source(tiny_case):
    files = find_sources(tiny_case.public)
    oven = tiny_case.public / "logs" / "oven"
    assert files["oven_a"] == sorted(oven.glob("*/*.log")) and len(files["oven_a"]) >= 10
    assert files["oven_b"] == sorted(oven.glob("L2/*.jsonl"))
    assert len(files["shift_reports"]) == 3 and len(files["mes"]) == 5


def test_resent_files_become_dropped_duplicates(tiny_case, collected):
    boards, report = collected
    resent = json.loads((tiny_case.private / "batch.json").read_text())["resent_files"]
    assert report.duplicates_dropped["oven"] == 1440  # one whole day of minutes, sent twice
    assert report.duplicates_dropped["aoi"] > 0
    assert boards["serial"].is_unique
    assert any("duplicate" in f for f in report.fixes()), resent


def test_clock_skew_of_line3_is_found_and_corrected(collected):
    _, report = collected
    assert report.clock_skew_s == {"L1": 0.0, "L2": 0.0, "L3": 90.0}
    assert any("L3" in f and "-90 s" in f for f in report.fixes())


def test_missing_values_are_counted_and_emptied(collected):
    boards, report = collected
    assert report.missing_values["paste_pct"] > 0 and report.missing_values["rh_pct"] > 0
    assert report.missing_values["z7_pv"] > 0 and report.filled_from_previous_minute > 0
    assert (boards.select_dtypes("number") == -999).sum().sum() == 0


def test_units_are_converted(collected):
    boards, report = collected
    assert report.unit_conversions["conveyor speeds from mm/s to cm/min"] > 0
    assert report.unit_conversions["SPI volumes from ratio to percent"] > 0
    assert boards.groupby("line")["conv_cm_min"].median().between(70, 82).all()
    assert boards.groupby("line")["paste_pct"].median().between(90, 110).all()


def test_false_calls_are_not_defects(collected):
    boards, report = collected
    assert report.false_calls_overturned > 0
    assert (boards.loc[boards["defect"] == 1, "defect_code"] != "").all()


def test_joined_readings_are_the_ones_each_board_met(collected, truth_chunks):
    from labs.welding.simulate import realise

    boards, _ = collected
    truth = pd.concat([pd.DataFrame({"serial": c.serials,
                                     "z7_true": realise(c)["readings"]["z7_pv"],
                                     "conv_true": realise(c)["readings"]["conv_cm_min"]})
                       for c in truth_chunks])
    both = boards.merge(truth, on="serial")
    assert len(both) == len(boards) == len(truth)
    close = (both["z7_pv"] - both["z7_true"]).abs() <= 0.051
    assert close.mean() > 0.99  # the rest were -999 readings filled from the minute before
    assert ((both["conv_cm_min"] - both["conv_true"]).abs() <= 0.06).mean() > 0.99


def test_without_skew_correction_line3_would_be_misjoined(tiny_case, monkeypatch,
                                                          truth_chunks):
    """The skew matters: without the correction line 3's boards meet the wrong minutes."""
    from labs.welding import collect as bot
    from labs.welding.simulate import realise

    monkeypatch.setattr(bot, "correct_skew", lambda readings, *args: readings)
    boards, _ = bot.collect(tiny_case.public)
    truth = pd.concat([pd.DataFrame({"serial": c.serials,
                                     "z7_true": realise(c)["readings"]["z7_pv"]})
                       for c in truth_chunks if c.line == "L3"])
    both = boards.merge(truth, on="serial")
    assert ((both["z7_pv"] - both["z7_true"]).abs() <= 0.051).mean() < 0.5


def test_writes_table_and_report(tiny_case, tmp_path):
    boards, report = collect(tiny_case.public, tmp_path / "out")
    again = load_boards(tmp_path / "out" / "boards.csv")
    assert len(again) == len(boards) and set(again["split"]) == {"train", "holdout"}
    data = json.loads((tmp_path / "out" / "collection_report.json").read_text())
    assert data["rows_read"]["oven"] > 0 and data["fixes"]
    assert data["boards"] == len(boards)


def test_a_broken_log_line_is_named(tiny_case, tmp_path):
    copy = tmp_path / "case"
    shutil.copytree(tiny_case.public, copy)
    log = sorted((copy / "logs" / "oven" / "L1").glob("*.log"))[0]
    log.write_text(log.read_text() + "garbage\n")
    with pytest.raises(ValueError, match=rf"{log.name} line \d+"):
        collect(copy)


def test_missing_logs_folder_is_explained(tmp_path):
    (tmp_path / "case.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="no logs folder"):
        collect(tmp_path)


def test_bot_reads_the_excel_shift_reports_with_merged_headers(collected):
    boards, report = collected
    assert report.rows_read["shift_reports"] == 5 * 3 * 3
    assert set(np.unique(boards["conv_sp"])) == {75}
    assert boards["paste_lot"].notna().all() and boards["paste_lot"].nunique() >= 2
