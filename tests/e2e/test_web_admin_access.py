"""The admin pages for peers and API tokens in a real headless Chromium against live nodes on
127.0.0.1 (port 0): the configured peers with their health after real sync rounds (read-only:
peers come from the configuration file), a token created in the browser (its secret shown
once, then used against the API), revoked, and both changes in the audit log."""

from __future__ import annotations

import socket
from collections.abc import Callable
from typing import Any

import requests

from tests.nodes import LiveNode
from tests.sync.conftest import peer, worker_for

from .test_web_browser import click

Browser = Any


def _sign_in(browser: Browser, node: LiveNode, role: str) -> None:
    from selenium.webdriver.common.by import By

    name, password = node.person(role)
    browser.get(node.url + "/web/sign-in?lang=en")
    browser.find_element(By.ID, "name").send_keys(name)
    browser.find_element(By.ID, "password").send_keys(password)
    click(browser, browser.find_element(By.CSS_SELECTOR, "main form button[type=submit]"))


def _closed_port_url() -> str:
    """A loopback URL nothing listens on (the port was just freed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _row_of(browser: Browser, url: str) -> str:
    from selenium.webdriver.common.by import By

    for row in browser.find_elements(By.CSS_SELECTOR, "#peers tbody tr"):
        if url in row.text:
            return str(row.text)
    raise AssertionError(f"{url} is not on the peers page")


def test_peers_are_listed_with_their_health(browser: Browser,
                                            live_node: Callable[..., LiveNode]) -> None:
    from selenium.webdriver.common.by import By

    de = live_node("DE")
    gone = _closed_port_url()
    ee = live_node("EE", peers=[peer(de), {"base_url": gone, "scope": "all", "keys": []}])
    browser.delete_all_cookies()
    _sign_in(browser, ee, "admin")
    click(browser, browser.find_element(By.ID, "nav-peers"))
    assert "configuration file" in browser.find_element(By.ID, "read-only").text
    assert not browser.find_elements(By.CSS_SELECTOR, "main form")  # nothing to change here
    assert "Not synced yet" in _row_of(browser, de.url)
    # a real round: one peer answers, the other port is closed
    worker = worker_for(ee, peer(de), {"base_url": gone, "scope": "all", "keys": []},
                        retries=0)
    worker.run_once()
    browser.refresh()
    healthy, failing = _row_of(browser, de.url), _row_of(browser, gone)
    assert "Healthy" in healthy and " own " in f" {healthy} "
    assert "Failing" in failing and " all " in f" {failing} "
    browser.get(ee.url + "/web/admin/peers?lang=de")
    assert "Fehlerhaft" in _row_of(browser, gone)


def test_tokens_are_created_once_used_and_revoked(browser: Browser,
                                                  live_node: Callable[..., LiveNode],
                                                  make_payload: Callable[..., Any]) -> None:
    from selenium.webdriver.common.by import By

    node = live_node("DE")
    admin, _ = node.person("admin")
    browser.delete_all_cookies()
    _sign_in(browser, node, "admin")
    click(browser, browser.find_element(By.ID, "nav-tokens"))
    # no scope ticked: refused beside the field
    browser.find_element(By.ID, "name").send_keys("crm-export")
    browser.find_element(By.ID, "scope-write").click()  # write is ticked by default
    click(browser, browser.find_element(By.ID, "create-token"))
    assert browser.find_element(By.ID, "error-summary").find_elements(
        By.CSS_SELECTOR, "a[href='#scope']")
    assert node.context.store.tokens() == []
    browser.find_element(By.ID, "scope-write").click()
    click(browser, browser.find_element(By.ID, "create-token"))
    secret = browser.find_element(By.ID, "secret").get_attribute("value")
    assert secret.startswith("ncc_")
    assert "not shown again" in browser.find_element(By.ID, "secret-box").text
    # the secret works against the API, and the page shows it was used
    created = requests.post(node.url + "/initiatives", json=make_payload(), timeout=30,
                            headers={"Authorization": f"Bearer {secret}"})
    assert created.status_code == 201, created.text
    browser.get(node.url + "/web/admin/tokens")
    assert not browser.find_elements(By.ID, "secret")  # shown once only
    (row,) = browser.find_elements(By.CSS_SELECTOR, "#tokens tbody tr")
    cells = [cell.text for cell in row.find_elements(By.TAG_NAME, "td")]
    assert cells[0] == "write" and cells[2] != "never" and secret not in row.text
    # a second token of the same name is refused
    browser.find_element(By.ID, "name").send_keys("crm-export")
    click(browser, browser.find_element(By.ID, "create-token"))
    assert "already has that name" in browser.find_element(By.ID, "error-summary").text
    # revoked: the API refuses it from now on
    click(browser, browser.find_element(By.CSS_SELECTOR, "#tokens button[id^=revoke-]"))
    assert "revoked" in browser.find_element(By.ID, "done").text
    refused = requests.post(node.url + "/initiatives", json=make_payload(), timeout=30,
                            headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    assert not browser.find_elements(By.CSS_SELECTOR, "#tokens button[id^=revoke-]")
    # both changes in the audit log, by the admin
    log = [(row.actor, row.action, row.detail) for row in node.context.store.audit_log()]
    assert (f"user:{admin}", "token.revoke", "crm-export") in log
    assert (f"user:{admin}", "token.create", "crm-export (write)") in log
    browser.get(node.url + "/web/admin/audit")
    assert "token.create" in browser.find_element(By.ID, "audit").text


def test_the_tokens_page_says_what_each_scope_allows_in_the_readers_language(
        live_node: Callable[..., LiveNode]) -> None:
    from ncc_node.identity import SCOPE_ALLOWS
    from tests.web_session import signed_in

    node = live_node("DE")
    session = signed_in(node.url, *node.person("admin"))
    english = session.get(node.url + "/web/admin/tokens?lang=en", timeout=30).text
    for allows in SCOPE_ALLOWS.values():  # the API's one definition, not a shorter label
        assert allows.replace("'", "&#39;") in english
    german = session.get(node.url + "/web/admin/tokens?lang=de", timeout=30).text
    assert "seine Entwürfe und die Prüfwarteschlange bearbeiten" in german
    assert "Einträge der Quarantäne erneut versuchen" in german
    assert SCOPE_ALLOWS["admin"] not in german
