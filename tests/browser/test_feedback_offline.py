"""A feedback page copied alone into an empty folder shows its figures in Chromium, offline
(issue 12, acceptance 4)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labs.logistics import LAB
from workbench.datasets import default_case
from workbench.grading import grade, references
from workbench.grading.feedback import write_feedback

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_feedback_page_alone_shows_its_figures_offline(browser, tmp_path: Path, lang: str):
    case = default_case(LAB)
    refs = references(LAB, case)
    mine = LAB.baseline(case)
    report = grade(LAB, case, mine, refs=refs, submission="alice.json")
    written = write_feedback(LAB, case, report, {"you": mine, "baseline": refs.baseline_solution,
                                                 "reference": refs.reference_solution},
                             tmp_path / "graded" / "alice.html", lang=lang)
    alone = tmp_path / "empty" / "alice.html"
    alone.parent.mkdir()
    shutil.copy(written, alone)
    assert [p.name for p in alone.parent.iterdir()] == ["alice.html"]

    browser.set_network_conditions(offline=True, latency=0, download_throughput=0,
                                   upload_throughput=0)
    browser.get(alone.as_uri())
    from selenium.webdriver.support.ui import WebDriverWait

    def drawn(driver):
        return driver.execute_script(
            "return window.Plotly ? document.querySelectorAll('.js-plotly-plot .main-svg')"
            ".length : -1")
    WebDriverWait(browser, 60).until(lambda d: drawn(d) >= 2 * len(LAB.figures(case, {
        "baseline": refs.baseline_solution})))
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('.js-plotly-plot')].map(e => e.getBoundingClientRect().height)")
    assert sizes and all(h > 100 for h in sizes)
    marks = browser.execute_script("return document.querySelectorAll('.js-plotly-plot path, "
                                   ".js-plotly-plot .point').length")
    assert marks > 10  # traces drawn, not empty frames
    heading = "图表" if lang == "zh" else "Figures"
    assert heading in browser.find_element("tag name", "body").text
