"""The group finance portal, and the bot driving a real headless Chromium against it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from labs.accounting.faults import Faults
from labs.accounting.portal import Portal

CHROMIUM = Path("/usr/bin/chromium")


def _ids(html: str) -> list[str]:
    return re.findall(r"id='(x[0-9a-f]{8})'", html)


def test_login_required_and_ids_change_with_the_seed(tiny_case):
    a, b = Portal(tiny_case.public, seed=1), Portal(tiny_case.public, seed=2)
    try:
        client = a.app.test_client()
        assert client.get("/inbox").status_code == 302
        page_a = client.get("/login").get_data(as_text=True)
        page_b = b.app.test_client().get("/login").get_data(as_text=True)
        assert "<label for=" in page_a and set(_ids(page_a)).isdisjoint(_ids(page_b))
        bad = client.post("/login", data={a.ids["user_name"]: a.username,
                                          a.ids["password_name"]: "wrong"})
        assert bad.status_code == 401
        ok = client.post("/login", data={a.ids["user_name"]: a.username,
                                         a.ids["password_name"]: a.password})
        assert ok.status_code == 302 and client.get("/inbox").status_code == 200
        assert client.get("/download/1").status_code == 200
    finally:
        a.stop()
        b.stop()


def test_portal_faults_answer_like_a_real_server(tiny_case):
    faults = Faults(locked={"case.json"}, page_fail={"inbox"})
    with Portal(tiny_case.public, faults=faults) as portal:
        client = portal.app.test_client()
        client.post("/login", data={portal.ids["user_name"]: portal.username,
                                    portal.ids["password_name"]: portal.password})
        assert client.get("/inbox").status_code == 503
        assert client.get("/inbox").status_code == 200
        assert client.get("/download/1").status_code == 423


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.is_file(), reason="needs Debian chromium and chromium-driver")
@pytest.mark.parametrize("spec", ["", "page_fail=login,locked=SZ_shenzhen_ledger.csv,"
                                      "corrupt=HK_hongkong_gl.xlsx,malformed=DE_frankfurt_buchungen.csv"],
                         ids=["clean", "faults"])
def test_bot_in_chromium_against_the_portal(tiny_case, tmp_path, spec):
    from labs.accounting.bot import run_bot
    from labs.accounting.browser import PortalSource
    from labs.accounting.evaluate import cell_accuracy
    from labs.accounting.generate import load_truth
    from labs.accounting.submission import read_submission

    with Portal(tiny_case.public, seed=5, faults=Faults.parse(spec)) as portal:
        source = PortalSource(portal.url, portal.username, portal.password)
        result = run_bot(source, tmp_path / "work")
        uploads = portal.uploads()
    assert [u["filename"] for u in uploads] == ["consolidation.xlsx", "summary.pdf"]
    assert uploads[0]["content"] == result.workbook.read_bytes()
    correct, counted = cell_accuracy(load_truth(tiny_case), read_submission(result.workbook).tables)
    if not spec:
        assert correct == counted and result.exceptions == []
        return
    retried = {s.name for s in result.log.steps if s.status == "retry"}
    assert retried == {"log in", "download inbox/SZ_shenzhen_ledger.csv",
                       "download inbox/HK_hongkong_gl.xlsx"}
    problems = [e["problem"] for e in result.exceptions]
    assert any("'12O.50'" in p for p in problems) and any("does not balance" in p for p in problems)
    assert 0.9 < correct / counted < 1
