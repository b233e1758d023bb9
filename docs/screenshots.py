"""Take the screenshots of docs/web.md: real Chromium against the demo federation.

    python docs/screenshots.py            # writes docs/screenshots/*.png

Starts ``ncc demo`` on four free ports with its own state folder (a temporary one unless
``--state`` is given), waits until the four nodes agree, signs in as the demo node's editor and
admin (the accounts and password ``ncc demo`` prints), and photographs each page of
:data:`SHOTS` at a laptop's and a phone's width with headless Chromium (Debian's ``chromium``
and ``chromium-driver``, as the browser tests use). Then it stops the demo. Add a page to
:data:`SHOTS` to have it in the docs.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("NCC_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("NCC_CHROMEDRIVER", "/usr/bin/chromedriver")
LAPTOP = (1280, 860)
PHONE = (390, 844)
SIGN_IN = re.compile(r"sign in at (\S+)/web/sign-in as 'editor' \(editor\) or 'admin' \(admin\)"
                     r", password (\S+) ")


@dataclass(frozen=True)
class Shot:
    """One screenshot: a file name, who is signed in, the path, what to do before the shot."""

    name: str
    who: str  # "" (nobody), "editor" or "admin"
    path: str
    sizes: tuple[tuple[int, int], ...] = (LAPTOP,)
    prepare: Callable[[Any], None] | None = None
    full_page: bool = False


def _search(browser: Any) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    country = Select(browser.find_element(By.ID, "f-for"))
    country.select_by_value(next(o.get_attribute("value") for o in country.options
                                 if o.get_attribute("value").endswith(":EST")))
    _follow(browser, browser.find_element(By.ID, "search"))


def _first_record(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    _search(browser)
    _follow(browser, browser.find_element(By.CSS_SELECTOR, ".candidate h3 a"))


def _wrong_password(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "name").send_keys("editor")
    browser.find_element(By.ID, "password").send_keys("not the password")
    _follow(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))


def _editor_error(browser: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "f-name-en").send_keys("Neighbourhood repair workshop")
    _follow(browser, browser.find_element(By.ID, "publish"))


def _german_editor_error(browser: Any) -> None:
    """A German name over the shape's 200 characters: the validator's detail in German."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "f-name-de").send_keys("Nachbarschaftswerkstatt " * 9)
    _follow(browser, browser.find_element(By.ID, "publish"))


def _new_token(browser: Any) -> None:
    """Create a token, so the page shows its secret once."""
    from selenium.webdriver.common.by import By

    browser.find_element(By.ID, "name").send_keys(f"crm-export-{int(time.time())}")
    _follow(browser, browser.find_element(By.ID, "create-token"))


def _open_held(browser: Any) -> None:
    """The editor's list, then the first published record's form."""
    from selenium.webdriver.common.by import By

    links = browser.find_elements(By.CSS_SELECTOR, "#own-records td a")
    if links:
        _follow(browser, links[0])


SHOTS = (
    Shot("scouting", "", "/", (LAPTOP, PHONE), _search, full_page=True),
    Shot("record", "", "/", (LAPTOP, PHONE), _first_record, full_page=True),
    Shot("statistics", "", "/web/stats"),
    Shot("sign-in", "", "/web/sign-in", (LAPTOP, PHONE), _wrong_password),
    Shot("account", "editor", "/web/account"),
    Shot("accounts", "admin", "/web/admin/users", full_page=True),
    Shot("audit-log", "admin", "/web/admin/audit"),
    Shot("operator", "admin", "/web/operator"),
    Shot("peers", "admin", "/web/admin/peers"),
    Shot("tokens", "admin", "/web/admin/tokens", (LAPTOP,), _new_token, full_page=True),
    Shot("scouting-de", "", "/?lang=de", (PHONE,), _search),
    Shot("editor-records", "editor", "/web/edit"),
    Shot("editor-error", "editor", "/web/edit/new/initiatives", (LAPTOP, PHONE),
         _editor_error, full_page=True),
    Shot("editor-error-de", "editor", "/web/edit/new/initiatives?lang=de", (LAPTOP,),
         _german_editor_error, full_page=True),
    Shot("editor-edit", "editor", "/web/edit", (LAPTOP,), _open_held, full_page=True),
    Shot("import", "editor", "/web/import"),
    Shot("review", "editor", "/web/review", full_page=True),
    Shot("moderation", "admin", "/web/admin/moderation", full_page=True),
)


