"""The workbook contract: round trip, and specific messages for malformed workbooks."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from labs.accounting import LAB
from workbench.lab import SubmissionError


@pytest.fixture
def good_file(tiny_reference, tmp_path):
    return LAB.write_submission(tiny_reference, tmp_path / "report.xlsx")


def test_round_trip_keeps_metrics(tiny_case, tiny_reference, good_file):
    again = LAB.read_submission(good_file)
    assert LAB.validate(tiny_case, again) == []
    assert LAB.evaluate(tiny_case, again) == pytest.approx(LAB.evaluate(tiny_case, tiny_reference))


def test_workbook_bytes_are_reproducible(tiny_reference, tmp_path):
    a = LAB.write_submission(tiny_reference, tmp_path / "a.xlsx").read_bytes()
    assert a == LAB.write_submission(tiny_reference, tmp_path / "b.xlsx").read_bytes()


def _edit(path, edit):
    wb = load_workbook(path)
    edit(wb)
    wb.save(path)
    return path


def test_missing_sheet_is_named(good_file):
    _edit(good_file, lambda wb: wb.remove(wb["PL"]))
    with pytest.raises(SubmissionError, match="sheet\\(s\\) 'PL' missing"):
        LAB.read_submission(good_file)


def test_text_in_a_number_cell_names_row_and_column(good_file):
    _edit(good_file, lambda wb: wb["BS"].cell(3, 3, "lots"))
    with pytest.raises(SubmissionError, match="sheet 'BS' row 3 column 'amount': 'lots' is not a number"):
        LAB.read_submission(good_file)


def test_wrong_account_and_unbalanced_totals(tiny_case, good_file):
    def edit(wb):
        ws = wb["TB_Consolidated"]
        ws.cell(2, 1, "1999")
        ws.cell(3, 3, (ws.cell(3, 3).value or 0) + 100)
    report = LAB.read_submission(_edit(good_file, edit))
    messages = [str(p) for p in LAB.validate(tiny_case, report)]
    assert any("TB_Consolidated row 2: account '1999' is not in the group chart" in m for m in messages)
    assert any("differs from total credit" in m and "must balance" in m for m in messages)


def test_unknown_entry_in_flags(tiny_case, good_file):
    _edit(good_file, lambda wb: wb["Flags"].cell(2, 1, "XX-999999"))
    problems = LAB.validate(tiny_case, LAB.read_submission(good_file))
    assert [p.affects for p in problems] == [("anomaly_ap", "precision_at_k", "recall_at_k",
                                              "false_positives")]
    assert "'XX-999999' is not in any regional export" in str(problems[0])


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 broken", "不是工作簿".encode()])
def test_not_a_workbook(tmp_path, content):
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    with pytest.raises(SubmissionError, match="x.xlsx"):
        LAB.read_submission(path)
