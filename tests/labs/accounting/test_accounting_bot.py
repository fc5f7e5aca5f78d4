"""The bot through its local-folder seam: exact report, faults retried or listed, PDF in Chinese."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from labs.accounting.bot import LocalFolderSource, run_bot
from labs.accounting.evaluate import cell_accuracy
from labs.accounting.faults import Faults, TransientError
from labs.accounting.generate import load_truth
from labs.accounting.submission import read_submission


def test_clean_run_matches_truth_and_uploads(tiny_case, tmp_path):
    lines = []
    result = run_bot(LocalFolderSource(tiny_case.public, outbox=tmp_path / "outbox"),
                     tmp_path / "work", echo=lines.append)
    correct, counted = cell_accuracy(load_truth(tiny_case), result.report.tables)
    assert correct == counted and result.exceptions == []
    assert {p.name for p in (tmp_path / "outbox").iterdir()} == {"consolidation.xlsx", "summary.pdf"}
    assert read_submission(result.workbook).meta["keying_seconds"] > 0
    assert any("read SH_shanghai_ledger.xlsx" in line for line in lines)
    # fpdf2's ToUnicode map of the CFF-based Noto CJK font makes pypdf emit a NUL per glyph
    text = "".join(page.extract_text() for page in PdfReader(result.pdf).pages).replace("\x00", "")
    assert "集团合并报表" in text and "净利润" in text


def test_every_injected_fault_is_retried_or_listed(tiny_case, tmp_path):
    faults = Faults.parse("locked=SZ_shenzhen_ledger.csv,corrupt=HK_hongkong_gl.xlsx,"
                          "malformed=US_newyork_journal.csv,page_fail=inbox")
    result = run_bot(LocalFolderSource(tiny_case.public, faults), tmp_path, use_rpa_excel=False)
    retries = [s for s in result.log.steps if s.status == "retry"]
    assert {s.name for s in retries} == {"open inbox", "download inbox/SZ_shenzhen_ledger.csv",
                                         "download inbox/HK_hongkong_gl.xlsx"}
    problems = [e["problem"] for e in result.exceptions]
    assert any("'12O.50'" in p for p in problems), problems
    assert any("control total" in p for p in problems), "the lost debit must show in the footer check"
    listed = read_submission(result.workbook).exceptions
    assert len(listed) == len(result.exceptions)
    # everything else is read: only the malformed line is missing from the report's lines
    correct, counted = cell_accuracy(load_truth(tiny_case), result.report.tables)
    assert 0.9 < correct / counted < 1


def test_a_file_locked_for_good_is_listed_and_the_rest_consolidated(tiny_case, tmp_path):
    faults = Faults(locked={"JP_tokyo_journal.xlsx"}, lock_times=99)
    result = run_bot(LocalFolderSource(tiny_case.public, faults), tmp_path, attempts=2,
                     use_rpa_excel=False)
    problems = " | ".join(e["problem"] for e in result.exceptions)
    assert "not downloaded" in problems and "region JP is missing" in problems
    assert "JP" not in set(result.report.tables["TB_Regions"]["region"])


def test_fault_spec_is_checked():
    with pytest.raises(ValueError, match="fault 'melted=x' not understood"):
        Faults.parse("melted=x")
    faults = Faults(locked={"a.csv"}, lock_times=1)
    with pytest.raises(TransientError, match="locked"):
        faults.serve("inbox/a.csv", b"x")
    assert faults.serve("inbox/a.csv", b"x") == b"x"
