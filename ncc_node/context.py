"""The node context: the settings, store, identity and publisher a running node works with.

Built once per app (``app.extensions["ncc"]``) or per CLI command by :func:`open_node`; request
handlers reach it through :func:`node`. The app factory (:mod:`ncc_node.app`) only assembles.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from .identity import NodeIdentity, load_identity
from .records import Publisher
from .settings import Settings
from .store import Store, open_store


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
    store = open_store(settings.database())
    try:
        identity = load_identity(settings, store)
    except BaseException:
        store.close()
        raise
    return NodeContext(settings, store, identity, Publisher(store, identity))
