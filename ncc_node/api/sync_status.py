"""The operator's view of sync: ``GET /sync/status`` (admin token; issue 5).

Per peer: last success, last error, cursor, lag (seconds since the last successful round, see
:mod:`ncc_node.reports.peer_status`) and counts accepted and rejected by reason. The same data as
``ncc sync status --json``.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask.views import MethodView

from ..context import node
from ..reports import sync_status
from .incoming import require_scope
from .openapi import BEARER, Blueprint
from .schemas import ErrorSchema

blp = Blueprint("sync_status", __name__, url_prefix="/sync",
                description="Sync health for operators: peers, cursors, lag, counts.")


class PeerStatusSchema(ma.Schema):
    """One peer's sync state."""

    base_url = ma.fields.String(required=True, metadata={"description": "The peer's base URL."})
    configured = ma.fields.Boolean(
        required=True, metadata={"description": "False for a peer this node synced with "
                                                "earlier that is no longer in `[[peers]]`."})
    scope = ma.fields.String(required=True, metadata={"description": "`own` or `all`."})
    node = ma.fields.String(allow_none=True, required=True,
                            metadata={"description": "The peer's node IRI, once known."})
    cursor = ma.fields.String(allow_none=True, required=True,
                              metadata={"description": "Where the next round resumes."})
    last_success = ma.fields.String(allow_none=True, required=True)
    last_error = ma.fields.String(allow_none=True, required=True)
    last_error_at = ma.fields.String(allow_none=True, required=True)
    lag_s = ma.fields.Integer(
        allow_none=True, required=True,
        metadata={"description": "Seconds since the last successful round (null: never): "
                                 "everything the peer published before then is held here."})
    accepted = ma.fields.Integer(required=True, metadata={"description": "Items merged."})
    rejected = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
        metadata={"description": "Items quarantined, by reason."})
    rejected_total = ma.fields.Integer(required=True)
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.Integer(), required=True,
        metadata={"description": "Every error kind since the last success, with its count."})
    error_since = ma.fields.String(allow_none=True, required=True,
                                   metadata={"description": "The first of those errors."})
    pending_retry = ma.fields.Integer(
        required=True, metadata={"description": "Items received damaged or unverifiable, "
                                                "waiting to be asked for again."})
    antientropy = ma.fields.Dict(
        allow_none=True, required=True,
        metadata={"description": "The last digest comparison: `agrees`, `at`, `repaired`, "
                                 "`missing`, `origins_differing` (null: never checked)."})
    behind = ma.fields.Integer(
        allow_none=True, required=True,
        metadata={"description": "Records the peer holds that this node lacks (null: not "
                                 "known, the last round did not reach the feed's end)."})
    repaired = ma.fields.Integer(
        required=True, metadata={"description": "Records pulled by anti-entropy, in all."})
    quarantine = ma.fields.Dict(
        required=True, metadata={"description": "`rows` kept, items `received` (the same "
                                                "bytes count once per reception), rows "
                                                "`dropped` by the caps."})


class SyncStatusSchema(ma.Schema):
    """The node's sync status."""

    at = ma.fields.String(required=True, metadata={"description": "When this was taken (UTC)."})
    last_seq = ma.fields.Integer(
        required=True, metadata={"description": "This node's highest local sequence number."})
    peers = ma.fields.List(ma.fields.Nested(PeerStatusSchema), required=True)


@blp.route("/status")
class SyncStatus(MethodView):
    """The sync status."""

    @blp.doc(security=BEARER)
    @blp.response(200, SyncStatusSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="No valid bearer token.")
    @blp.alt_response(403, schema=ErrorSchema, description="The token lacks the `admin` scope.")
    def get(self) -> dict[str, Any]:
        """Read the sync status of every peer (admin token)"""
        require_scope("admin")
        context = node()
        return sync_status(context.store, context.settings)
