"""Issue 12, acceptance 5: every demo step of every lab fits a 1920×1080 projector without
scrolling (measured in Chromium), in the fixed colour code."""

from __future__ import annotations

import pytest

from workbench.registry import labs

pytestmark = pytest.mark.browser
SEED = 11


@pytest.mark.parametrize("slug", sorted(labs()))
def test_every_demo_step_fits_1920_by_1080(ui, slug):
    from selenium.webdriver.common.by import By

    ui.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False})
    ui.open(f"/demo/{slug}?seed={SEED}&size=tiny&step=1")
    ui.text_in("#demo-counter", "1", timeout=300)
    count = int(ui.element("#demo-counter").text.split()[-1].strip("步"))
    for k in range(1, count + 1):
        ui.open(f"/demo/{slug}?seed={SEED}&size=tiny&step={k}")
        ui.text_in("#demo-counter", f"Step {k} of {count}", timeout=300)
        ui.wait(lambda d: d.find_element(By.ID, "demo-body").text.strip()
                or d.find_elements(By.CSS_SELECTOR, "#demo-body .js-plotly-plot"),
                timeout=300, message=f"step {k} shows nothing")
        ui.wait(lambda d: not d.find_element(By.ID, "demo-body").get_attribute("style"),
                timeout=300, message=f"step {k} did not finish rendering")
        ui.wait(lambda d: d.execute_script(  # every graph drawn (plotly.js loads lazily)
            "return [...document.querySelectorAll('#demo-body .dash-graph')]"
            ".every(e => e.querySelector('.js-plotly-plot .main-svg'))"), timeout=60,
            message=f"{slug} step {k}: a figure was not drawn")
        height, viewport, width = ui.driver.execute_script(
            "return [document.documentElement.scrollHeight, window.innerHeight,"
            " document.documentElement.scrollWidth]")
        ui.screenshot(f"demo-{slug}-{k}", full_page=False)
        assert viewport == 1080 and width <= 1920
        assert height <= viewport, f"{slug} step {k}: {height} px tall on a 1080 px screen"
    colours = ui.driver.execute_script(
        "return [...document.querySelectorAll('.demo-delta')].map(e => e.style.color)")
    assert colours and set(colours) <= {"rgb(31, 111, 209)", "rgb(140, 140, 140)"}
