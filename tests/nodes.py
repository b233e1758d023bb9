"""Real nodes for tests: initialised data directories and live HTTP servers on port 0."""

from __future__ import annotations

import socket
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from ncc_node.accounts import add_user
from ncc_node.app import create_app
from ncc_node.context import NodeContext
from ncc_node.identity.node_identity import init_identity
from ncc_node.identity.tokens import create_token
from ncc_node.settings import load_settings
from ncc_node.store import open_store
from ncc_node.web import finish_imports

from .databases import TEST_DATABASE, test_database

PASSWORD = "a long test password"  # noqa: S105  (test accounts only)
NAMES = {"DE": "NCC Germany", "EE": "NCC Estonia", "NL": "NCC Netherlands", "LU": "NCC Luxembourg"}


def node_config(data_dir: Path, base_url: str, country: str = "DE",
                **extra: Any) -> dict[str, Any]:
    """Settings for a test node (as passed to create_app); with NCC_TEST_DATABASE, its store
    is a PostgreSQL schema of its own (tests/databases.py)."""
    if TEST_DATABASE is not None and "node.database" not in extra:
        extra["node.database"] = str(test_database(data_dir))
    return {"node.base_url": base_url, "node.country": country,
            "node.name": NAMES.get(country, f"NCC {country}"), "node.data_dir": str(data_dir),
            **extra}


def init_node(config: Mapping[str, Any]) -> None:
    """Create the key and descriptor of a node (what `ncc init` does)."""
    settings = load_settings(config, environ={})
    store = open_store(settings.database())
    try:
        init_identity(settings, store)
    finally:
        store.close()


def _placeholder(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


@dataclass
class LiveNode:
    """A node serving real HTTP on 127.0.0.1 in a background thread."""

    url: str
    app: Flask
    server: BaseWSGIServer
    thread: threading.Thread
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def context(self) -> NodeContext:
        """The node's store, identity and publisher."""
        context: NodeContext = self.app.extensions["ncc"]
        return context

    def auth(self, scope: str = "write") -> dict[str, str]:
        """An Authorization header carrying a token with ``scope``."""
        if scope not in self.tokens:
            _, secret = create_token(self.context.store, f"test-{scope}", [scope])
            self.tokens[scope] = secret
        return {"Authorization": f"Bearer {self.tokens[scope]}"}

    def person(self, role: str = "editor") -> tuple[str, str]:
        """(name, password) of an account with ``role`` (made once per role)."""
        name = f"test-{role}"
        if self.context.store.user(name=name) is None:
            add_user(self.context.store, name, role=role, password=PASSWORD, actor="test")
        return name, PASSWORD

    def stop(self) -> None:
        """Shut the server down and close the store."""
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        close_app(self.app)


def close_app(app: Flask) -> None:
    """Stop the app's SPARQL query processes, if it started any, wait for its imports, and
    close its store."""
    finish_imports(app)
    pool = app.extensions.pop("ncc_sparql_pool", None)
    if pool is not None:
        pool.close()
    app.extensions["ncc"].store.close()


def start_live_node(data_dir: Path, country: str = "DE", *, base_url: str | None = None,
                    **extra: Any) -> LiveNode:
    """Bind a port, initialise a node for that base URL, and serve it.

    ``base_url`` gives the node another base URL than its own address, e.g. a fault proxy's
    that forwards to :func:`server_address` of the returned node.
    """
    server = make_server("127.0.0.1", 0, _placeholder, threaded=True)
    url = base_url or server_address(server)
    config = node_config(data_dir, url, country, **extra)
    init_node(config)
    app = create_app(config)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, name=f"node-{country}", daemon=True)
    thread.start()
    return LiveNode(url, app, server, thread)


def server_address(server: BaseWSGIServer) -> str:
    """The ``http://127.0.0.1:<port>`` a live node's server listens on."""
    return f"http://127.0.0.1:{server.server_port}"


def stop_all(servers: list[BaseWSGIServer], nodes: list[LiveNode]) -> None:
    """Stop servers and live nodes together, poking each so its accept loop sees the request at
    once (``serve_forever`` otherwise notices a shutdown only at its next 0.5 s poll)."""
    stoppers = [threading.Thread(target=s.shutdown) for s in servers]
    stoppers += [threading.Thread(target=n.stop) for n in nodes]
    for stopper in stoppers:
        stopper.start()
    for port in [s.server_port for s in servers] + [n.server.server_port for n in nodes]:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            pass  # already closed
    for stopper in stoppers:
        stopper.join(timeout=10)
    for server in servers:
        server.server_close()

