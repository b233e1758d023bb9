"""Drafts of this node's records: ``/drafts`` (write token; docs/web.md, protocol.md §5).

A draft is stored, never signed and never in the feed. It names the version of the record it
edits (``base_version``; 0 for a new record). ``PUT`` and ``POST /drafts/<n>/publish`` need the
draft's ETag in ``If-Match`` (428 without, 412 when someone else saved it meanwhile), and
publishing is refused with 412 when the record itself moved past ``base_version``: no edit ever
silently overwrites another.
"""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from flask import Response, jsonify, request
from flask.views import MethodView

from vocab import COLLECTIONS

from ..context import node
from ..errors import Conflict, PreconditionFailed, PreconditionRequired, RequestInvalid
from ..records import Editor
from ..representations import JSONLD, respond
from ..store import Draft
from .incoming import json_body, require_scope
from .openapi import BEARER, Blueprint
from .schemas import ErrorSchema

blp = Blueprint("drafts", __name__, url_prefix="/drafts",
                description="Unpublished drafts of this node's records (write token).")

_ETAG = re.compile(r'^"draft-(\d+)-(\d+)"$')


def draft_json(draft: Draft) -> dict[str, Any]:
    """A draft as the API shows it."""
    return {"id": draft.id, "kind": draft.kind, "record_id": draft.record_id,
            "base_version": draft.base_version, "revision": draft.revision,
            "author": draft.author, "created": draft.created, "updated": draft.updated,
            "payload": draft.payload}


def _answer(draft: Draft, status: int = 200) -> Response:
    response = jsonify(draft_json(draft))
    response.status_code = status
    response.headers["ETag"] = draft.etag
    if status == 201:
        response.headers["Location"] = f"/drafts/{draft.id}"
    return response


def _editor() -> Editor:
    context = node()
    return Editor(context.store, context.publisher)


def _revision(draft: Draft) -> int:
    """The revision the client's If-Match names (428 without one, 412 for another draft)."""
    header = request.headers.get("If-Match")
    if header is None:
        raise PreconditionRequired(f"changing draft {draft.id} needs If-Match: {draft.etag}")
    found = _ETAG.match(header.strip())
    if found is None or int(found[1]) != draft.id:
        raise PreconditionFailed(f"If-Match {header} is not an ETag of draft {draft.id}")
    return int(found[2])


def _body() -> tuple[str, dict[str, Any], str | None, int]:
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        raise RequestInvalid("the body must be an object with a `payload` object",
                             [{"path": "payload", "rule": "required", "message": "an object"}])
    kind = body.get("kind", "Initiative")
    if kind not in COLLECTIONS:
        raise RequestInvalid(f"kind must be one of {sorted(COLLECTIONS)}",
                             [{"path": "kind", "rule": "in", "message": "unknown kind"}])
    record_id = body.get("record_id")
    base = body.get("base_version", 0)
    if (record_id is not None and not isinstance(record_id, str)) or not isinstance(base, int):
        raise RequestInvalid("record_id must be a string, base_version an integer")
    return kind, body["payload"], record_id, base


class DraftSchema(ma.Schema):
    """A draft."""

    id = ma.fields.Integer(required=True)
    kind = ma.fields.String(required=True)
    record_id = ma.fields.String(allow_none=True, required=True,
                                 metadata={"description": "The record it edits (null: new)."})
    base_version = ma.fields.Integer(required=True, metadata={
        "description": "The version the edit was made on (0: a new record)."})
    revision = ma.fields.Integer(required=True)
    author = ma.fields.String(allow_none=True, required=True)
    created = ma.fields.String(required=True)
    updated = ma.fields.String(required=True)
    payload = ma.fields.Dict(required=True)


@blp.route("")
class Drafts(MethodView):
    """The drafts."""

    @blp.doc(security=BEARER)
    @blp.response(200, DraftSchema(many=True))
    @blp.alt_response(401, schema=ErrorSchema, description="No valid bearer token.")
    def get(self) -> list[dict[str, Any]]:
        """List the drafts, most recently saved first (write token)"""
        require_scope("write")
        return [draft_json(d) for d in node().store.drafts(limit=1000)]

    @blp.doc(security=BEARER)
    @blp.alt_response(201, schema=DraftSchema, success=True, description="The draft saved.")
    @blp.alt_response(412, schema=ErrorSchema,
                      description="The record moved past `base_version` (someone else "
                                  "changed it).")
    def post(self) -> Response:
        """Save a new draft: `{kind, payload, record_id?, base_version?}` (write token)"""
        token = require_scope("write")
        kind, payload, record_id, base = _body()
        return _answer(_editor().save(kind, payload, author=f"token:{token.name}",
                                      record_id=record_id, base_version=base), 201)


@blp.route("/<int:draft_id>")
class DraftItem(MethodView):
    """One draft."""

    @blp.doc(security=BEARER)
    @blp.alt_response(200, schema=DraftSchema, success=True, description="The draft.")
    def get(self, draft_id: int) -> Response:
        """Read a draft (write token)"""
        require_scope("write")
        return _answer(_editor().draft(draft_id))

    @blp.doc(security=BEARER)
    @blp.alt_response(200, schema=DraftSchema, success=True, description="The draft saved.")
    @blp.alt_response(412, schema=ErrorSchema, description="Someone else saved it meanwhile.")
    @blp.alt_response(428, schema=ErrorSchema, description="No If-Match.")
    def put(self, draft_id: int) -> Response:
        """Save a draft again (If-Match: its ETag; write token)"""
        token = require_scope("write")
        editor = _editor()
        held = editor.draft(draft_id)
        revision = _revision(held)
        _, payload, _, base = _body()
        return _answer(_conflict_is_412(lambda: editor.save(
            held.kind, payload, author=f"token:{token.name}", record_id=held.record_id,
            base_version=base or held.base_version, draft_id=held.id, revision=revision)))

    @blp.doc(security=BEARER)
    @blp.alt_response(204, success=True, description="Discarded.")
    def delete(self, draft_id: int) -> Response:
        """Discard a draft (If-Match: its ETag; write token)"""
        token = require_scope("write")
        editor = _editor()
        held = editor.draft(draft_id)
        _conflict_is_412(lambda: editor.discard(draft_id, revision=_revision(held),
                                                actor=f"token:{token.name}"))
        return Response(status=204)


@blp.route("/<int:draft_id>/publish")
class DraftPublish(MethodView):
    """Publishing a draft."""

    @blp.doc(security=BEARER)
    @blp.alt_response(201, success=True, description="The signed record (JSON-LD).")
    @blp.alt_response(412, schema=ErrorSchema,
                      description="Someone else saved the draft or changed the record.")
    @blp.alt_response(422, schema=ErrorSchema, description="The record would be invalid.")
    def post(self, draft_id: int) -> Response:
        """Sign and publish a draft as the record's next version (If-Match; write token)"""
        token = require_scope("write")
        editor = _editor()
        held = editor.draft(draft_id)
        revision = _revision(held)
        record = _conflict_is_412(lambda: editor.publish_draft(
            draft_id, revision=revision, actor=f"token:{token.name}"))
        return respond(record.body, JSONLD, record.etag, status=201,
                       headers={"Location": record.id}, vary=False)


def _conflict_is_412(action: Any) -> Any:
    """Run ``action``; a draft saved by someone else meanwhile (Conflict) is 412 here, since
    the client's If-Match no longer matches."""
    try:
        return action()
    except Conflict as exc:
        raise PreconditionFailed(str(exc)) from None
