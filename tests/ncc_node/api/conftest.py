"""Fixtures of the API tests: payloads, tokens, a second node whose records get merged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ncc_node.app import create_app
from ncc_node.context import NodeContext
from ncc_node.identity.tokens import create_token
from ncc_node.store import StoredRecord
from tests.nodes import init_node, node_config
from vocab import example

PEER_BASE = "http://127.0.0.1:8471"
MINTED = ("@context", "id", "type", "origin", "version", "modified", "proof")
Payload = dict[str, Any]


def build_payload(kind: str = "Initiative", **overrides: Any) -> Payload:
    """A valid payload of ``kind``, like ``make_payload`` but usable in parametrize lists."""
    payload = example("initiative.jsonld" if kind == "Initiative" else "method.jsonld")
    for name in (*MINTED, "usesMethods", "adapts"):
        payload.pop(name, None)
    payload.update(overrides)
    return payload


@pytest.fixture
def context(app: Flask) -> NodeContext:
    """The app's store, identity and publisher."""
    ncc: NodeContext = app.extensions["ncc"]
    return ncc


@pytest.fixture
def auth(context: NodeContext) -> Callable[..., dict[str, str]]:
    """``auth("write")``: an Authorization header with a fresh token of that scope."""
    made: dict[str, str] = {}

    def header(*scopes: str) -> dict[str, str]:
        key = " ".join(sorted(scopes or ("write",)))
        if key not in made:
            _, made[key] = create_token(context.store, f"test-{key}", scopes or ("write",))
        return {"Authorization": f"Bearer {made[key]}"}

    return header


@pytest.fixture
def publish(client: FlaskClient, auth: Callable[..., dict[str, str]]
            ) -> Callable[..., dict[str, Any]]:
    """POST a payload through the API and return the signed record (asserting 201)."""

    def post(kind: str = "Initiative", **overrides: Any) -> dict[str, Any]:
        collection = "initiatives" if kind == "Initiative" else "methods"
        response = client.post(f"/{collection}", json=build_payload(kind, **overrides),
                               headers=auth("write"))
        assert response.status_code == 201, response.get_data(as_text=True)
        record: dict[str, Any] = response.get_json()
        return record

    return post


@pytest.fixture
def peer(tmp_path: Path) -> Iterator[NodeContext]:
    """A second initialised node (Estonia, not serving) whose records the app can merge."""
    config = node_config(tmp_path / "peer", PEER_BASE, "EE")
    init_node(config)
    peer_app = create_app(config)
    ncc: NodeContext = peer_app.extensions["ncc"]
    yield ncc
    ncc.store.close()


def merge(into: NodeContext, record: StoredRecord, *, from_url: str = PEER_BASE) -> StoredRecord:
    """Store a record signed by another node as the sync worker would: same bytes."""
    return into.store.put(json.loads(record.body), record.body, received_from=from_url)


def uuid_of(record: dict[str, Any] | StoredRecord) -> str:
    """The last path segment of a record's id."""
    record_id = record["id"] if isinstance(record, dict) else record.id
    return str(record_id).rsplit("/", 1)[-1]
