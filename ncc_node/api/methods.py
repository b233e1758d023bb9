"""The methods resource: ``/methods`` (list, publish) and ``/methods/<uuid>``."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response
from flask.views import MethodView

from . import records
from .listing import MethodQuerySchema, list_page
from .openapi import Blueprint
from .record_docs import create_doc, list_doc, read_doc, remove_doc, replace_doc

KIND = "Method"
blp = Blueprint("methods", __name__, url_prefix="/methods",
                description="Methods: how social innovation is done (impact measurement, "
                            "funding instruments, incubation, participation formats ...).")


@blp.route("")
class Methods(MethodView):
    """The collection of methods."""

    @blp.arguments(MethodQuerySchema(), location="query")
    @list_doc(blp)
    def get(self, args: dict[str, Any]) -> Response:
        """List methods (filters, keyset pagination)"""
        return list_page(KIND, args)

    @create_doc(blp)
    def post(self) -> Response:
        """Publish a new method (the node mints id, version, modified and signs it)"""
        return records.create(KIND)


@blp.route("/<uuid:record_id>")
class Method(MethodView):
    """One method."""

    @read_doc(blp)
    def get(self, record_id: UUID) -> Response:
        """Read a method (JSON-LD, Turtle or N-Triples)"""
        return records.read(KIND, str(record_id))

    @replace_doc(blp)
    def put(self, record_id: UUID) -> Response:
        """Publish the next version of one of this node's methods (If-Match)"""
        return records.replace(KIND, str(record_id))

    @remove_doc(blp)
    def delete(self, record_id: UUID) -> Response:
        """Delete one of this node's methods (a signed tombstone replaces it)"""
        return records.remove(KIND, str(record_id))
