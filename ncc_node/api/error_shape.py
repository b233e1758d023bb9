"""The one JSON error shape of every 4xx/5xx response, and the handlers that produce it.

``{"error": {"status", "code", "message", "details": [{"path", "rule", "message"}]}}`` for the
node's typed errors (:class:`~ncc_node.errors.NccError`), werkzeug's HTTP exceptions (unknown
route, wrong method, body over ``MAX_CONTENT_LENGTH``), webargs' parameter validation and any
unexpected exception (500: logged with its traceback, never shown).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from flask import Flask, Response, current_app
from werkzeug.exceptions import HTTPException

from ..errors import Gone, NccError, Unauthorized, Unavailable

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    410: "gone",
    412: "precondition_failed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    428: "precondition_required",
    500: "internal",
}
# Headers of an HTTPException worth keeping (405 carries Allow); the body is always ours.
KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def error_response(
    status: int,
    code: str,
    message: str,
    details: list[dict[str, str]] | None = None,
    *,
    tombstone: bytes | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Build an error response in the one shape (``tombstone``: stored bytes, not re-encoded)."""
    inner = json.dumps({"status": status, "code": code, "message": message,
                        "details": details or []}, ensure_ascii=False)
    if tombstone is not None:
        inner = inner[:-1] + ', "tombstone": ' + tombstone.decode("utf-8") + "}"
    body = '{"error": ' + inner + "}"
    response = Response(body, status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def _messages(messages: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Flatten webargs/marshmallow messages ({location: {field: [msg]}}) to (path, message)."""
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            yield from _messages(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(messages, list | tuple):
        for value in messages:
            yield from _messages(value, prefix)
    else:
        yield prefix, str(messages)


def parameter_details(messages: Any) -> list[dict[str, str]]:
    """Turn webargs validation messages into error details naming each parameter."""
    details = []
    for path, message in _messages(messages):
        location, _, field = path.partition(".")
        details.append({"path": field or location, "rule": f"{location}-parameter",
                        "message": message})
    return details


def handle_ncc_error(error: NccError) -> Response:
    """Map a typed error of the node to the error shape."""
    if isinstance(error, Unavailable):  # busy or out of time: the client may try again
        return error_response(error.http_status, error.code, error.message,
                              headers={"Retry-After": str(error.retry_after)})
    if error.http_status >= 500:  # store or key trouble: the message may name files
        log.error("%s: %s", error.code, error.message)
        return error_response(error.http_status, error.code,
                              "the node cannot complete this request; see its log")
    headers = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="ncc-node"'
    return error_response(
        error.http_status, error.code, error.message, getattr(error, "details", None),
        tombstone=error.tombstone if isinstance(error, Gone) else None, headers=headers)


def handle_http_exception(error: HTTPException) -> Response:
    """Map a werkzeug HTTP exception (and webargs' parameter errors) to the error shape."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    details = parameter_details(data["messages"]) if "messages" in data else []
    message = data.get("message") or error.description or error.name
    if status == 413 and current_app.config.get("MAX_CONTENT_LENGTH"):
        # the Content-Length werkzeug refused (waitress declares one for a chunked body too)
        message = (f"the request body exceeds the limit of "
                   f"{current_app.config['MAX_CONTENT_LENGTH'] - 1} bytes")
    if details:
        message = "invalid request parameters: " + "; ".join(
            f"{d['path']}: {d['message']}" for d in details)
    headers = {k: v for k, v in error.get_headers() if k in KEPT_HEADERS}
    headers.update(data.get("headers") or {})
    code = HTTP_CODES.get(status, error.name.lower().replace(" ", "_"))
    return error_response(status, code, message, details, headers=headers)


def handle_unexpected(error: Exception) -> Response:
    """Log an unexpected exception with its traceback; answer 500 without any detail."""
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal", "internal server error; see the node's log")


def register_error_handlers(app: Flask) -> None:
    """Route every error of the app through the one shape (HTTPException: see openapi.NodeApi)."""
    app.register_error_handler(NccError, handle_ncc_error)
    app.register_error_handler(Exception, handle_unexpected)
