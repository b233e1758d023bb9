"""What a write request must bring: a bearer token with the right scope and a JSON body.

The token is checked before the body is read, so an anonymous client learns nothing about the
validity of what it sent. Bodies are parsed by :func:`ncc_node.jsonbody.parse_json` under the
node's size and depth limits (werkzeug enforces ``MAX_CONTENT_LENGTH`` while reading).
"""

from __future__ import annotations

from typing import Any

from flask import request
from werkzeug.exceptions import UnsupportedMediaType

from ..context import node
from ..identity import authenticate
from ..jsonbody import parse_json
from ..store import Token

BODY_TYPES = ("application/json", "application/ld+json")


def require_scope(scope: str) -> Token:
    """Return the request's token if it holds ``scope``; raise Unauthorized or Forbidden."""
    return authenticate(node().store, request.headers.get("Authorization"), scope)


def json_body() -> Any:
    """Return the request's JSON body within the node's limits (415, 413 or 400 otherwise)."""
    if request.mimetype not in BODY_TYPES:
        raise UnsupportedMediaType(
            f"the body must be {' or '.join(BODY_TYPES)}, not {request.mimetype or 'untyped'}")
    settings = node().settings
    return parse_json(request.get_data(cache=False),
                      max_bytes=settings["limits.max_body_bytes"],
                      max_depth=settings["limits.max_json_depth"])
