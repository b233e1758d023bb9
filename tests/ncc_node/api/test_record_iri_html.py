"""A record's IRI asked for HTML (a browser following a link) answers 303 to its page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_is_sent_to_the_record_page(client: FlaskClient,
                                              publish: Callable[..., dict[str, Any]]) -> None:
    for kind, collection in (("Initiative", "initiatives"), ("Method", "methods")):
        record = publish(kind)
        path = record["id"].removeprefix("http://127.0.0.1:8470")
        assert path.startswith(f"/{collection}/")
        response = client.get(path, headers={"Accept": BROWSER})
        assert response.status_code == 303
        assert response.headers["Location"].endswith(f"/web{path}")
        assert "Accept" in response.headers["Vary"]
        page = client.get(response.headers["Location"], headers={"Accept": BROWSER})
        assert page.status_code == 200 and page.mimetype == "text/html"


def test_data_clients_still_get_the_record(client: FlaskClient,
                                           publish: Callable[..., dict[str, Any]]) -> None:
    record = publish()
    path = record["id"].removeprefix("http://127.0.0.1:8470")
    for accept, mimetype in (("*/*", "application/ld+json"), ("text/turtle", "text/turtle"),
                             ("application/ld+json, text/html;q=0.5", "application/ld+json")):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == mimetype, accept
    assert client.get(path, headers={"Accept": "image/png"}).status_code == 406
