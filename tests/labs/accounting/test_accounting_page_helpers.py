"""The page's pure helpers, without a browser (the walk-through is tests/browser)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from labs.accounting import page
from workbench.i18n import missing_translations


@pytest.fixture
def on_tiny(tiny_case, monkeypatch):
    monkeypatch.setattr(page, "case", lambda: tiny_case)
    page.entries.cache_clear()
    yield tiny_case
    page.entries.cache_clear()


def test_inbox_shows_the_raw_file(on_tiny):
    facts, preview = page.inbox_view("SZ_shenzhen_ledger.csv")
    assert "GBK" in str(facts) and "凭证字号" in str(preview)
    assert "merged cells" in str(page.inbox_view("SH_shanghai_ledger.xlsx")[0])
    assert "No such file" in str(page.inbox_view("../../etc/passwd"))


def test_why_flagged_and_report_preview(on_tiny, tiny_reference):
    top = tiny_reference.flags["entry_id"].iloc[0]
    figure, facts = page.why_flagged(top)
    assert figure.data[0].x.max() > 0 and "amount" in str(facts)
    assert "Currency translation difference" in str(page.sheet_table(tiny_reference, "TB_Consolidated"))
    assert "Run the bot first" in str(page.sheet_table(None, "PL"))


def test_every_visible_text_has_a_translation():
    tree = ast.parse(Path(page.__file__).read_text(encoding="utf-8"))
    texts = {node.args[0].value for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "t" and node.args and isinstance(node.args[0], ast.Constant)}
    assert len(texts) > 10  # the framework's lab page holds the rest
    assert missing_translations(sorted(texts)) == []
