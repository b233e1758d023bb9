"""Accounts in a real headless Chromium against live nodes on 127.0.0.1 (port 0): sign in with
the keyboard, CSRF refusals (a form on another site, a forged token), the sign-in rate limit,
editors kept out of admin pages, and the audit log an admin reads."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from ncc_node.identity import create_token
from tests.nodes import LiveNode
from tests.web_session import csrf_token, signed_in

from .test_web_browser import click, submit

Browser = Any


def _sign_in(browser: Browser, node: LiveNode, name: str, password: str) -> None:
    """Sign in through the form with the keyboard only: type, Tab to the next field, Enter."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(node.url + "/web/sign-in")
    browser.find_element(By.ID, "name").send_keys(name, Keys.TAB)
    password_field = browser.switch_to.active_element
    assert password_field.get_attribute("id") == "password"
    password_field.send_keys(password)
    submit(browser, password_field)


def _main(browser: Browser) -> str:
    from selenium.webdriver.common.by import By

    text: str = browser.find_element(By.TAG_NAME, "main").text
    return text


def _h1(browser: Browser) -> str:
    from selenium.webdriver.common.by import By

    text: str = browser.find_element(By.TAG_NAME, "h1").text
    return text


@pytest.fixture
def node(live_node: Callable[..., LiveNode]) -> LiveNode:
    return live_node("DE", **{"web.sign_in_attempts": 3})


