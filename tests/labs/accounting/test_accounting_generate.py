"""The generator: messy regional exports, a balanced answer key, labelled anomalies."""

from __future__ import annotations

import zipfile

import pandas as pd
import pytest

from labs.accounting import LAB
from labs.accounting.anomalies import ANOMALY_TYPES
from labs.accounting.chart import REGIONS
from labs.accounting.generate import load_anomalies, load_truth
from workbench.testing import _same_tree


def test_same_seed_same_bytes_including_excel(tmp_path):
    a = LAB.make_case(4, "tiny", out=tmp_path / "a")
    b = LAB.make_case(4, "tiny", out=tmp_path / "b")
    assert _same_tree(a.root, b.root) == []
    assert len(list(a.public.glob("inbox/*.xlsx"))) == 3


def test_at_least_six_regions_each_with_its_export(tiny_case):
    files = {p.name for p in (tiny_case.public / "inbox").iterdir()}
    assert len(REGIONS) >= 6 and files == {r.file for r in REGIONS}


def test_exports_are_messy_in_the_documented_ways(tiny_case):
    inbox = tiny_case.public / "inbox"
    sz = (inbox / "SZ_shenzhen_ledger.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        sz.decode("utf-8")
    assert sz.decode("gbk").startswith("凭证字号,日期")
    de = (inbox / "DE_frankfurt_buchungen.csv").read_text(encoding="utf-8-sig")
    assert de.splitlines()[0].startswith("Beleg;Belegdatum") and "," in de.splitlines()[1]
    sh = pd.read_excel(inbox / "SH_shanghai_ledger.xlsx", sheet_name=None, header=None)
    assert len(sh) == 2 and "说明" in sh
    with zipfile.ZipFile(inbox / "SH_shanghai_ledger.xlsx") as z:
        sheet = z.read("xl/worksheets/sheet2.xml").decode()
    assert sheet.count("<mergeCell ") > 100  # title rows and per-voucher merged cells
    us = (inbox / "US_newyork_journal.csv").read_text().splitlines()
    assert "Total" in us[-1]


def test_truth_balances_everywhere(tiny_case):
    truth = load_truth(tiny_case)
    tb = truth["TB_Consolidated"]
    assert abs(tb["debit"].sum() - tb["credit"].sum()) < 0.005
    regions = truth["TB_Regions"]
    per_region = (regions["debit"] - regions["credit"]).groupby(regions["region"]).sum()
    assert per_region.abs().max() < 0.005
    bs = truth["BS"].set_index("line")["amount"]
    assert abs(bs["TOTAL_ASSETS"] - bs["TOTAL_LIABILITIES_AND_EQUITY"]) < 0.005
    ic = tb[tb["account"].isin(["1250", "2250", "4800", "6800"])]
    assert (ic[["debit", "credit"]] == 0).all().all(), "intercompany must be eliminated"
    assert (truth["Eliminations"]["debit"] + truth["Eliminations"]["credit"]).gt(0).sum() >= 6


def test_every_anomaly_type_is_planted_and_labelled(tiny_case):
    labels = load_anomalies(tiny_case)
    assert len(ANOMALY_TYPES) >= 8
    assert set(labels["type"]) == set(ANOMALY_TYPES)
    assert labels["entry_id"].is_unique
    public_text = " ".join(p.name for p in tiny_case.public.rglob("*"))
    assert "anomal" not in public_text


def test_unknown_size_is_refused(tmp_path):
    with pytest.raises(ValueError, match="size 'huge' not understood"):
        LAB.make_case(1, "huge", out=tmp_path)


def test_chunked_generation_streams_and_still_matches(tmp_path, monkeypatch):
    """Large cases are written chunk by chunk; the same path on a tiny case, with tiny chunks."""
    from labs.accounting import generate
    from labs.accounting.evaluate import cell_accuracy
    from labs.accounting.pipeline import consolidate_folder

    monkeypatch.setattr(generate, "CHUNK", 40)
    case = LAB.make_case(2, "tiny", out=tmp_path / "chunked")
    con = consolidate_folder(case.public)
    assert con.exceptions == []
    docs = con.lines.groupby("region")["doc"].agg(["min", "max", "nunique"])
    assert docs["max"].max() > 100, "several chunks of 40 entries"
    assert (docs["min"] == 1).all() and (docs["nunique"] == docs["max"]).all(), \
        "document numbers run on from chunk to chunk, without gaps or restarts"
    assert con.lines.groupby("entry_id").size().min() >= 2
    correct, counted = cell_accuracy(load_truth(case), con.tables)
    assert correct == counted
