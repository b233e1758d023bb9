"""The node's signed descriptor at ``/node`` and ``/.well-known/ncc-node`` (architecture §4)."""

from __future__ import annotations

from flask import Response
from flask.views import MethodView

from ..context import node
from ..errors import NotFound
from ..representations import record_response
from .openapi import Blueprint
from .record_docs import descriptor_doc

blp = Blueprint("node", __name__,
                description="The node's descriptor: country, name, endpoints and keys, signed.")


def descriptor_response() -> Response:
    """The latest stored descriptor (a rotation made by the CLI shows up at once)."""
    context = node()
    descriptor = context.store.descriptor(context.identity.node_iri)
    if descriptor is None:  # only if the database was swapped under a running node
        raise NotFound(f"no descriptor for {context.identity.node_iri}")
    return record_response(descriptor)


@blp.route("/node")
class Descriptor(MethodView):
    """The descriptor at the node's IRI."""

    @descriptor_doc(blp)
    def get(self) -> Response:
        """Read the node's signed descriptor"""
        return descriptor_response()


@blp.route("/.well-known/ncc-node")
class WellKnownDescriptor(MethodView):
    """The descriptor at its well-known location (RFC 8615)."""

    @descriptor_doc(blp)
    def get(self) -> Response:
        """Read the node's signed descriptor (well-known location)"""
        return descriptor_response()
