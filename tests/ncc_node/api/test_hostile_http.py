"""Hostile use of a live node over HTTP: poison records, database file modes, cross-site form
posts to the operator's sign-in, caching of operator pages, oversize chunked bodies."""

from __future__ import annotations

import http.client
import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from click.testing import CliRunner

from ncc_cli import main as cli
from ncc_node import dump_body, sign

from ...databases import sqlite_only
from ...nodes import LiveNode
from ...web_session import csrf_token, signed_in

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]

#: characters RFC 3987 keeps out of IRIs, which N-Triples and Turtle cannot carry, and which the
#: shapes' old pattern ``^https?://[^ ]+$`` let through (space and newline it refused already:
#: tests/vocab/test_iri_agreement.py keeps them)
UNSAFE = ['"', "<", ">", "{", "}", "|", "^", "`", "\\", "%zz"]


@pytest.mark.parametrize("bad", UNSAFE)
def test_a_url_field_that_is_no_iri_is_refused(live_node: Start, make_payload: Payload,
                                                bad: str) -> None:
    node = live_node("DE")
    payload = make_payload(website=f"https://example.org/a{bad}b")
    response = requests.post(node.url + "/initiatives", json=payload, headers=node.auth(),
                             timeout=30)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"]


def test_a_record_the_view_cannot_convert_is_skipped_and_shown(
        live_node: Start, make_payload: Payload, tmp_path: Path) -> None:
    """A record stored before IRIs were checked (or by a peer's older software): SPARQL keeps
    working, its Turtle is a 4xx, and the operator sees it in ncc status and on the page."""
    node = live_node("DE")
    good = node.context.publisher.create("Initiative", make_payload(name={"en": "Good"}))
    record = json.loads(good.body)
    record.pop("proof")
    record.update(id=good.id.replace(good.id[-12:], "0" * 12), website='https://x.org/"a{b}')
    identity = node.context.identity
    signed = sign(record, private_key=identity.active_key.private_key,
                  verification_method=identity.active_key.verification_method(
                      identity.node_iri))
    with node.context.store.write() as writer:  # past the validators, as an old node did
        writer.put(signed, dump_body(signed))
    select = "SELECT ?n WHERE { ?i <https://schema.org/name> ?n }"
    response = requests.get(node.url + "/sparql", params={"query": select}, timeout=60,
                            headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    names = {b["n"]["value"] for b in response.json()["results"]["bindings"]}
    assert "Good" in names
    count, skips = node.context.store.view_skips()
    assert count == 1 and skips[0][0] == signed["id"]
    turtle = requests.get(signed["id"], headers={"Accept": "text/turtle"}, timeout=30)
    assert 400 <= turtle.status_code < 500 and turtle.json()["error"]["message"]
    listing = requests.get(node.url + "/initiatives", headers={"Accept": "text/turtle"},
                           timeout=30)
    assert listing.status_code in (200, 406)
    config = tmp_path / "ncc.toml"
    settings = node.context.settings
    config.write_text(f'[node]\nbase_url = "{node.url}"\ncountry = "DE"\n'
                      f'name = "NCC Germany"\ndata_dir = "{settings.path("node.data_dir")}"\n'
                      f'database = "{settings.database()}"\n')
    status = CliRunner().invoke(cli, ["status", "--config", str(config)])
    assert status.exit_code == 0, status.output
    assert "1 record(s) left out" in status.output and signed["id"] in status.output
    page = signed_in(node.url, *node.person("admin")).get(node.url + "/web/operator",
                                                          timeout=30)
    assert page.status_code == 200 and signed["id"] in page.text


@sqlite_only
def test_database_files_are_private(live_node: Start, make_payload: Payload) -> None:
    node = live_node("DE")
    node.context.publisher.create("Initiative", make_payload())
    database = node.context.settings.path("node.database")
    for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        assert path.exists(), path
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


@pytest.mark.parametrize("path", ["/web/sign-in", "/web/sign-out"])
@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_cross_site_form_posts_are_refused(live_node: Start, path: str,
                                           headers: dict[str, str]) -> None:
    node = live_node("DE")
    name, password = node.person("admin")
    session = requests.Session()
    token = csrf_token(session.get(node.url + "/web/sign-in", timeout=30).text)
    form = {"name": name, "password": password, "csrf_token": token}
    response = session.post(node.url + path, data=form, headers=headers,
                            allow_redirects=False, timeout=30)
    assert response.status_code == 403
    assert "_user_id" not in str(session.cookies.get("ncc_session", ""))
    # the same form from the node's own pages works
    own = session.post(node.url + path, data=form, allow_redirects=False,
                       headers={"Origin": node.url, "Sec-Fetch-Site": "same-origin"},
                       timeout=30)
    assert own.status_code == 303


def test_operator_pages_are_never_cached(live_node: Start) -> None:
    node = live_node("DE")
    response = signed_in(node.url, *node.person("admin")).get(node.url + "/web/operator",
                                                               timeout=30)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


def test_oversize_chunked_body_is_413(live_node: Start) -> None:
    node = live_node("DE", **{"limits.max_body_bytes": 64 * 1024})
    parts = urlsplit(node.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    chunk = b"[" * 1024

    def body() -> Any:
        for _ in range(3 * 64):  # 3 times the limit, no Content-Length
            yield chunk

    conn.request("POST", "/initiatives", body=body(), encode_chunked=True,
                 headers={"Content-Type": "application/json", **node.auth()})
    response = conn.getresponse()
    assert response.status == 413
    assert json.loads(response.read())["error"]["code"]
    conn.close()


@pytest.mark.parametrize("path", ["/node/history?origin=a%00b", "/feed/digest?origin=a%00b",
                                  "/feed?scope=own&origin=a%00b", "/initiatives?q=a%00b"])
def test_a_nul_in_a_query_parameter_is_no_server_error(live_node: Start, path: str) -> None:
    """PostgreSQL's text holds no NUL: a lookup by one finds what SQLite finds, never a 500."""
    node = live_node("DE")
    response = requests.get(node.url + path, headers=node.auth(), timeout=30)
    assert response.status_code < 500, response.text
