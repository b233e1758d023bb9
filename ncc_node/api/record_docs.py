"""OpenAPI documentation shared by the initiative and method resources (decorator factories).

Each factory takes the resource's blueprint and returns a decorator that records, for one view,
its parameters, request body, representations and error responses; the views stay readable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from ..representations import JSON, JSONLD, RECORD_TYPES
from .incoming import BODY_TYPES
from .openapi import BEARER, Blueprint
from .schemas import ErrorSchema, RecordPageSchema, RecordPayloadSchema, RecordSchema

F = TypeVar("F", bound=Callable[..., Any])

ETAG = {"ETag": {"description": "Strong ETag of this representation.",
                 "schema": {"type": "string"}}}
RDF_TEXT = {"type": "string"}

IF_NONE_MATCH = "ETag(s) the client holds; 304 if one is current."


def _errors(blp: Blueprint, func: F, statuses: dict[int, str]) -> F:
    for status, description in statuses.items():
        func = blp.alt_response(status, schema=ErrorSchema, description=description)(func)
    return func


def _representations(blp: Blueprint, func: F, status: int, description: str) -> F:
    for mimetype in reversed(RECORD_TYPES):
        schema: Any = RecordSchema if mimetype in (JSONLD, JSON) else RDF_TEXT
        func = blp.alt_response(status, schema=schema, content_type=mimetype,
                                description=description, headers=ETAG, success=True)(func)
    return func


def _request_body(description: str) -> dict[str, Any]:
    return {"required": True, "description": description,
            "content": {mimetype: {"schema": RecordPayloadSchema} for mimetype in BODY_TYPES}}


WRITE_ERRORS = {
    400: "Not JSON, or a bad parameter.",
    401: "No valid bearer token.",
    403: "The token lacks the `write` scope.",
    413: "Body larger than `limits.max_body_bytes` or deeper than `limits.max_json_depth`.",
    415: "The body is not application/json or application/ld+json.",
    422: "The record breaks the vocabulary (`details` names every field), or sets a field "
         "the node mints.",
}


def list_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a list view: representations, Link header, 304, 406."""

    def decorate(func: F) -> F:
        func = blp.header("If-None-Match", IF_NONE_MATCH)(func)
        func = _errors(blp, func, {406: "None of the offered media types is acceptable."})
        func = blp.alt_response(304, description="The client's copy is current.")(func)
        for mimetype in reversed(RECORD_TYPES):
            schema: Any = RecordPageSchema if mimetype in (JSONLD, JSON) else RDF_TEXT
            func = blp.alt_response(
                200, schema=schema, content_type=mimetype, success=True,
                description="One page; in RDF the payload graphs merged, `next` in a Link header.",
                headers={**ETAG, "Link": {"schema": {"type": "string"},
                                          "description": 'The next page, `rel="next"`.'}})(func)
        return func

    return decorate


def create_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a POST view."""

    def decorate(func: F) -> F:
        func = blp.doc(security=BEARER, requestBody=_request_body(
            "The record's fields; `@context` and `type` may be left out."))(func)
        func = _errors(blp, func, WRITE_ERRORS)
        return blp.alt_response(
            201, schema=RecordSchema, content_type=JSONLD, success=True,
            description="Published: the signed record, version 1.",
            headers={**ETAG, "Location": {"schema": {"type": "string"},
                                          "description": "The record's id."}})(func)

    return decorate


def read_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a GET-by-id view."""

    def decorate(func: F) -> F:
        func = blp.header("If-None-Match", IF_NONE_MATCH)(func)
        func = _errors(blp, func, {404: "No such record here.",
                                   406: "None of the offered media types is acceptable.",
                                   410: "Deleted; `error.tombstone` is the signed tombstone."})
        func = blp.alt_response(304, description="The client's copy is current.")(func)
        return _representations(blp, func, 200, "The signed record (RDF: payload graph, no proof).")

    return decorate


def replace_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a PUT view."""

    def decorate(func: F) -> F:
        func = blp.header("If-Match", "The record's current ETag (from GET).",
                          required=True)(func)
        func = blp.doc(security=BEARER, requestBody=_request_body(
            "The complete new payload (no minted fields); the version goes up by one."))(func)
        func = _errors(blp, func, {**WRITE_ERRORS, 404: "No such record here.",
                                   409: "The record belongs to another node (read-only here), or "
                                        "changed concurrently.",
                                   410: "Deleted; `error.tombstone` is the signed tombstone.",
                                   412: "If-Match is not the current ETag.",
                                   428: "If-Match is missing."})
        return blp.alt_response(200, schema=RecordSchema, content_type=JSONLD, success=True,
                                description="The new signed version.", headers=ETAG)(func)

    return decorate


def remove_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a DELETE view."""

    def decorate(func: F) -> F:
        func = blp.header("If-Match", "Optional: delete only if this is the current ETag.")(func)
        func = blp.doc(security=BEARER)(func)
        func = _errors(blp, func, {k: v for k, v in WRITE_ERRORS.items() if k in (401, 403)}
                       | {404: "No such record here.",
                          409: "The record belongs to another node (read-only here).",
                          410: "Already deleted; `error.tombstone` is the signed tombstone.",
                          412: "If-Match is not the current ETag."})
        return blp.alt_response(200, schema=RecordSchema, content_type=JSONLD, success=True,
                                description="Deleted: the signed tombstone (version + 1).",
                                headers=ETAG)(func)

    return decorate



def descriptor_doc(blp: Blueprint) -> Callable[[F], F]:
    """Document a view of the node's descriptor."""

    def decorate(func: F) -> F:
        func = blp.header("If-None-Match", IF_NONE_MATCH)(func)
        func = _errors(blp, func, {406: "None of the offered media types is acceptable."})
        func = blp.alt_response(304, description="The client's copy is current.")(func)
        return _representations(blp, func, 200, "The signed descriptor (type Node).")

    return decorate
