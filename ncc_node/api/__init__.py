"""The node's HTTP API (architecture §5): one flask-smorest blueprint per resource, registered here.

``register_api(app, context)`` is called by :func:`ncc_node.app.create_app`; it configures
OpenAPI (``/openapi.json``, docs at ``/docs``), the one JSON error shape, and the blueprints.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from flask import Flask

from vocab import INITIATIVE, METHOD

from ..context import NodeContext
from . import (
    drafts,
    feed,
    moderation,
    node,
    push,
    repair,
    roster,
    scout,
    sparql,
    stats,
    sync_status,
    vocabulary,
)
from .compression import register_compression
from .error_shape import register_error_handlers
from .listing import InitiativeQuerySchema, MethodQuerySchema
from .openapi import Blueprint, create_api
from .record_kinds import kind_blueprint

BLUEPRINTS: tuple[Blueprint, ...] = (
    node.blp,
    roster.blp,
    kind_blueprint(INITIATIVE, InitiativeQuerySchema),
    kind_blueprint(METHOD, MethodQuerySchema),
    feed.blp,
    repair.blp,
    vocabulary.blp,
    sync_status.blp,
    push.blp,
    scout.blp,
    sparql.blp,
    stats.blp,
    drafts.blp,
    moderation.blp,
)


def _version() -> str:
    try:
        return version("ncc-exchange")
    except PackageNotFoundError:  # running from a checkout that was never installed
        return "0"


def register_api(app: Flask, context: NodeContext) -> None:
    """Register the API's blueprints, OpenAPI document and error handlers on ``app``."""
    api = create_api(app, _version())
    register_error_handlers(app)
    for blueprint in BLUEPRINTS:
        api.register_blueprint(blueprint)
    push.register_nudges(app)
    if context.settings["server.compression"]:
        register_compression(app)


__all__ = ["BLUEPRINTS", "register_api"]
