"""Content negotiation (JSON-LD, Turtle, N-Triples) and conditional GETs (ETag, 304).

The JSON-LD representation of a record is its stored body, byte for byte: the bytes the proof
covers are the bytes a client receives. Turtle and N-Triples carry the record's payload graph
(without the proof, which only verifies over the JSON) and have their own ETags, since a strong
ETag names one representation (RFC 9110 §8.8.3).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence

from flask import Response, request
from rdflib import Graph, URIRef
from werkzeug.exceptions import NotAcceptable
from werkzeug.http import unquote_etag

from vocab import VOCAB_NS, JsonLdInvalid, concept_index, is_iri, to_graph

from .errors import NccError
from .store import StoredRecord

JSONLD = "application/ld+json"
JSON = "application/json"
TURTLE = "text/turtle"
NTRIPLES = "application/n-triples"
RDF_FORMATS = {TURTLE: ("turtle", "ttl"), NTRIPLES: ("nt", "nt")}
RECORD_TYPES = (JSONLD, JSON, TURTLE, NTRIPLES)
HTML = "text/html"


def negotiate(offers: Sequence[str]) -> str:
    """Return the offered media type the client prefers (the first if it states none), or 406."""
    accept = request.accept_mimetypes
    if not accept:
        return offers[0]
    best = accept.best_match(offers)
    if best is None:
        raise NotAcceptable(f"this resource is available as {', '.join(offers)}")
    return best


def body_etag(body: bytes) -> str:
    """A strong ETag for a generated body: a digest of its bytes."""
    return f'"{hashlib.sha256(body).hexdigest()[:24]}"'


def variant_etag(etag: str, mimetype: str) -> str:
    """The ETag of a record's RDF representation, derived from the stored body's ETag."""
    value, _ = unquote_etag(etag)
    return f'"{value}-{RDF_FORMATS[mimetype][1]}"'


def not_modified(etag: str) -> bool:
    """Whether the request's If-None-Match already names ``etag`` (weak comparison)."""
    value, _ = unquote_etag(etag)
    return value is not None and request.if_none_match.contains_weak(value)


def respond(body: bytes, mimetype: str, etag: str, *, status: int = 200,
            headers: Mapping[str, str] | None = None, vary: bool = True) -> Response:
    """A response with ETag (and Vary: Accept), or 304 if the client already has it."""
    if status == 200 and request.method in ("GET", "HEAD") and not_modified(etag):
        response = Response(status=304)
    else:
        response = Response(body, status=status, mimetype=mimetype)
    response.headers["ETag"] = etag
    if vary:
        response.headers["Vary"] = "Accept"
    response.headers.update(headers or {})
    return response


def serialize_graph(graph: Graph, mimetype: str) -> bytes:
    """Serialize a graph as Turtle (with the vocabulary's prefixes) or N-Triples, UTF-8."""
    if mimetype == TURTLE:
        graph.bind("ncc", VOCAB_NS)
        for prefix, namespace in concept_index().prefixes.items():
            graph.bind(prefix, namespace)
    return graph.serialize(format=RDF_FORMATS[mimetype][0], encoding="utf-8")


class NotRepresentable(NccError):
    """A stored record holds an IRI that RDF syntaxes cannot carry (RFC 3987)."""

    code = "record_not_rdf"
    http_status = 422


def record_graph(body: bytes) -> Graph:
    """A record's payload graph; NotRepresentable if Turtle/N-Triples cannot carry it (a
    record stored before IRIs were checked: its JSON-LD is still served as stored)."""
    try:
        graph = to_graph(json.loads(body))
    except (JsonLdInvalid, ValueError) as exc:
        raise NotRepresentable(f"the record cannot be converted to RDF: {exc}") from None
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and not is_iri(str(term)):
                raise NotRepresentable(f"the record holds {str(term)!r}, which is not an IRI "
                                       "(RFC 3987); ask for application/ld+json")
    return graph


def payload_graph(bodies: Iterable[bytes]) -> Graph:
    """The merged payload graphs (proofs left out) of stored record bodies; a record RDF
    cannot carry is left out of a list (and is a 422 on its own, :func:`record_response`)."""
    graph = Graph()
    for body in bodies:
        try:
            graph += record_graph(body)
        except NotRepresentable:
            continue
    return graph


def record_response(record: StoredRecord) -> Response:
    """A stored record (GET) in the representation the client asked for.

    A client that prefers HTML (a browser following a record's IRI) is sent to the record's
    page with 303 See Other, as linked-data publishers answer for a thing's IRI (W3C, "Cool
    URIs for the Semantic Web" §4.2); the data representations stay at the IRI itself. HTML is
    offered last, so ``*/*`` still gets JSON-LD.
    """
    mimetype = negotiate((*RECORD_TYPES, HTML))
    if mimetype == HTML:
        response = Response(status=303, headers={
            "Location": f"{request.script_root}/web{request.path}", "Vary": "Accept"})
        return response
    if mimetype in (JSONLD, JSON):
        return respond(record.body, mimetype, record.etag)
    etag = variant_etag(record.etag, mimetype)
    if not_modified(etag):  # skip the RDF conversion
        return respond(b"", mimetype, etag)
    return respond(serialize_graph(record_graph(record.body), mimetype), mimetype, etag)


def items_page(bodies: Iterable[bytes], **fields: object) -> bytes:
    """``{"items": [<stored bodies as they are>], <fields>}`` built with a single join.

    Stored bodies are never re-serialized, and a page (up to ~1 MB) is copied once: every
    ``+`` between bytes objects would copy it again.
    """
    parts = [b'{"items":[']
    for index, body in enumerate(bodies):
        if index:
            parts.append(b",")
        parts.append(body)
    parts.append(b"]")
    for name, value in fields.items():
        parts.append(b"," + json_value(name) + b":" + json_value(value))
    parts.append(b"}")
    return b"".join(parts)


def json_value(value: object) -> bytes:
    """A JSON scalar or small envelope field as bytes."""
    return json.dumps(value, ensure_ascii=False).encode("utf-8")
