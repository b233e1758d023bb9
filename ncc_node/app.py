"""The application factory: ``create_app(config=None) -> Flask`` (CONVENTIONS §1).

Settings come from packaged defaults -> ``NCC_CONFIG`` TOML -> ``NCC_*`` env -> ``config``.
Nothing is created at import time; the store, identity and publisher live in
``app.extensions["ncc"]`` (a :class:`~ncc_node.context.NodeContext`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from .api import register_api
from .context import open_node
from .settings import load_settings
from .web import register_web


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the node's Flask app from layered settings."""
    settings = load_settings(config)
    context = open_node(settings)
    app = Flask("ncc_node")
    # one byte over the limit: werkzeug answers a larger Content-Length with 413 itself, but
    # cuts a chunked body off silently at this length, so a body that reaches it is one
    # the limit refuses (413), not a truncated one (jsonbody.parse_json)
    app.config["MAX_CONTENT_LENGTH"] = settings["limits.max_body_bytes"] + 1
    app.extensions["ncc"] = context
    register_api(app, context)
    register_web(app, context)
    return app
