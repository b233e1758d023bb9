"""Single sign-on through an OpenID Connect provider, in a real headless Chromium: a live node
configured with a stand-in provider (tests/e2e/oidc_provider.py) on another port."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from ncc_node.accounts import add_user
from tests.nodes import LiveNode

from .oidc_provider import Provider, start_provider
from .test_web_browser import click

Browser = Any
SECRET = "client secret of the node"  # noqa: S105 (the stand-in provider's)


@pytest.fixture
def provider() -> Iterator[Provider]:
    started = start_provider("ncc-de", SECRET)
    yield started
    assert started.server is not None
    started.server.shutdown()


@pytest.fixture
def node(live_node: Callable[..., LiveNode], provider: Provider,
         monkeypatch: pytest.MonkeyPatch) -> LiveNode:
    monkeypatch.setenv("NCC_OIDC_CLIENT_SECRET", SECRET)
    started = live_node("DE", **{"web.oidc_issuer": provider.url, "web.oidc_client_id": "ncc-de",
                                 "web.oidc_label": "NCC Germany staff login"})
    add_user(started.context.store, "ann@ncc.example", role="editor", password=None,
             email="ann@ncc.example", actor="test")
    return started


def _sso(browser: Browser, node: LiveNode) -> str:
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(node.url + "/web/account")
    button = browser.find_element(By.ID, "sso")
    assert button.text == "Sign in with NCC Germany staff login"
    click(browser, button)  # to the provider and straight back
    text: str = browser.find_element(By.TAG_NAME, "main").text
    return text


def test_sign_in_through_the_identity_provider(browser: Browser, node: LiveNode,
                                               provider: Provider) -> None:
    from selenium.webdriver.common.by import By

    provider.identity = {"sub": "u-123", "email": "Ann@ncc.example", "email_verified": True}
    _sso(browser, node)
    assert browser.current_url == node.url + "/web/account"
    assert browser.find_element(By.ID, "account-name").text == "ann@ncc.example"
    store = node.context.store
    user = store.user(name="ann@ncc.example")
    assert user is not None and user.oidc_subject == f"{provider.url}|u-123"
    assert [r.action for r in store.audit_log(actor="user:ann@ncc.example")][:2] == [
        "session.sign_in", "user.link_sso"]
    # the subject is bound: a changed e-mail at the provider still reaches the same account
    provider.identity = {"sub": "u-123", "email": "ann.new@ncc.example", "email_verified": True}
    _sso(browser, node)
    assert browser.find_element(By.ID, "account-name").text == "ann@ncc.example"


@pytest.mark.parametrize("identity", [
    {"sub": "u-9", "email": "ann@ncc.example", "email_verified": False},  # not verified
    {"sub": "u-9", "email": "bob@ncc.example", "email_verified": True},  # no such account
    {"sub": "u-9"},  # no e-mail at all
], ids=["unverified", "unknown", "no-email"])
def test_identities_without_an_account_are_refused(browser: Browser, node: LiveNode,
                                                   provider: Provider,
                                                   identity: dict[str, Any]) -> None:
    provider.identity = identity
    text = _sso(browser, node)
    assert "No active account on this node belongs to" in text
    assert node.context.store.user(name="ann@ncc.example").oidc_subject is None  # type: ignore[union-attr]


def test_a_forged_id_token_is_refused(browser: Browser, node: LiveNode,
                                      provider: Provider) -> None:
    provider.identity = {"sub": "u-123", "email": "ann@ncc.example", "email_verified": True}
    provider.forge = True
    text = _sso(browser, node)
    assert "The identity provider's answer was not accepted" in text
    assert node.context.store.user(name="ann@ncc.example").oidc_subject is None  # type: ignore[union-attr]


def test_a_callback_without_the_sessions_state_is_refused(node: LiveNode) -> None:
    answer = requests.get(node.url + "/web/sign-in/sso/callback?code=x&state=guessed",
                          timeout=30)
    assert answer.status_code == 400
    assert "The identity provider's answer was not accepted" in html.unescape(answer.text)


def test_without_a_provider_there_is_no_single_sign_on(live_node: Callable[..., LiveNode]
                                                       ) -> None:
    plain = live_node("EE")
    assert 'id="sso"' not in requests.get(plain.url + "/web/sign-in", timeout=30).text
    assert requests.get(plain.url + "/web/sign-in/sso", timeout=30).status_code == 404
