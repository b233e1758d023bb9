"""Signing a person in to a node's pages over real HTTP, as a browser's form would."""

from __future__ import annotations

import re

import requests

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    found = _CSRF.search(html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def signed_in(url: str, name: str, password: str) -> requests.Session:
    """A session signed in at the node ``url`` through its sign-in form."""
    session = requests.Session()
    form = session.get(f"{url}/web/sign-in", timeout=30)
    response = session.post(f"{url}/web/sign-in", timeout=30, allow_redirects=False,
                            data={"name": name, "password": password,
                                  "csrf_token": csrf_token(form.text)})
    assert response.status_code == 303, response.text
    return session
