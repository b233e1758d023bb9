"""A real headless Chromium for the web-page tests, driven through Selenium and chromedriver.

Debian's ``chromium`` and ``chromium-driver`` packages (``.ci/run`` installs them) ship a browser
and a driver of the same version, so no driver download is ever attempted. Without them the
browser tests skip with a reason, or fail under CI (``CI=true``), where they must run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NCC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NCC_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,1024")


def _missing() -> str | None:
    absent = [path for path in (CHROMIUM, CHROMEDRIVER)
              if not (Path(path).is_file() and os.access(path, os.X_OK))]
    if absent:
        return (f"headless Chromium not found ({', '.join(absent)}): install Debian's "
                f"chromium and chromium-driver (apt-get install -y chromium chromium-driver)")
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed: pip install -e '.[test]'"
    return None


def _require_browser() -> None:
    reason = _missing()
    if reason is None:
        return
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true but the browser tests cannot run: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """A headless Chromium (Selenium WebDriver) with a fresh profile; English preferred."""
    _require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
