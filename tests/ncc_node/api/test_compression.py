"""Compressed responses: Accept-Encoding negotiation, zstd before gzip, weak ETags, Vary."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from ncc_node.api.compression import choose_encoding, zstd
from ncc_node.app import create_app
from tests.nodes import init_node, node_config

Publish = Callable[..., dict[str, Any]]


def decoded(response: Any) -> bytes:
    """A response's body, decompressed as its Content-Encoding says."""
    body: bytes = response.get_data()
    coding = response.headers.get("Content-Encoding")
    if coding == "zstd":
        return bytes(zstd.decompress(body))
    if coding == "gzip":
        return gzip.decompress(body)
    assert coding is None
    return body


@pytest.mark.parametrize(("header", "expected"), [
    ("zstd, gzip", "zstd"), ("gzip, zstd", "zstd"), ("gzip", "gzip"), ("gzip, deflate, br", "gzip"),
    ("zstd;q=0.5, gzip", "gzip"), ("zstd;q=0, *", "gzip"), ("*", "zstd"), ("br", None),
    ("identity", None), ("", None), (None, None)])
def test_choose_encoding(header: str | None, expected: str | None) -> None:
    assert choose_encoding(header) == expected


def test_feed_pages_negotiate_their_coding(client: FlaskClient, publish: Publish) -> None:
    for index in range(20):
        publish(name={"en": f"Initiative {index}"})
    plain = client.get("/feed?limit=50")
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.headers["Vary"]
    sizes = {}
    for header, coding in (("zstd, gzip", "zstd"), ("gzip", "gzip"), ("br", None)):
        response = client.get("/feed?limit=50", headers={"Accept-Encoding": header})
        assert response.status_code == 200
        assert response.headers.get("Content-Encoding") == coding
        assert "Accept-Encoding" in response.headers["Vary"]
        assert decoded(response) == plain.get_data()  # the same bytes, byte for byte
        assert int(response.headers["Content-Length"]) == len(response.get_data())
        sizes[coding] = len(response.get_data())
    assert sizes["zstd"] < 0.35 * sizes[None] and sizes["gzip"] < 0.35 * sizes[None]
    # an up-to-date page is tiny: sent as it is
    cursor = plain.get_json()["cursor"]
    small = client.get(f"/feed?after={cursor}", headers={"Accept-Encoding": "zstd"})
    assert "Content-Encoding" not in small.headers and small.get_json()["items"] == []


def test_lists_compress_with_a_weak_etag_that_still_revalidates(client: FlaskClient,
                                                                publish: Publish) -> None:
    for index in range(10):
        publish(name={"en": f"Initiative {index}"})
    plain = client.get("/initiatives?limit=10")
    strong = plain.headers["ETag"]
    assert not strong.startswith("W/")
    packed = client.get("/initiatives?limit=10", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["ETag"] == "W/" + strong
    assert decoded(packed) == plain.get_data()
    again = client.get("/initiatives?limit=10", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""


def test_errors_and_single_records_are_not_compressed(client: FlaskClient,
                                                      publish: Publish) -> None:
    response = client.get("/feed?after=nonsense", headers={"Accept-Encoding": "zstd"})
    assert response.status_code == 400 and "Content-Encoding" not in response.headers
    record = publish(description={"en": "Long enough to be worth compressing. " * 40})
    path = record["id"].removeprefix("http://127.0.0.1:8470")
    response = client.get(path, headers={"Accept-Encoding": "zstd"})
    assert response.status_code == 200 and len(response.get_data()) > 1024
    assert "Content-Encoding" not in response.headers  # its strong ETag is what If-Match names
    assert not response.headers["ETag"].startswith("W/")


def test_compression_can_be_turned_off(tmp_path: Path, make_payload: Callable[..., Any]) -> None:
    config = node_config(tmp_path / "node", "http://127.0.0.1:8470",
                         **{"server.compression": False})
    init_node(config)
    app = create_app(config)
    try:
        for index in range(10):
            app.extensions["ncc"].publisher.create("Initiative",
                                                   make_payload(name={"en": f"I {index}"}))
        response = app.test_client().get("/feed", headers={"Accept-Encoding": "zstd, gzip"})
        assert response.status_code == 200 and "Content-Encoding" not in response.headers
        assert len(response.get_data()) > 4096
    finally:
        app.extensions["ncc"].store.close()
