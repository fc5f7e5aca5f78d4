"""Real-browser fixtures: the workbench app on a local port and a headless Chromium.

``live_server`` yields the base URL of ``create_app()`` served by werkzeug in a thread;
``browser`` a selenium Chrome driver on Debian's chromium; ``ui`` waiting helpers bound to both
(``open``, ``element``, ``text_in``, ``click_text``, ``upload``, ``screenshot``). Tests using
them carry ``@pytest.mark.browser``; a lab's browser test lives next to this file.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HEADLESS_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run")
WAIT_SECONDS = 60


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """Base URL (``http://127.0.0.1:<port>``) of a fresh app; shut down after the session."""
    from werkzeug.serving import make_server

    from workbench.app import create_app

    app = create_app()
    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="workbench-live-server",
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def chromium(tmp_path: Path, *, console: bool = False) -> Iterator[Any]:
    """Headless Chromium (1400×1000) with a fresh profile in ``tmp_path``; ``console`` keeps
    the browser's console log. Quits when the generator is closed."""
    if not CHROMIUM.is_file():
        pytest.skip(f"needs {CHROMIUM} (Debian packages chromium, chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ["SE_OFFLINE"] = "true"  # selenium-manager must not try to download a driver
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in HEADLESS_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.add_argument("--window-size=1400,1000")
    if console:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_window_size(1400, 1000)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(tmp_path: Path):
    """Headless Chromium (1400×1000) with a fresh profile; quits after the test."""
    yield from chromium(tmp_path)


class Ui:
    """Waiting helpers: Dash renders asynchronously, so every check waits for its condition."""

    def __init__(self, driver, base_url: str, shots: Path):
        self.driver, self.base_url, self.shots = driver, base_url, shots

    def open(self, path: str = "/") -> None:
        self.driver.get(self.base_url + path)

    def wait(self, condition, timeout: float = WAIT_SECONDS, message: str = ""):
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition, message)

    def element(self, css: str, timeout: float = WAIT_SECONDS):
        """The first element matching ``css`` once it is displayed."""
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions as ec

        return self.wait(ec.visibility_of_element_located((By.CSS_SELECTOR, css)), timeout,
                         f"no visible element {css!r} after {timeout} s")

    def text_in(self, css: str, text: str, timeout: float = WAIT_SECONDS) -> str:
        """Wait until an element matching ``css`` contains ``text``; return its whole text."""
        from selenium.webdriver.common.by import By

        def found(driver):
            for el in driver.find_elements(By.CSS_SELECTOR, css):
                if text in el.text:
                    return el.text
            return False

        return self.wait(found, timeout, f"no {css!r} containing {text!r} after {timeout} s")

    def click_text(self, css: str, text: str, timeout: float = WAIT_SECONDS) -> None:
        """Click the first displayed element matching ``css`` whose text is ``text``."""
        self._click_first(css, lambda el: el.text.strip() == text, timeout,
                          f"no {css!r} reading {text!r} to click")

    def click(self, css: str, timeout: float = WAIT_SECONDS) -> None:
        """Click the first displayed element matching ``css``."""
        self._click_first(css, lambda el: True, timeout, f"no clickable {css!r} after {timeout} s")

    def _click_first(self, css: str, wanted, timeout: float, message: str) -> None:
        """The page may still reflow (figures arriving) or a loading layer cover the element:
        centre it and try again while it is covered."""
        from selenium.common.exceptions import (
            ElementClickInterceptedException,
            StaleElementReferenceException,
        )
        from selenium.webdriver.common.by import By

        def clicked(driver):
            try:
                for el in driver.find_elements(By.CSS_SELECTOR, css):
                    if el.is_displayed() and wanted(el):
                        driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", el)
                        el.click()
                        return True
            except (ElementClickInterceptedException, StaleElementReferenceException):
                return False
            return False

        self.wait(clicked, timeout, message)

    def upload(self, upload_id: str, path: Path) -> None:
        """Choose ``path`` in the hidden file input of the ``dcc.Upload`` with ``upload_id``."""
        from selenium.webdriver.common.by import By

        self.element(f"#{upload_id}")
        field = self.driver.find_element(By.CSS_SELECTOR, f"#{upload_id} input[type=file]")
        field.send_keys(str(path.resolve()))

    def screenshot(self, name: str, full_page: bool = True) -> Path:
        """Save a PNG into the test's temporary folder (for looking at, never committed);
        ``full_page`` grows the window to the page's height for the shot."""
        self.shots.mkdir(parents=True, exist_ok=True)
        path = self.shots / f"{name}.png"
        size = self.driver.get_window_size()
        if full_page:
            height = self.driver.execute_script("return document.body.scrollHeight")
            self.driver.set_window_size(size["width"], max(size["height"], height + 150))
        try:
            self.driver.save_screenshot(str(path))
        finally:
            self.driver.set_window_size(size["width"], size["height"])
        return path


@pytest.fixture
def ui(browser, live_server: str, tmp_path: Path) -> Ui:
    return Ui(browser, live_server, tmp_path / "screenshots")
