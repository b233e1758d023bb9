"""The initiatives resource: ``/initiatives`` (list, publish) and ``/initiatives/<uuid>``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask.views import MethodView

from . import records
from .listing import InitiativeQuerySchema, list_page
from .openapi import Blueprint
from .record_docs import create_doc, list_doc, read_doc, remove_doc, replace_doc

KIND = "Initiative"
blp = Blueprint("initiatives", __name__, url_prefix="/initiatives",
                description="Initiatives: social innovations, this node's own and its peers'.")


@blp.route("")
class Initiatives(MethodView):
    """The collection of initiatives."""

    @blp.arguments(InitiativeQuerySchema(), location="query")
    @list_doc(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List initiatives (filters, keyset pagination)"""
        return list_page(KIND, args)

    @create_doc(blp)
    def post(self) -> Response:
        """Publish a new initiative (the node mints id, version, modified and signs it)"""
        return records.create(KIND)


@blp.route("/<uuid:record_id>")
class Initiative(MethodView):
    """One initiative."""

    @read_doc(blp)
    def get(self, record_id: UUID) -> Response:
        """Read an initiative (JSON-LD, Turtle or N-Triples)"""
        return records.read(KIND, str(record_id))

    @replace_doc(blp)
    def put(self, record_id: UUID) -> Response:
        """Publish the next version of one of this node's initiatives (If-Match)"""
        return records.replace(KIND, str(record_id))

    @remove_doc(blp)
    def delete(self, record_id: UUID) -> Response:
        """Delete one of this node's initiatives (a signed tombstone replaces it)"""
        return records.remove(KIND, str(record_id))