def test_sign_in_and_out_with_the_keyboard(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/web/account")  # not signed in: sent to sign in, then back
    assert _h1(browser) == "Sign in" and "next=/web/account" in browser.current_url
    submit(browser, browser.find_element(By.ID, "password"))  # nothing filled in
    summary = browser.find_element(By.ID, "error-summary")
    assert summary.get_attribute("role") == "alert"
    links = {a.text: a.get_attribute("href").rpartition("#")[2]
             for a in summary.find_elements(By.TAG_NAME, "a")}
    assert links == {"Name or e-mail: This field is required.": "name",
                     "Password: This field is required.": "password"}
    assert browser.find_element(By.ID, "name").get_attribute("aria-invalid") == "true"

    name, password = node.person("editor")
    _sign_in(browser, node, name, "not the password")
    assert "That name and password do not match an active account." in _main(browser)
    assert browser.find_element(By.ID, "name").get_attribute("value") == name  # kept

    _sign_in(browser, node, name.upper(), password)  # names never differ by case
    assert _h1(browser) == "Your account"
    assert browser.find_element(By.ID, "account-name").text == name
    assert browser.find_element(By.ID, "account-role").text == "editor"
    cookie = browser.get_cookie("ncc_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and "expiry" in cookie

    click(browser, browser.find_element(By.ID, "sign-out"))
    assert browser.find_elements(By.ID, "sign-in-link")
    browser.get(node.url + "/web/account")
    assert _h1(browser) == "Sign in"


def test_the_pages_follow_the_browsers_language(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/web/sign-in?lang=et")  # remembered from here on
    assert _h1(browser) == "Logi sisse"
    assert browser.find_element(By.CSS_SELECTOR, "label[for='password']").text == "Parool"
    browser.get(node.url + "/web/sign-in")
    assert _h1(browser) == "Logi sisse"
    for lang, title in (("nl", "Inloggen"), ("fr", "Se connecter"), ("de", "Anmelden"),
                        ("en", "Sign in")):
        click(browser, browser.find_element(By.ID, f"lang-{lang}"))
        assert _h1(browser) == title
        assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang


@pytest.fixture
def other_site() -> Iterator[Callable[[str], str]]:
    """Another origin on 127.0.0.1 serving a page with a form that posts to a node."""
    pages: dict[str, str] = {}

    @Request.application
    def app(request: Request) -> Response:
        return Response(pages.get(request.path, ""), mimetype="text/html")

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def publish(html: str) -> str:
        pages["/prize"] = html
        return f"http://127.0.0.1:{server.server_port}/prize"

    yield publish
    server.shutdown()
    thread.join(timeout=10)


def test_forms_from_another_site_or_without_the_token_are_refused(
        browser: Browser, node: LiveNode, other_site: Callable[[str], str]) -> None:
    from selenium.webdriver.common.by import By

    editor, _ = node.person("editor")
    browser.delete_all_cookies()
    _sign_in(browser, node, *node.person("admin"))
    # a page elsewhere with a form that would make the editor an admin
    url = other_site(f'<form method="post" action="{node.url}/web/admin/users/{editor}/role">'
                     '<input type="hidden" name="role" value="admin">'
                     '<button id="win">Win a prize</button></form>')
    browser.get(url)
    click(browser, browser.find_element(By.ID, "win"))
    assert _h1(browser) == "Request refused"
    assert "A form from another site may not change anything here" in _main(browser)
    assert node.context.store.user(name=editor).role == "editor"  # type: ignore[union-attr]

    # the node's own form with a forged token (what a token-less cross-site post looks like
    # when the browser sends no Origin), then the same form as served
    for token in ("forged", None):
        browser.get(node.url + "/web/admin/users")
        row = browser.find_element(By.ID, f"user-{editor}")
        if token is not None:
            browser.execute_script(
                "arguments[0].querySelector('input[name=csrf_token]').value = arguments[1]",
                row, token)
        row.find_element(By.CSS_SELECTOR, "select").send_keys("admin")
        click(browser, row.find_element(By.XPATH, ".//button[normalize-space()='Change role']"))
        if token is not None:
            assert _h1(browser) == "Request refused"
            assert "This form has expired or did not come from this site's" in _main(browser)
            assert node.context.store.user(name=editor).role == "editor"  # type: ignore[union-attr]
    assert "The role was changed" in browser.find_element(By.ID, "done").text
    assert node.context.store.user(name=editor).role == "admin"  # type: ignore[union-attr]


def test_sign_in_is_rate_limited(browser: Browser, node: LiveNode) -> None:
    name, password = node.person("editor")
    browser.delete_all_cookies()
    for _ in range(3):  # web.sign_in_attempts = 3 for this node
        _sign_in(browser, node, name, "guessing wrong")
        assert "do not match an active account" in _main(browser)
    _sign_in(browser, node, name, password)  # right, but too late
    assert "Too many failed sign-ins. Try again in" in _main(browser)
    assert _h1(browser) == "Sign in"
    refused = requests.Session()
    form = refused.get(node.url + "/web/sign-in", timeout=30)
    answer = refused.post(node.url + "/web/sign-in", timeout=30, data={
        "name": name, "password": password, "csrf_token": csrf_token(form.text)})
    assert answer.status_code == 429 and 0 < int(answer.headers["Retry-After"]) <= 900
    # another account is not locked by this one's failures
    other, other_password = node.person("admin")
    _sign_in(browser, node, other, other_password)
    assert _h1(browser) == "Your account"


def test_an_editor_cannot_reach_admin_pages(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    editor, password = node.person("editor")
    admin, _ = node.person("admin")
    create_token(node.context.store, "kept", ["write"])
    browser.delete_all_cookies()
    _sign_in(browser, node, editor, password)
    nav = browser.find_element(By.CSS_SELECTOR, "header nav").text
    assert "Accounts" not in nav and "Audit log" not in nav and "Operator" not in nav
    assert "Peers" not in nav and "API tokens" not in nav
    for path in ("/web/admin/users", "/web/admin/audit", "/web/operator", "/web/admin/peers",
                 "/web/admin/tokens"):
        browser.get(node.url + path)
        assert _h1(browser) == "Not allowed", path
        assert "Your role (editor) may not open this page." in _main(browser)
    # nor post to them with a valid session and token
    session = requests.Session()
    session.cookies.set("ncc_session", browser.get_cookie("ncc_session")["value"])
    token = csrf_token(session.get(node.url + "/web/account", timeout=30).text)
    for path, form in ((f"/web/admin/users/{editor}/role", {"role": "admin"}),
                       (f"/web/admin/users/{admin}/state", {"disabled": "1"}),
                       ("/web/admin/users", {"name": "mallory", "role": "admin",
                                             "password": "a long enough password"}),
                       ("/web/admin/tokens", {"name": "mallory", "scope": "admin"}),
                       ("/web/admin/tokens/kept/revoke", {})):
        answer = session.post(node.url + path, data={**form, "csrf_token": token},
                              allow_redirects=False, timeout=30)
        assert answer.status_code == 403, path
    store = node.context.store
    assert [(t.name, t.revoked) for t in store.tokens()] == [("kept", None)]
    assert store.user(name=editor).role == "editor"  # type: ignore[union-attr]
    assert not store.user(name=admin).disabled  # type: ignore[union-attr]
    assert store.user(name="mallory") is None


def test_the_audit_log_shows_who_changed_what(browser: Browser, node: LiveNode,
                                              make_payload: Callable[..., Any]) -> None:
    from selenium.webdriver.common.by import By

    editor, editor_password = node.person("editor")
    admin, admin_password = node.person("admin")
    editors_session = signed_in(node.url, editor, editor_password)
    created = requests.post(node.url + "/initiatives", json=make_payload(),
                            headers=node.auth("write"), timeout=30)
    assert created.status_code == 201
    record_id = created.json()["id"]
    updated = requests.put(record_id, timeout=30,
                           json=make_payload(identifier="changed"),
                           headers={**node.auth("write"), "If-Match": created.headers["ETag"]})
    assert updated.status_code == 200

    browser.delete_all_cookies()
    _sign_in(browser, node, admin, admin_password)
    browser.get(node.url + "/web/admin/users")
    row = browser.find_element(By.ID, f"user-{editor}")
    click(browser, row.find_element(By.XPATH, ".//button[starts-with(normalize-space(), "
                                              "'Disable')]"))
    assert "The account was disabled" in browser.find_element(By.ID, "done").text
    # the editor's open session ended with the account
    assert editors_session.get(node.url + "/web/account", allow_redirects=False,
                               timeout=30).status_code == 303

    click(browser, browser.find_element(By.LINK_TEXT, "Audit log"))
    rows = [[cell.text for cell in tr.find_elements(By.TAG_NAME, "td")]
            for tr in browser.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
    summary = [(who, what, record, version) for _, who, what, record, version, _ in rows]
    assert summary[:4] == [
        (f"user:{admin}", "user.disable", "", ""),
        (f"user:{admin}", "session.sign_in", "", ""),
        ("token:test-write", "record.update", record_id, "2"),
        ("token:test-write", "record.create", record_id, "1"),
    ]
    assert (f"user:{editor}", "session.sign_in", "", "") in summary
    # one record's history
    click(browser, browser.find_element(By.LINK_TEXT, record_id))
    versions = [tr.find_elements(By.TAG_NAME, "td")[4].text
                for tr in browser.find_elements(By.CSS_SELECTOR, "#audit tbody tr")]
    assert versions == ["2", "1"]


def test_change_ones_own_password(browser: Browser, node: LiveNode) -> None:
    from selenium.webdriver.common.by import By

    name, password = node.person("editor")
    elsewhere = signed_in(node.url, name, password)  # another device of the same person
    browser.delete_all_cookies()
    _sign_in(browser, node, name, password)

    def change(current: str, new: str, again: str) -> None:
        for field, value in (("current", current), ("new", new), ("again", again)):
            browser.find_element(By.ID, field).send_keys(value)
        submit(browser, browser.find_element(By.ID, "again"))

    change("not it at all", "a brand new passphrase", "a brand new passphrase")
    assert "Current password: That is not your current password." in \
        browser.find_element(By.ID, "error-summary").text
    change(password, "a brand new passphrase", "a brand new passphrase!")
    assert "New password again: The two new passwords differ." in \
        browser.find_element(By.ID, "error-summary").text
    change(password, "short", "short")
    assert "at least 12 characters" in browser.find_element(By.ID, "error-summary").text
    change(password, "a brand new passphrase", "a brand new passphrase")
    assert "Your password was changed" in browser.find_element(By.ID, "done").text
    assert browser.find_element(By.ID, "account-name").text == name  # still signed in here
    assert elsewhere.get(node.url + "/web/account", allow_redirects=False,
                         timeout=30).status_code == 303  # but not elsewhere
    click(browser, browser.find_element(By.ID, "sign-out"))
    _sign_in(browser, node, name, "a brand new passphrase")
    assert _h1(browser) == "Your account"
