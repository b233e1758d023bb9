"""Fixtures of the scouting tests: a node's context and a way to publish on it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from ncc_node.context import NodeContext

Publish = Callable[..., dict[str, Any]]

# Fields of the example initiative that make a record score high; tests strip them to compare.
PLAIN = {"impact": None, "results": None, "transferPotential": None, "seeksPartners": None,
         "seeksPartnersIn": None}


@pytest.fixture
def context(app: Flask) -> NodeContext:
    """The app's store, identity and publisher (a German node, http://127.0.0.1:8470)."""
    ncc: NodeContext = app.extensions["ncc"]
    return ncc


@pytest.fixture
def publish(context: NodeContext, make_payload: Callable[..., dict[str, Any]]) -> Publish:
    """Publish a signed record on the app's node: ``publish(name="x", countries=[...])``;
    a keyword set to None removes that field. Returns the stored record as a dict."""

    def create(kind: str = "Initiative", **overrides: Any) -> dict[str, Any]:
        payload = make_payload(kind)
        for key, value in overrides.items():
            if value is None:
                payload.pop(key, None)
            else:
                payload[key] = value
        stored = context.publisher.create(kind, payload)
        record: dict[str, Any] = json.loads(stored.body)
        return record

    return create
