"""Records to RDF through PyLD and the offline loader (the normative JSON-LD conversion).

rdflib's own JSON-LD parser is not used for records: it ignores ``@container: @graph`` (the
proof would land in the default graph) and fetches remote contexts by itself. PyLD's dataset is
turned into rdflib terms directly, with ``normalize=False`` so lexical forms stay exactly as
signed (rdflib would otherwise rewrite ``...Z`` to ``...+00:00`` and blind ``sh:pattern``).
"""

from __future__ import annotations

from typing import Any

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

from .errors import VocabError
from .loader import DocumentLoader, document_loader, refused_cause

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class JsonLdInvalid(VocabError):
    """The document is not valid JSON-LD (PyLD refused to expand or convert it)."""


def _pyld(call: str, document: Any, options: dict[str, Any]) -> Any:
    """Run PyLD's ``jsonld.<call>``. PyLD is imported on first use: the fast paths never need
    it, and importing it costs a process ~65 ms (the check pool's fork server, every CLI run)."""
    from pyld import jsonld

    # No base IRI: PyLD would otherwise resolve relative IRIs against its placeholder
    # http://example.org/base/ and sign/store IRIs the publisher never wrote.
    options.setdefault("base", None)
    try:
        return getattr(jsonld, call)(document, options)
    except jsonld.JsonLdError as exc:
        refused = refused_cause(exc)
        if refused is not None:
            raise refused from exc
        raise JsonLdInvalid(f"not valid JSON-LD: {exc.type}: {exc}".split("\n")[0]) from exc
    except ValueError as exc:  # PyLD raises bare ValueErrors, e.g. for relative context IRIs
        raise JsonLdInvalid(f"not valid JSON-LD: {exc}") from exc


def to_nquads(
    record: dict[str, Any], *, loader: DocumentLoader | None = None, canonical: bool = False
) -> str:
    """Return the record as N-Quads (RDFC-1.0 canonical form when ``canonical``)."""
    options: dict[str, Any] = {
        "format": "application/n-quads",
        "documentLoader": loader or document_loader(),
    }
    if canonical:
        options["algorithm"] = "URDNA2015"
        return str(_pyld("normalize", record, options))
    return str(_pyld("to_rdf", record, options))


def _term(item: dict[str, Any], blanks: dict[str, BNode]) -> Node:
    value = item["value"]
    if item["type"] == "IRI":
        return URIRef(value)
    if item["type"] == "blank node":
        return blanks.setdefault(value, BNode())
    if item.get("language"):
        return Literal(value, lang=item["language"], normalize=False)
    datatype = item.get("datatype")
    if datatype in (None, XSD_STRING):
        return Literal(value, normalize=False)
    return Literal(value, datatype=URIRef(datatype), normalize=False)


def to_dataset(record: dict[str, Any], *, loader: DocumentLoader | None = None) -> Dataset:
    """Return the record as an rdflib Dataset (the proof in its own graph)."""
    options = {"documentLoader": loader or document_loader()}
    quads: dict[str, list[dict[str, Any]]] = _pyld("to_rdf", record, options)
    dataset = Dataset()
    blanks: dict[str, BNode] = {}
    for graph_name, triples in quads.items():
        if graph_name == "@default":
            graph = dataset.default_graph
        else:
            name = blanks.setdefault(graph_name, BNode()) if graph_name.startswith("_:") else (
                URIRef(graph_name))
            graph = dataset.graph(name)
        for triple in triples:
            graph.add(
                (
                    _term(triple["subject"], blanks),
                    _term(triple["predicate"], blanks),
                    _term(triple["object"], blanks),
                )
            )
    return dataset


def to_graph(record: dict[str, Any], *, loader: DocumentLoader | None = None) -> Graph:
    """Return the record's payload (without its proof) as an rdflib Graph."""
    body = {k: v for k, v in record.items() if k != "proof"}
    dataset = to_dataset(body, loader=loader)
    graph = Graph()
    for triple in dataset.default_graph:
        graph.add(triple)
    return graph
