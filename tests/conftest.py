"""Fixtures shared by every test package."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from typing import Any

import pytest


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
