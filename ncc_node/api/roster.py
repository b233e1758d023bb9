"""The federation roster this node holds, at ``/roster`` (docs/protocol-proofs.md §12).

Every node that pins the federation's roster keys serves the newest roster it verified, so
the roster spreads with sync: a peer fetching it is a mirror's client (TUF), and trusts it only
for the pinned roster keys' signatures, never for the node it came from.
"""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..context import node
from ..errors import NotFound
from ..identity import roster_file_for
from ..representations import JSON, body_etag, respond
from .openapi import Blueprint

blp = Blueprint("roster", __name__,
                description="The federation roster: node IRIs, countries and keys, signed by "
                            "the roster keys.")


@blp.route("/roster")
class HeldRoster(MethodView):
    """The newest roster this node verified."""

    @blp.alt_response(200, schema={"type": "object"}, content_type=JSON, success=True,
                      description="The signed roster, its exact bytes.")
    @blp.alt_response(304, description="The client's copy is current.")
    @blp.alt_response(404, description="This node holds no roster (or pins no roster key).")
    def get(self) -> Response:
        """Read the federation roster this node holds"""
        roster = roster_file_for(node().settings).held()
        if roster is None:
            raise NotFound("this node holds no roster")
        return respond(roster.body, JSON, body_etag(roster.body),
                       headers={"Cache-Control": "public, max-age=300"})
