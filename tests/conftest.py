"""Fixtures shared by every test package."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from .databases import drop_schemas
from .processes import no_process_left  # noqa: F401  (autouse: no child outlives its test)

# Property tests check correctness, not speed: no per-example deadline, which on a loaded CI
# machine fails at random (hypothesis's default is 200 ms).
hypothesis_settings.register_profile("ncc", deadline=None)
hypothesis_settings.load_profile("ncc")


@pytest.fixture(scope="session", autouse=True)
def test_schemas() -> Iterator[None]:
    """With NCC_TEST_DATABASE set, drop the PostgreSQL schemas the run created at its end."""
    yield
    drop_schemas()


class NetworkAttempt(AssertionError):
    """Raised when code under test tries to open a network connection."""


@pytest.fixture
def socket_guard(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Fail any outgoing connection or DNS lookup, recording each attempt (the network is
    outside the project, so faking it is fair game)."""
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise NetworkAttempt(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    yield attempts


# -- real nodes -------------------------------------------------------------------------------

from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

from flask import Flask  # noqa: E402
from flask.testing import FlaskClient, FlaskCliRunner  # noqa: E402

from vocab import example  # noqa: E402

from .nodes import (  # noqa: E402
    LiveNode,
    close_app,
    init_node,
    node_config,
    start_live_node,
    stop_all,
)

APP_BASE = "http://127.0.0.1:8470"


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Flask]:
    """An initialised node's app (base URL http://127.0.0.1:8470; not serving)."""
    from ncc_node.app import create_app

    config = node_config(tmp_path / "node", APP_BASE)
    init_node(config)
    application = create_app(config)
    application.config["TESTING"] = True
    yield application
    close_app(application)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of :func:`app`."""
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    """A CLI runner bound to :func:`app`."""
    return app.test_cli_runner()


@pytest.fixture
def make_payload() -> Callable[..., dict[str, Any]]:
    """Build a valid payload (what an operator POSTs: no minted fields), with overrides.

    ``make_record`` (tests/ncc_node/conftest.py) builds whole records; this builds payloads.
    """

    def build(kind: str = "Initiative", **overrides: Any) -> dict[str, Any]:
        record = example("initiative.jsonld" if kind == "Initiative" else "method.jsonld")
        for minted in ("@context", "id", "type", "origin", "version", "modified", "proof"):
            record.pop(minted, None)
        record.pop("usesMethods", None)
        record.pop("adapts", None)
        record.update(overrides)
        return record

    return build


@pytest.fixture
def live_node(tmp_path: Path) -> Iterator[Callable[..., LiveNode]]:
    """Start real nodes on 127.0.0.1, port 0: ``live_node("EE")``; all stop at teardown."""
    started: list[LiveNode] = []

    def start(country: str = "DE", **extra: Any) -> LiveNode:
        node = start_live_node(tmp_path / f"node-{country}-{len(started)}", country, **extra)
        started.append(node)
        return node

    yield start
    stop_all([], started)
