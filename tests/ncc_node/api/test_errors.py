"""The one error shape on every error path; rejected writes change nothing stored."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ncc_node.api.schemas import ErrorSchema
from ncc_node.app import create_app
from ncc_node.context import NodeContext
from ncc_node.errors import StoreError
from ncc_node.identity.tokens import create_token
from tests.nodes import init_node, node_config
from vocab import CONTEXT_URL

from .conftest import build_payload

Auth = Callable[..., dict[str, str]]


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """Check the one error shape and return the inner object."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert ErrorSchema().validate(body) == {}, body
    error: dict[str, Any] = body["error"]
    assert error["status"] == status and error["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return error


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


REJECTED = [
    # (description, body bytes or JSON value, content type, status, code, field named)
    ("bad JSON", b'{"name": ', "application/json", 400, "bad_request", None),
    ("NaN", b'{"version": NaN}', "application/json", 400, "bad_request", None),
    ("not UTF-8", b'{"name": "\xff"}', "application/json", 400, "bad_request", None),
    ("not an object", [1, 2], "application/json", 422, "invalid_record", None),
    ("minted id", build_payload(id="https://x.example/initiatives/1"), "application/json",
     422, "invalid_record", "id"),
    ("minted proof", build_payload(proof={}), "application/json", 422, "invalid_record",
     "proof"),
    ("foreign context", build_payload(**{"@context": "https://schema.org/"}),
     "application/json", 422, "invalid_record", "@context"),
    ("context list", build_payload(**{"@context": [CONTEXT_URL, {"x": "http://x/"}]}),
     "application/json", 422, "invalid_record", "@context"),
    ("wrong type", build_payload(type="Method"), "application/json", 422, "invalid_record",
     "type"),
    ("unknown field", build_payload(colour="blue"), "application/json", 422,
     "invalid_record", "colour"),
    ("invalid concept", build_payload(sdgs=["sdg:99"]), "application/json", 422,
     "invalid_record", "sdgs[0]"),
    ("missing field", {k: v for k, v in build_payload().items() if k != "name"},
     "application/json", 422, "invalid_record", "name"),
    ("too deep", build_payload(regions=nested(40)), "application/json", 413, "too_large",
     None),
    ("plain text", b"{}", "text/plain", 415, "unsupported_media_type", None),
    ("form", b"a=b", "application/x-www-form-urlencoded", 415, "unsupported_media_type",
     None),
]


@pytest.mark.parametrize("what, body, content_type, status, code, field", REJECTED,
                         ids=[r[0] for r in REJECTED])
def test_rejected_writes_name_the_problem_and_store_nothing(
        client: FlaskClient, context: NodeContext, auth: Auth, what: str, body: Any,
        content_type: str, status: int, code: str, field: str | None) -> None:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    before = context.store.last_seq()
    response = client.post("/initiatives", data=data,
                           headers={**auth(), "Content-Type": content_type})
    error = assert_error(response, status, code)
    if field is not None:
        assert field in [d["path"] for d in error["details"]], error
    assert context.store.last_seq() == before


def test_rejected_update_keeps_the_stored_record(client: FlaskClient, context: NodeContext,
                                                 auth: Auth) -> None:
    created = client.post("/initiatives", json=build_payload(), headers=auth())
    url = "/initiatives/" + created.get_json()["id"].rsplit("/", 1)[1]
    response = client.put(url, json=build_payload(stage="maturity:unknown"),
                          headers={**auth(), "If-Match": created.headers["ETag"]})
    error = assert_error(response, 422, "invalid_record")
    assert "stage" in [d["path"] for d in error["details"]]
    assert client.get(url).data == created.data


@pytest.fixture
def small_app(tmp_path: Path) -> Any:
    """A node with a 2 KiB body limit."""
    config = node_config(tmp_path / "small", "http://127.0.0.1:8472",
                         **{"limits.max_body_bytes": 2048})
    init_node(config)
    application = create_app(config)
    yield application
    application.extensions["ncc"].store.close()


def test_a_body_over_the_limit_is_413(small_app: Flask) -> None:
    context: NodeContext = small_app.extensions["ncc"]
    _, secret = create_token(context.store, "w", ["write"])
    payload = build_payload(description={"en": "x" * 5000})
    response = small_app.test_client().post(
        "/initiatives", json=payload, headers={"Authorization": f"Bearer {secret}"})
    assert_error(response, 413, "too_large")
    assert context.store.last_seq() == 1  # the descriptor only


def test_unknown_route_is_404(client: FlaskClient) -> None:
    assert_error(client.get("/no/such/thing"), 404, "not_found")


def test_wrong_method_is_405_with_allow(client: FlaskClient) -> None:
    response = client.patch("/initiatives")
    assert_error(response, 405, "method_not_allowed")
    assert "POST" in response.headers["Allow"]
    assert_error(client.post("/feed"), 405, "method_not_allowed")


@pytest.mark.parametrize("url, field", [
    ("/initiatives?sdg=sdg:99", "sdg"),
    ("/initiatives?limit=0", "limit"),
    ("/feed?after=%%%", "after"),
])
def test_bad_parameters_are_400_naming_them(client: FlaskClient, url: str, field: str) -> None:
    error = assert_error(client.get(url), 400, "bad_request")
    assert [d["path"] for d in error["details"]] == [field]


def test_unexpected_exceptions_are_500_logged_never_shown(
        app: Flask, caplog: pytest.LogCaptureFixture) -> None:
    secret = "ncc_super-secret-value"

    def explode() -> str:
        raise RuntimeError(f"connection string with {secret}")

    app.add_url_rule("/explode", view_func=explode)
    with caplog.at_level(logging.ERROR, logger="ncc_node.api.error_shape"):
        response = app.test_client().get("/explode")
    assert_error(response, 500, "internal")
    assert secret not in response.get_data(as_text=True)
    assert any(r.exc_info and isinstance(r.exc_info[1], RuntimeError) for r in caplog.records)


def test_server_side_node_errors_hide_their_message(app: Flask,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    def broken_store() -> str:
        raise StoreError("cannot open database /srv/ncc/secret-path/node.db")

    app.add_url_rule("/broken", view_func=broken_store)
    with caplog.at_level(logging.ERROR, logger="ncc_node.api.error_shape"):
        response = app.test_client().get("/broken")
    assert_error(response, 500, "store")
    assert "secret-path" not in response.get_data(as_text=True)
    assert "secret-path" in caplog.text
