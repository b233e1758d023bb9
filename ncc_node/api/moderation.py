"""Moderation for admins: ``/moderation/...`` (admin token; docs/web.md).

The review queue of records an import held as suspected spam or junk (publish, or reject with a
reason); peers' records and origins this node hides (with a reason; still stored, verifiable
and relayed unless ``relay`` is false); and "retry now" for a quarantined item.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, jsonify
from flask.views import MethodView

from ..context import node
from ..errors import NotFound
from ..records import Moderation
from ..store import HeldRecord, Hidden
from .incoming import require_scope
from .openapi import BEARER, Blueprint
from .schemas import ErrorSchema

blp = Blueprint("moderation", __name__, url_prefix="/moderation",
                description="Review queue, hidden records and origins, quarantine retries "
                            "(admin token).")


def _moderation() -> Moderation:
    context = node()
    return Moderation(context.store, context.publisher)


def hidden_json(entry: Hidden) -> dict[str, Any]:
    """A hidden record or origin as the API shows it."""
    return {"target": entry.target, "scope": entry.scope, "reason": entry.reason,
            "relay": entry.relay, "hidden_by": entry.hidden_by, "hidden_at": entry.hidden_at}


def held_json(record: HeldRecord) -> dict[str, Any]:
    """A record of the review queue as the API shows it."""
    return {"identifier": record.identifier, "kind": record.kind, "status": record.status,
            "reasons": [{"rule": r, "why": w} for r, w in record.reasons],
            "source": record.source, "held_at": record.held_at, "decision": record.decision,
            "decided_by": record.decided_by, "decided_at": record.decided_at,
            "payload": record.payload}


class HideSchema(ma.Schema):
    """What to hide, and why."""

    target = ma.fields.String(required=True, metadata={
        "description": "A peer's record id, or an origin's node IRI."})
    scope = ma.fields.String(load_default="record",
                             validate=ma.validate.OneOf(("record", "origin")))
    reason = ma.fields.String(required=True)
    relay = ma.fields.Boolean(load_default=True, metadata={
        "description": "false: also leave it out of this node's `scope=all` feed."})


class UnhideSchema(ma.Schema):
    """What to show again."""

    target = ma.fields.String(required=True)


class DecisionSchema(ma.Schema):
    """A reviewer's reason."""

    reason = ma.fields.String(load_default=None)


@blp.route("/hidden")
class HiddenList(MethodView):
    """Hidden records and origins."""

    @blp.doc(security=BEARER)
    @blp.alt_response(200, success=True, description="Every hidden record and origin.")
    @blp.alt_response(403, schema=ErrorSchema, description="The token lacks `admin`.")
    def get(self) -> Response:
        """List hidden records and origins (admin token)"""
        require_scope("admin")
        return jsonify([hidden_json(h) for h in node().store.hidden()])

    @blp.doc(security=BEARER)
    @blp.arguments(HideSchema)
    @blp.alt_response(201, success=True, description="Hidden; `records`: how many it covers.")
    def post(self, args: dict[str, Any]) -> Response:
        """Hide a peer's record, or every record of an origin, on this node (admin token)"""
        token = require_scope("admin")
        moderation = _moderation()
        hide = moderation.hide_record if args["scope"] == "record" else moderation.hide_origin
        count = hide(args["target"], reason=args["reason"], relay=args["relay"],
                     by=f"token:{token.name}")
        response = jsonify({"target": args["target"], "records": count})
        response.status_code = 201
        return response


@blp.route("/unhide")
class Unhide(MethodView):
    """Showing a hidden record or origin again."""

    @blp.doc(security=BEARER)
    @blp.arguments(UnhideSchema)
    @blp.alt_response(200, success=True, description="Shown again.")
    def post(self, args: dict[str, Any]) -> Response:
        """Show a hidden record or origin again (admin token)"""
        token = require_scope("admin")
        return jsonify({"target": args["target"],
                        "records": _moderation().unhide(args["target"],
                                                        by=f"token:{token.name}")})


@blp.route("/review")
class ReviewQueue(MethodView):
    """The review queue."""

    @blp.doc(security=BEARER)
    @blp.alt_response(200, success=True, description="The records held for review.")
    def get(self) -> Response:
        """List the records held for review (write token)"""
        require_scope("write")
        return jsonify([held_json(r) for r in node().store.held_records("held")])


@blp.route("/review/<path:identifier>/<decision>")
class ReviewDecision(MethodView):
    """A reviewer's decision on a held record."""

    @blp.doc(security=BEARER)
    @blp.arguments(DecisionSchema)
    @blp.alt_response(200, success=True, description="Published (created / updated / "
                                                     "unchanged) or rejected.")
    @blp.alt_response(422, schema=ErrorSchema, description="It would be invalid (publish).")
    def post(self, args: dict[str, Any], identifier: str, decision: str) -> Response:
        """Publish a held record (signed like an import), or reject it with a reason"""
        token = require_scope("write")
        if decision not in ("publish", "reject"):
            raise NotFound(f"no decision {decision!r}: publish or reject")
        moderation = _moderation()
        if decision == "publish":
            outcome = moderation.publish_held(identifier, by=f"token:{token.name}",
                                            reason=args["reason"])
        else:
            moderation.reject_held(identifier, reason=args["reason"] or "",
                                   by=f"token:{token.name}")
            outcome = "rejected"
        return jsonify({"identifier": identifier, "outcome": outcome})


@blp.route("/quarantine/<int:entry_id>/retry")
class QuarantineRetry(MethodView):
    """Asking for a quarantined item again."""

    @blp.doc(security=BEARER)
    @blp.alt_response(202, success=True, description="Asked for again at the next round.")
    def post(self, entry_id: int) -> Response:
        """Ask for a quarantined item again at the next sync round (admin token)"""
        token = require_scope("admin")
        record_id = _moderation().retry_now(entry_id, by=f"token:{token.name}")
        response = jsonify({"id": entry_id, "record_id": record_id})
        response.status_code = 202
        return response
