"""The page in a real browser, for tests/test_serve_page*.py: Debian's headless Chromium driven by
selenium against the service on a free loopback port, and the helpers the page tests share.
Importing it skips the importing test module when fastapi, httpx or selenium is missing; the
`chromium` generator skips when Chromium or its driver is not installed (.ci/run installs them)."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")
pytest.importorskip("selenium")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from milia_scan.serve import create_app  # noqa: E402

from .serve_live import LiveServer  # noqa: E402

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
WAIT = 20  # seconds before a wait gives up (a guard against hanging, not a timing assertion)


def _real_path(name: str, fixed: str) -> str | None:
    return fixed if Path(fixed).exists() else shutil.which(name)


@pytest.fixture(scope="module")
def server() -> Iterator[LiveServer]:
    """The service on a free port (a page test module imports this fixture)."""
    with LiveServer(create_app()) as live:
        yield live


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """Headless Chromium (a page test module imports this fixture); skips without it."""
    yield from chromium(tmp_path_factory.mktemp("chromium-profile"))


def chromium(profile_dir: Path) -> Iterator[WebDriver]:
    """Headless Chromium with its own profile directory; skips without it."""
    browser, driver = _real_path("chromium", CHROMIUM), _real_path("chromedriver", CHROMEDRIVER)
    if not browser or not driver:
        pytest.skip("headless Chromium not installed (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = browser  # with the driver's path given too, selenium-manager never runs
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--window-size=1280,900", f"--user-data-dir={profile_dir}"):
        options.add_argument(arg)
    chrome = webdriver.Chrome(service=Service(executable_path=driver), options=options)  # installed: must start
    try:
        yield chrome
    finally:
        chrome.quit()


def api_scan(server: LiveServer, label: str, context: str = "leave-on") -> dict[str, Any]:
    """The report the page is shown: POST /v1/scan."""
    return httpx.post(server.url + "/v1/scan", json={"label": label, "context": context}, timeout=30).json()


def wait_for(browser: WebDriver, condition: Callable[[WebDriver], Any], what: str) -> Any:
    return WebDriverWait(browser, WAIT, poll_frequency=0.05).until(lambda b: condition(b), message=what)


def prop(element: WebElement, name: str) -> Any:
    return element.get_property(name)


def open_page(browser: WebDriver, server: LiveServer, fragment: str = "") -> None:
    browser.get(server.url + "/" + fragment)
    wait_for(browser, lambda b: b.execute_script("return document.readyState") == "complete", "the page loads")


def paste(browser: WebDriver, label: str) -> None:
    """Put a label in the box as a paste does (one input event), however long it is."""
    browser.execute_script("const box = document.getElementById('label'); box.value = arguments[0];"
                           "box.dispatchEvent(new Event('input', {bubbles: true}));", label)


def scan_shown(browser: WebDriver, previous: str | None = None) -> None:
    """Wait until the result is on the page (a new one, if the summary before is given)."""
    wait_for(browser, lambda b: b.find_element(By.ID, "result").is_displayed()
             and b.find_element(By.ID, "summary").text not in ("", previous), "the result shows")


def scan_label(browser: WebDriver, server: LiveServer, label: str) -> None:
    """Open the page, paste a label, press Scan and wait for the result."""
    open_page(browser, server)
    paste(browser, label)
    browser.find_element(By.ID, "scan").click()
    scan_shown(browser)
