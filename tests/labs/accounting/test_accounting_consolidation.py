"""Reading every house style and consolidating gives the answer key cell for cell."""

from __future__ import annotations

import shutil

import pandas as pd

from labs.accounting.evaluate import cell_accuracy
from labs.accounting.faults import MALFORMED_AMOUNT, malform_csv
from labs.accounting.generate import load_truth
from labs.accounting.pipeline import consolidate_folder


def test_pipeline_matches_truth_exactly(tiny_case):
    con = consolidate_folder(tiny_case.public)
    assert con.exceptions == []
    correct, counted = cell_accuracy(load_truth(tiny_case), con.tables)
    assert counted > 200 and correct == counted


def test_malformed_row_is_listed_not_dropped(tiny_case, tmp_path):
    public = tmp_path / "public"
    shutil.copytree(tiny_case.public, public)
    path = public / "inbox" / "DE_frankfurt_buchungen.csv"
    path.write_bytes(malform_csv(path.read_bytes()))
    assert MALFORMED_AMOUNT in path.read_text(encoding="utf-8-sig")
    con = consolidate_folder(public)
    problems = [e["problem"] for e in con.exceptions]
    assert any("is not a number" in p and MALFORMED_AMOUNT in p for p in problems)
    assert any("does not balance" in p for p in problems)


def test_unmapped_account_and_missing_export_are_exceptions(tiny_case, tmp_path):
    public = tmp_path / "public"
    shutil.copytree(tiny_case.public, public)
    amap = pd.read_csv(public / "reference" / "account_map.csv", dtype=str)
    amap = amap[~((amap["region"] == "US") & (amap["local_account"] == "10002"))]
    amap.to_csv(public / "reference" / "account_map.csv", index=False)
    (public / "inbox" / "JP_tokyo_journal.xlsx").unlink()
    con = consolidate_folder(public)
    problems = " | ".join(e["problem"] for e in con.exceptions)
    assert "local account 10002" in problems and "region JP is missing" in problems
