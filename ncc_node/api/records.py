"""What the initiative and method resources share: finding, reading and writing records.

A node serves every record it holds at ``/<collection>/<uuid>``: its own (id
``<its base>/<collection>/<uuid>``) and those merged from peers (id under the origin's base; the
shapes make every record id end in ``/<collection>/<uuid>``). Only its own records can be
written here; a merged record is read-only (409).
"""

from __future__ import annotations

from flask import Response, request

from ..context import node
from ..errors import Gone
from ..records import served_record
from ..representations import JSONLD, record_response, respond
from ..store import StoredRecord
from .incoming import json_body, require_scope


def find(kind: str, uuid: str) -> StoredRecord:
    """Return the record of ``kind`` served at ``/<collection>/<uuid>`` (own first), or 404."""
    context = node()
    return served_record(context.store, context.identity.base_url, kind, uuid)


def read(kind: str, uuid: str) -> Response:
    """GET: the record, or 410 with its tombstone."""
    record = find(kind, uuid)
    if record.deleted:
        raise Gone(f"{record.id} was deleted", record.body)
    return record_response(record)


def _written(record: StoredRecord, status: int) -> Response:
    headers = {"Location": record.id} if status == 201 else {}
    return respond(record.body, JSONLD, record.etag, status=status, headers=headers, vary=False)


def create(kind: str) -> Response:
    """POST: publish a new record of ``kind``."""
    token = require_scope("write")
    return _written(node().publisher.create(kind, json_body(), actor=f"token:{token.name}"),
                    201)


def replace(kind: str, uuid: str) -> Response:
    """PUT: publish the next version of one of this node's records."""
    token = require_scope("write")
    payload = json_body()
    current = find(kind, uuid)
    updated = node().publisher.update(current.id, payload, kind=kind,
                                      if_match=request.headers.get("If-Match"),
                                      actor=f"token:{token.name}")
    return _written(updated, 200)


def remove(kind: str, uuid: str) -> Response:
    """DELETE: replace one of this node's records by its signed tombstone."""
    token = require_scope("write")
    current = find(kind, uuid)
    tombstone = node().publisher.delete(current.id, kind=kind,
                                        if_match=request.headers.get("If-Match"),
                                        actor=f"token:{token.name}")
    return _written(tombstone, 200)
