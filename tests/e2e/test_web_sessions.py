"""Sessions over real HTTP: the signed cookie's expiry holds on the server even for a client
that keeps the cookie, a tampered cookie names nobody, and each account change ends them."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import requests

from ncc_node.accounts import set_password, set_role
from tests.nodes import LiveNode
from tests.web_session import csrf_token, signed_in


def _sign_in_cookie(node: LiveNode) -> str:
    """Sign in and return the session cookie's value as sent, before any client drops it."""
    session = requests.Session()
    form = session.get(node.url + "/web/sign-in", timeout=30)
    name, password = node.person("editor")
    answer = session.post(node.url + "/web/sign-in", allow_redirects=False, timeout=30,
                          data={"name": name, "password": password,
                                "csrf_token": csrf_token(form.text)})
    assert answer.status_code == 303
    found = re.search(r"ncc_session=([^;]+)", answer.headers["Set-Cookie"])
    assert found
    return found.group(1)


def _replayed(node: LiveNode, cookie: str) -> int:
    """The status of /web/account for a client sending ``cookie`` whatever its expiry."""
    answer = requests.get(node.url + "/web/account", cookies={"ncc_session": cookie},
                          allow_redirects=False, timeout=30)
    return answer.status_code


def _until_refused(node: LiveNode, cookie: str, deadline_s: float) -> float:
    """Poll until the server refuses the cookie; return how long that took."""
    started = time.monotonic()
    while _replayed(node, cookie) == 200:
        assert time.monotonic() - started < deadline_s, "the session did not expire"
        time.sleep(0.2)
    return time.monotonic() - started


def test_an_idle_session_ends_on_the_server(live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE", **{"web.session_idle_minutes": 0.05})  # 3 s
    cookie = _sign_in_cookie(node)
    _until_refused(node, cookie, deadline_s=10)
    assert _replayed(node, cookie) == 303


def test_a_session_ends_at_its_maximum_age_however_active(
        live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE", **{"web.session_max_hours": 0.001})  # 3.6 s
    cookie = _sign_in_cookie(node)
    _until_refused(node, cookie, deadline_s=10)


def test_a_tampered_cookie_names_nobody(live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE")
    session = signed_in(node.url, *node.person("editor"))
    cookie = session.cookies.get("ncc_session")
    assert cookie and _replayed(node, cookie) == 200
    payload, _, signature = cookie.rpartition(".")
    forged = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _replayed(node, forged) == 303


def test_role_and_password_changes_end_open_sessions(live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE")
    name, password = node.person("editor")
    node.person("admin")  # the last admin may not be demoted; this one stays
    for change in (lambda: set_role(node.context.store, name, "admin", actor="test"),
                   lambda: set_password(node.context.store, name, password, actor="test")):
        session = signed_in(node.url, name, password)
        assert session.get(node.url + "/web/account", timeout=30).status_code == 200
        change()
        assert session.get(node.url + "/web/account", allow_redirects=False,
                           timeout=30).status_code == 303