def _follow(browser: Any, element: Any) -> None:
    """Click ``element`` and wait until the next page has replaced this one and loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(browser, 30).until(expected_conditions.staleness_of(old))
    _loaded(browser)


def _loaded(browser: Any) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 30).until(
        lambda b: b.execute_script("return document.readyState") == "complete")


def _browser() -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-dev-shm-usage", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "en-GB,en"})
    return webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)


def _sign_in(browser: Any, base: str, name: str, password: str) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    if not name:
        return
    browser.get(base + "/web/sign-in")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    _follow(browser, browser.find_element(By.CSS_SELECTOR, "form.stack button"))


def _viewport(browser: Any, width: int, height: int) -> None:
    """Emulate a screen of exactly this size (a phone's: with its viewport rules)."""
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})


def _save(browser: Any, path: Path, size: tuple[int, int], full_page: bool) -> None:
    if full_page:  # the whole page at this width, up to three screens tall
        height = browser.execute_script("return document.documentElement.scrollHeight")
        _viewport(browser, size[0], min(int(height), size[1] * 3))
    browser.save_screenshot(str(path))
    _viewport(browser, *size)


def take(base: str, password: str, out: Path) -> list[Path]:
    """Photograph every shot of :data:`SHOTS` on the node at ``base``."""
    out.mkdir(parents=True, exist_ok=True)
    browser = _browser()
    written = []
    try:
        for shot in SHOTS:
            for size in shot.sizes:
                _viewport(browser, *size)
                _sign_in(browser, base, shot.who, password)
                browser.get(base + shot.path)
                _loaded(browser)
                if shot.prepare is not None:
                    shot.prepare(browser)
                suffix = "-phone" if size == PHONE else ""
                path = out / f"{shot.name}{suffix}.png"
                _save(browser, path, size, shot.full_page)
                written.append(path)
                print(f"  {path}  {base}{shot.path}", flush=True)
    finally:
        browser.quit()
    return written


def _start_demo(state: Path, timeout: float) -> tuple[subprocess.Popen[str], str, str]:
    """``ncc demo`` on free ports; returns the process, the DE node's URL and password."""
    process = subprocess.Popen(
        [sys.executable, "-m", "ncc_cli", "demo", "--base-port", "0", "--state", str(state),
         "--timeout", str(timeout)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True)
    lines: list[str] = []

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not any("Ctrl-C stops the demo" in line for line in lines):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("ncc demo did not start:\n" + "".join(lines))
        time.sleep(0.2)
    found = SIGN_IN.search("".join(lines))
    if found is None:
        raise SystemExit("ncc demo printed no sign-in line:\n" + "".join(lines))
    return process, found.group(1), found.group(2)


def main() -> int:
    """Run the demo, take the screenshots, stop the demo."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="Folder of the PNG files.")
    parser.add_argument("--state", type=Path, help="Demo state folder (default: a temporary "
                                                   "one, removed afterwards).")
    parser.add_argument("--timeout", type=float, default=300.0,
                        help="Seconds to wait for the demo to start and agree.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ncc-screenshots-") as scratch:
        state = args.state or Path(scratch) / "state"
        print(f"Starting ncc demo (state {state}) ...", flush=True)
        process, base, password = _start_demo(state, args.timeout)
        try:
            print(f"Taking screenshots of {base}:", flush=True)
            written = take(base, password, args.out)
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    print(f"{len(written)} screenshots in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
