"""The bot's portal source: a real headless Chromium driven with RPA.Browser.Selenium.

Fields are found by their visible labels (``//label[.='Username']/@for``), because the
portal changes element ids every run. Files are downloaded over HTTP with the browser's
session cookie; the report is uploaded through the portal's form.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import requests

from labs.accounting.faults import TransientError

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
HEADLESS_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run")


def chrome_options(profile: Path):
    from selenium.webdriver.chrome.options import Options

    opts = Options()
    opts.binary_location = CHROMIUM
    for arg in (*HEADLESS_ARGS, f"--user-data-dir={profile}", "--window-size=1280,900"):
        opts.add_argument(arg)
    return opts


class PortalSource:
    """Log in, list, download and upload through the group finance portal."""

    def __init__(self, url: str, username: str, password: str, timeout: float = 10.0):
        self.url, self.username, self.password = url.rstrip("/"), username, password
        self.timeout = timeout
        self.browser = None
        self._links: dict[str, str] = {}
        self._profile: tempfile.TemporaryDirectory | None = None

    def _start_browser(self) -> None:
        from RPA.Browser.Selenium import Selenium
        from selenium.webdriver.chrome.service import Service

        os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not go online
        self._profile = tempfile.TemporaryDirectory(prefix="bot-chromium-")
        self.browser = Selenium(timeout=self.timeout)
        # ``Open Available Browser`` needs the internet; ``Open Browser`` with a service does not
        self.browser.open_browser(f"{self.url}/login", browser="chrome",
                                  options=chrome_options(Path(self._profile.name)),
                                  service=Service(CHROMEDRIVER))

    def _field_by_label(self, label: str) -> str:
        target = self.browser.get_element_attribute(f"xpath://label[normalize-space()='{label}']", "for")
        return f"id:{target}"

    def _type_secret(self, locator: str, secret: str) -> None:
        """Type a password. Under Robot Framework through Input Password, the keyword that keeps
        the secret out of log.html and output.xml; called from Python (no Robot run, so no Robot
        log) straight into the element, since Input Password needs a running Robot context."""
        from robot.running.context import EXECUTION_CONTEXTS

        if EXECUTION_CONTEXTS.current is not None:
            self.browser.input_password(locator, secret)
            return
        element = self.browser.find_element(locator)
        element.clear()
        element.send_keys(secret)

    def _check_page(self, what: str) -> None:
        title = self.browser.get_title()
        if title.startswith("503"):
            raise TransientError(f"{what} page failed to load (HTTP 503)")

    def open(self) -> None:
        if self.browser is None:
            self._start_browser()
        else:
            self.browser.go_to(f"{self.url}/login")
        self._check_page("login")
        self.browser.input_text(self._field_by_label("Username"), self.username)
        self._type_secret(self._field_by_label("Password"), self.password)
        self.browser.click_button("xpath://button[normalize-space()='Sign in']")
        self.browser.wait_until_location_contains("/inbox")
        self._check_page("inbox")

    def list_files(self) -> dict[str, str]:
        self.browser.go_to(f"{self.url}/inbox")
        self._check_page("inbox")
        table = "xpath://table[.//th[normalize-space()='File']]"
        self.browser.wait_until_page_contains_element(table)
        headers = [h.text.strip() for h in self.browser.get_webelements(f"{table}//th")]
        col = {h: i for i, h in enumerate(headers)}
        listing = {}
        for row in self.browser.get_webelements(f"{table}//tbody/tr"):
            cells = row.find_elements("xpath", "./td")
            name = cells[col["File"]].text.strip()
            listing[name] = cells[col["SHA-256"]].text.strip()
            link = cells[col["Download"]].find_element("xpath", ".//a")
            self._links[name] = link.get_attribute("href")
        return listing

    def fetch(self, name: str, dest: Path) -> Path:
        http = requests.Session()
        for c in self.browser.driver.get_cookies():
            http.cookies.set(c["name"], c["value"])
        resp = http.get(self._links[name], timeout=self.timeout)
        if resp.status_code in (423, 503):
            raise TransientError(f"{name}: {resp.text.strip() or resp.status_code}")
        resp.raise_for_status()
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(resp.content)
        return dest

    def upload(self, paths: list[Path]) -> str:
        self.browser.go_to(f"{self.url}/upload")
        self._check_page("upload")
        for label, path in zip(("Report workbook", "PDF summary"), paths, strict=False):
            self.browser.choose_file(self._field_by_label(label), str(Path(path).resolve()))
        self.browser.click_button("xpath://button[normalize-space()='Upload']")
        receipt = "xpath://p[starts-with(normalize-space(), 'Upload received')]"
        self.browser.wait_until_page_contains_element(receipt)
        return self.browser.get_text(receipt)

    def close(self) -> None:
        if self.browser is not None:
            self.browser.close_all_browsers()
            self.browser = None
        if self._profile is not None:
            self._profile.cleanup()
            self._profile = None
