"""The student toolkit: reference tables, export helpers, the report writer and the self-check."""

from __future__ import annotations

import pandas as pd
import pytest

from labs.accounting import LAB, kit
from labs.accounting.pipeline import parsed_case


def test_reference_tables_and_inbox(tiny_case):
    ref = kit.Reference.load(tiny_case.public)
    assert set(ref.regions["region"]) == {"SH", "SZ", "HK", "DE", "US", "JP"}
    assert {"closing_rate", "average_rate", "historical_rate"} <= set(ref.fx.columns)
    assert ref.account_type["3000"] == "equity" and ref.account_type["4000"] == "revenue"
    assert all(p.is_file() for p in ref.inbox(tiny_case.public).values())


def test_export_helpers_decode_and_sniff(tiny_case):
    inbox = kit.Reference.load(tiny_case.public).inbox(tiny_case.public)
    text, encoding = kit.read_text(inbox["SZ"])
    assert encoding == "gbk" and "借方" in text
    text, encoding = kit.read_text(inbox["DE"])
    assert encoding == "utf-8-sig" and kit.sniff_separator(text) == ";"
    assert kit.decode_text(b"\xff\xfe\x00bad\x81") is None
    sheets = kit.raw_sheets(inbox["HK"])
    assert "Summary" in sheets and all(isinstance(df, pd.DataFrame) for df in sheets.values())
    assert kit.entry_ids("SH", [12, 345]) == ["SH-000012", "SH-000345"]


def test_write_report_round_trips_and_self_check(tiny_case, tiny_reference, tmp_path):
    path = kit.write_report(
        tmp_path / kit.SUBMISSION_NAME,
        tiny_reference.tables,
        tiny_reference.flags,
        tiny_reference.meta,
    )
    again = LAB.read_submission(path)
    assert LAB.evaluate(tiny_case, again)["report_accuracy"] == pytest.approx(1.0)
    ids = set(parsed_case(tiny_case.public).lines["entry_id"])
    assert kit.self_check(tiny_case.public, again.tables, again.flags, ids) == []
    broken = {k: v.copy() for k, v in again.tables.items()}
    broken["TB_Consolidated"].loc[0, "debit"] += 100.0
    flags = again.flags.copy()
    flags.loc[0, "risk_score"] = -1.0
    problems = kit.self_check(tiny_case.public, broken, flags, ids)
    assert any("must balance" in p for p in problems)
    assert any("not a number >= 0" in p for p in problems)
    zh = kit.self_check(tiny_case.public, broken, flags, ids, lang="zh")
    assert len(zh) == len(problems)
    assert any("TB_Consolidated" in p and "借方" in p for p in zh), zh  # the sheet, verbatim


def test_benford_helpers():
    amounts = pd.Series([1.5, 23.0, 0.0042, 987.0])
    assert kit.first_digits(amounts).tolist() == [1, 2, 4, 9]
    table = kit.benford_by_region(pd.DataFrame({"region": ["A"] * 4, "amount": amounts}))
    assert len(table) == 9 and table["observed"].sum() == pytest.approx(1.0)
