"""``GET /stats``: ecosystem statistics as JSON or CSV (issue 6; shape in docs/sparql.md)."""

from __future__ import annotations

import json

from flask import Response, request
from flask.views import MethodView
from werkzeug.exceptions import BadRequest

from ..context import node
from ..reports import ecosystem_stats, stats_csv
from ..representations import JSON, negotiate
from .openapi import Blueprint
from .schemas import ErrorSchema

CSV = "text/csv"
FORMATS = {"json": JSON, "csv": CSV}

blp = Blueprint("stats", __name__,
                description="Ecosystem statistics: records by origin country and concept.")


@blp.route("/stats")
class Stats(MethodView):
    """Counts by origin country × SDG, stage, theme, target group and method type."""

    @blp.doc(parameters=[{"name": "format", "in": "query", "required": False,
                          "schema": {"type": "string", "enum": ["json", "csv"]},
                          "description": "Overrides the Accept header."}])
    @blp.alt_response(400, schema=ErrorSchema, description="An unknown `format`.")
    @blp.alt_response(406, schema=ErrorSchema, description="Neither JSON nor CSV accepted.")
    @blp.alt_response(200, schema={"type": "string"}, content_type=CSV, success=True,
                      description="One row per dimension × country × concept.")
    @blp.alt_response(200, schema={"type": "object"}, content_type=JSON, success=True,
                      description="Counts with concept labels (see docs/sparql.md).")
    def get(self) -> Response:
        """Read the ecosystem statistics (JSON, or CSV with ?format=csv)"""
        wanted = request.args.get("format")
        if wanted is not None and wanted not in FORMATS:
            raise BadRequest("format: must be json or csv")
        mimetype = FORMATS[wanted] if wanted else negotiate((JSON, CSV))
        stats = ecosystem_stats(node().store)
        if mimetype == CSV:
            body = stats_csv(stats)
            return Response(body, content_type="text/csv; charset=utf-8",
                            headers={"Content-Disposition": 'inline; filename="stats.csv"'})
        return Response(json.dumps(stats, ensure_ascii=False, sort_keys=True),
                        mimetype=JSON)
