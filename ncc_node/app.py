"""The application factory: ``create_app(config=None) -> Flask`` (CONVENTIONS §1).

Settings come from packaged defaults -> ``NCC_CONFIG`` TOML -> ``NCC_*`` env -> ``config``.
Nothing is created at import time; the store, identity and publisher live in
``app.extensions["ncc"]`` (a :class:`NodeContext`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from .identity import NodeIdentity, load_identity
from .publish import Publisher
from .settings import Settings, load_settings
from .store import SqliteStore, Store


@dataclass
class NodeContext:
    """Everything a request handler needs, built once per app."""

    settings: Settings
    store: Store
    identity: NodeIdentity
    publisher: Publisher


def node() -> NodeContext:
    """Return the :class:`NodeContext` of the current app."""
    context: NodeContext = current_app.extensions["ncc"]
    return context


def open_node(settings: Settings) -> NodeContext:
    """Open the store and identity of an initialised node (used by the app and the CLI)."""
    store = SqliteStore(settings.path("node.database"))
    try:
        identity = load_identity(settings, store)
    except BaseException:
        store.close()
        raise
    return NodeContext(settings, store, identity, Publisher(store, identity))


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the node's Flask app from layered settings."""
    from .api import register_api  # the web layer is imported only when an app is built
    from .web import register_web

    settings = load_settings(config)
    context = open_node(settings)
    app = Flask("ncc_node")
    app.config["MAX_CONTENT_LENGTH"] = settings["limits.max_body_bytes"]
    app.extensions["ncc"] = context
    register_api(app, context)
    register_web(app)
    return app
