"""Security headers: no framing, a Content-Security-Policy the offline assets satisfy — every
page still works in a real browser with the policy on, and the browser reports no violation."""

from __future__ import annotations

import pytest
from browser.conftest import Ui, chromium


def test_every_page_carries_the_headers():
    from workbench.app import create_app

    client = create_app().server.test_client()
    for path in ("/", "/logistics", "/student", "/instructor", "/demo"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["X-Frame-Options"] == "DENY"
        policy = response.headers["Content-Security-Policy"]
        assert "frame-ancestors 'none'" in policy and "default-src 'self'" in policy
        assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
        assert "'unsafe-eval'" not in policy
    assert client.get("/_dash-layout").headers["X-Frame-Options"] == "DENY"


@pytest.fixture
def logging_browser(tmp_path):
    """Headless Chromium keeping the browser's console (where CSP violations are reported)."""
    yield from chromium(tmp_path, console=True)


@pytest.mark.browser
def test_pages_work_under_the_policy(logging_browser, course_server, tmp_path):
    ui = Ui(logging_browser, course_server[0], tmp_path / "shots")
    checks = [("/", "#shell-brand"), ("/logistics", "#logistics-step-grade"),
              ("/welding", "#_pages_content > div"), ("/accounting", "#_pages_content > div"),
              ("/student", "#student-page"), ("/instructor", "#instructor-page")]
    for path, selector in checks:
        ui.open(path)
        ui.element(selector)  # rendered by Dash's scripts, so they ran under the policy
        if path == "/logistics":  # and Plotly draws its figures under it
            ui.wait(lambda d: d.find_elements("css selector", ".js-plotly-plot .main-svg"),
                    message="no Plotly figure drawn on /logistics")
    messages = [entry["message"] for entry in logging_browser.get_log("browser")]
    violations = [m for m in messages if "Content Security Policy" in m or "CSP" in m]
    assert violations == [], violations
    # the policy was really on: an inline script injected by hand is refused
    logging_browser.execute_script(
        "var s = document.createElement('script'); s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s);")
    assert logging_browser.execute_script("return window.__injected === undefined")
