"""The web pages in a real headless Chromium against a live node on 127.0.0.1 (port 0):
search, filter, open a record, switch language, statistics, operator sign-in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.nodes import LiveNode

from .web_data import seed

Browser = Any  # selenium.webdriver.Chrome, imported only when Chromium is there


@pytest.fixture
def node(live_node: Callable[..., LiveNode],
         make_payload: Callable[..., dict[str, Any]]) -> LiveNode:
    started = live_node("DE")
    seed(started.context, make_payload)
    return started


def _next_page(browser: Browser, old: Any) -> None:
    """Wait until the page ``old`` belonged to is gone and the next one has loaded: the old
    <html> going stale alone can leave the new document still being parsed, and looking
    into it then fails now and again ("Node ... does not belong to the document")."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def gone(_: Browser) -> bool:
        # asked while the old document is being torn down, Chromium may answer with that same
        # "does not belong to the document" instead of a stale-element error: gone all the same
        try:
            old.is_enabled()
        except StaleElementReferenceException:
            return True
        except WebDriverException as exc:
            if "does not belong to the document" in str(exc):
                return True
            raise
        return False

    wait = WebDriverWait(browser, 15)
    wait.until(gone)
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def submit(browser: Browser, element: Any) -> None:
    """Submit a form by pressing Enter in ``element`` (the keyboard path) and wait for the page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    old = browser.find_element(By.TAG_NAME, "html")
    element.send_keys(Keys.ENTER)
    _next_page(browser, old)


def click(browser: Browser, element: Any) -> None:
    """Follow a link or button and wait for the next page."""
    from selenium.webdriver.common.by import By

    old = browser.find_element(By.TAG_NAME, "html")
    element.click()
    _next_page(browser, old)


def choose(browser: Browser, label: str, option: str) -> None:
    """Pick an option of the select labelled ``label`` (found through its <label>)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    field = browser.find_element(By.XPATH, f"//label[normalize-space()='{label}']")
    Select(browser.find_element(By.ID, field.get_attribute("for"))).select_by_visible_text(option)


def names(browser: Browser) -> list[str]:
    from selenium.webdriver.common.by import By

    return [link.text for link in browser.find_elements(By.CSS_SELECTOR, ".candidate h3 a")]


def test_search_filter_and_open_a_record(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Find initiatives to replicate"
    assert "Choose a target country" in browser.find_element(By.ID, "results").text

    choose(browser, "Target country", "Estonia")
    submit(browser, browser.find_element(By.ID, "f-q"))
    assert browser.find_element(By.ID, "result-count").text == "Candidates for Estonia: 3"
    found = names(browser)
    assert set(found) == {"Digital learning mentorships for primary school children",
                          "Repair cafés in every district",
                          '<script>document.title="pwned"</script> Night school for parents'}
    assert browser.title != "pwned"  # the record name was shown, not run
    first = browser.find_elements(By.CSS_SELECTOR, ".candidate")[0]
    assert "NCC Germany (Germany)" in first.find_element(By.CSS_SELECTOR, ".origin").text
    breakdown = first.find_element(By.CSS_SELECTOR, ".breakdown").text
    assert "maturity" in breakdown and "seeks partners in the target country" in breakdown

    choose(browser, "Theme", "Circular economy")
    choose(browser, "Maturity stage", "Pilot")
    submit(browser, browser.find_element(By.ID, "f-q"))
    assert names(browser) == ["Repair cafés in every district"]
    candidate = browser.find_element(By.CSS_SELECTOR, ".candidate")
    assert candidate.find_element(By.CSS_SELECTOR, ".stage").text == "Pilot"
    assert candidate.find_element(By.CSS_SELECTOR, ".sdgs").text == \
        "Responsible consumption and production"

    choose(browser, "Theme", "any")
    choose(browser, "Maturity stage", "any")
    browser.find_element(By.ID, "f-q").send_keys("mentorships")
    submit(browser, browser.find_element(By.ID, "f-q"))
    assert names(browser)[0] == "Digital learning mentorships for primary school children"

    click(browser, browser.find_element(By.LINK_TEXT,
                                        "Digital learning mentorships for primary school children"))
    assert browser.find_element(By.TAG_NAME, "h1").text == \
        "Digital learning mentorships for primary school children"
    field = browser.find_element(By.CSS_SELECTOR, "dd[data-field='themes']").text
    assert "Education" in field and "Digital inclusion" in field
    signature = browser.find_element(By.CSS_SELECTOR, "dd[data-field='signature']").text
    assert signature.startswith(f"✓ verified, signed by key {node.url}/node#key-1")
    assert browser.find_element(By.CSS_SELECTOR, "dd[data-field='received_from']").text == \
        "published on this node"
    assert browser.find_element(By.CSS_SELECTOR, "dd[data-field='version']").text == "1"
    click(browser, browser.find_element(By.ID, "jsonld-link"))
    assert '"type":"Initiative"' in browser.find_element(By.TAG_NAME, "body").text.replace(" ", "")


def test_switch_language_and_view_statistics(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    click(browser, browser.find_element(By.ID, "lang-de"))
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "de"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Initiativen zum Übertragen finden"
    choose(browser, "Zielland", "Estland")
    choose(browser, "Thema", "Kreislaufwirtschaft")
    submit(browser, browser.find_element(By.ID, "f-q"))
    assert names(browser) == ["Reparaturcafés in jedem Bezirk"]
    assert browser.find_element(By.CSS_SELECTOR, ".candidate .stage").text == "Pilotphase"

    click(browser, browser.find_element(By.LINK_TEXT, "Statistik"))  # the cookie keeps German
    assert browser.find_element(By.TAG_NAME, "h1").text == "Statistik des Ökosystems"
    click(browser, browser.find_element(By.ID, "lang-en"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Ecosystem statistics"


def test_statistics_charts(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.get(node.url + "/web/stats?lang=en")
    captions = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "figure.chart figcaption")]
    assert captions[0] == "Records by origin country"
    assert "Theme · Total" in captions
    assert "Maturity stage · Germany" not in captions  # one origin: it would repeat the total
    theme = browser.find_element(By.XPATH, "//figure[figcaption='Theme · Total']")
    bars = theme.find_elements(By.CSS_SELECTOR, "svg g.bar")
    shown = {texts[0].text: texts[1].text
             for texts in (bar.find_elements(By.TAG_NAME, "text") for bar in bars)}
    assert shown["Education"] == "2" and shown["Circular economy"] == "1"
    links = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "main p a")]
    assert links == ["JSON", "CSV"]


def test_operator_page_for_a_signed_in_admin(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/web/operator")  # not signed in: the sign-in page, then back here
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
    assert not browser.find_elements(By.ID, "peers")

    name, password = node.person("admin")
    browser.find_element(By.ID, "name").send_keys(name)
    field = browser.find_element(By.ID, "password")
    field.send_keys(password)
    submit(browser, field)
    main = browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.TAG_NAME, "h1").text == "Operator: peers and sync"
    assert "No peers are configured or known." in main
    assert "last sequence number is" in main

    click(browser, browser.find_element(By.ID, "sign-out"))
    browser.get(node.url + "/web/operator")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Sign in"
