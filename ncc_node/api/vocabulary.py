"""The vocabulary a node serves from its bundled files: ``/contexts/v1``, ``/vocab``, ``/shapes``.

Every node serves the same bytes, so a JSON-LD processor or a validator can use any node as
the source of the context and shapes (architecture §3); these IRIs are never fetched at run time.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from flask import Response
from flask.views import MethodView

from vocab import data_text, shapes_graph, vocabulary_graph

from ..representations import (
    JSON,
    JSONLD,
    NTRIPLES,
    TURTLE,
    body_etag,
    negotiate,
    respond,
    serialize_graph,
)
from .openapi import Blueprint

CACHE = {"Cache-Control": "public, max-age=3600"}
TEXT = {"type": "string"}

blp = Blueprint("vocabulary", __name__,
                description="The shared vocabulary: JSON-LD context, ontology and concept "
                            "schemes, SHACL shapes.")


@cache  # a handful of (document, media type) pairs
def _document(name: str, mimetype: str) -> bytes:
    """A served vocabulary document, built once per process."""
    if name == "context":
        return data_text("context-v1.jsonld").encode("utf-8")
    if name == "shapes" and mimetype == TURTLE:
        return data_text("shapes.ttl").encode("utf-8")  # the file itself, comments and all
    graph = vocabulary_graph() if name == "vocab" else shapes_graph()
    return serialize_graph(graph, mimetype)


def _serve(name: str, offers: tuple[str, ...]) -> Response:
    mimetype = negotiate(offers)
    body = _document(name, mimetype)
    return respond(body, mimetype, body_etag(body), headers=CACHE)


def _documented(offers: tuple[str, ...], description: str) -> Callable[..., object]:
    def decorate(func: Callable[..., object]) -> Callable[..., object]:
        func = blp.alt_response(406, description="None of the offered media types.")(func)
        func = blp.alt_response(304, description="The client's copy is current.")(func)
        for mimetype in reversed(offers):
            schema = {"type": "object"} if mimetype in (JSONLD, JSON) else TEXT
            func = blp.alt_response(200, schema=schema, content_type=mimetype, success=True,
                                    description=description)(func)
        return func

    return decorate


CONTEXT_TYPES = (JSONLD, JSON)
RDF_TYPES = (TURTLE, NTRIPLES)


@blp.route("/contexts/v1")
class Context(MethodView):
    """The JSON-LD context ``https://w3id.org/ncc/context/v1``."""

    @_documented(CONTEXT_TYPES, "The JSON-LD 1.1 context document.")
    def get(self) -> Response:
        """Read the JSON-LD context of NCC records"""
        return _serve("context", CONTEXT_TYPES)


@blp.route("/vocab")
class Vocabulary(MethodView):
    """The ontology and the SKOS concept schemes."""

    @_documented(RDF_TYPES, "Ontology and concept schemes in one graph.")
    def get(self) -> Response:
        """Read the vocabulary: ontology and concept schemes (Turtle)"""
        return _serve("vocab", RDF_TYPES)


@blp.route("/shapes")
class Shapes(MethodView):
    """The SHACL shapes, the normative definition of a valid record."""

    @_documented(RDF_TYPES, "The SHACL shapes.")
    def get(self) -> Response:
        """Read the SHACL shapes that define a valid record (Turtle)"""
        return _serve("shapes", RDF_TYPES)
