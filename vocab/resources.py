"""The bundled data files of the vocabulary, each parsed once per process on first use.

Nothing here runs at import time: every loader is an ``lru_cache``'d function, so the first
caller pays for parsing and later callers share the result (CONVENTIONS §1).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from rdflib import Graph

CONTEXT_URL = "https://w3id.org/ncc/context/v1"
DATA_INTEGRITY_V2_URL = "https://w3id.org/security/data-integrity/v2"
# The @context values a record may carry (docs/protocol-proofs.md §1): ours alone, or ours with
# the Data Integrity v2 context, which our context composes with (it defines every term the two
# share exactly as that context does, so the list means the same as ours alone).
RECORD_CONTEXTS: tuple[str | tuple[str, ...], ...] = (
    CONTEXT_URL,
    (CONTEXT_URL,),
    (CONTEXT_URL, DATA_INTEGRITY_V2_URL),
    (DATA_INTEGRITY_V2_URL, CONTEXT_URL),
)
VOCAB_NS = "https://w3id.org/ncc/vocab#"

_DATA = resources.files("vocab") / "data"


def data_text(name: str) -> str:
    """Return a bundled data file (path relative to ``vocab/data``) as text."""
    return (_DATA / name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def context_document() -> dict[str, Any]:
    """Return the bundled JSON-LD context document (``{"@context": {...}}``)."""
    doc: dict[str, Any] = json.loads(data_text("context-v1.jsonld"))
    return doc


@lru_cache(maxsize=1)
def data_integrity_context() -> dict[str, Any]:
    """Return the bundled W3C Data Integrity v2 context (``data-integrity-v2.jsonld``)."""
    doc: dict[str, Any] = json.loads(data_text("data-integrity-v2.jsonld"))
    return doc


def is_record_context(value: object) -> bool:
    """Tell whether ``value`` is an accepted ``@context`` form (:data:`RECORD_CONTEXTS`)."""
    if value == CONTEXT_URL:
        return True
    return type(value) is list and tuple(value) in RECORD_CONTEXTS


@lru_cache(maxsize=1)
def context_terms() -> dict[str, Any]:
    """Return the term definitions of the bundled context (the inner ``@context`` mapping)."""
    terms: dict[str, Any] = context_document()["@context"]
    return terms


def scheme_files() -> list[str]:
    """Return the names of the bundled concept-scheme Turtle files, sorted."""
    return sorted(p.name for p in (_DATA / "schemes").iterdir() if p.name.endswith(".ttl"))


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """Return the ontology (``vocab/data/ontology.ttl``) as an rdflib graph."""
    return Graph().parse(data=data_text("ontology.ttl"), format="turtle")


@lru_cache(maxsize=1)
def schemes_graph() -> Graph:
    """Return every bundled SKOS concept scheme merged into one rdflib graph."""
    graph = Graph()
    for name in scheme_files():
        graph.parse(data=data_text(f"schemes/{name}"), format="turtle")
    return graph


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """Return the SHACL shapes (``vocab/data/shapes.ttl``) as an rdflib graph."""
    return Graph().parse(data=data_text("shapes.ttl"), format="turtle")


@lru_cache(maxsize=1)
def vocabulary_graph() -> Graph:
    """Return ontology and concept schemes together, the graph served at ``/vocab``."""
    graph = Graph()
    for triple in ontology_graph():
        graph.add(triple)
    for triple in schemes_graph():
        graph.add(triple)
    for prefix, ns in ontology_graph().namespaces():
        graph.bind(prefix, ns, override=False)
    return graph


def example_names() -> list[str]:
    """Return the names of the bundled example records, sorted."""
    folder = _DATA / "examples"
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".jsonld"))


def example(name: str) -> dict[str, Any]:
    """Return one bundled example record (a fresh copy each call)."""
    doc: dict[str, Any] = json.loads(data_text(f"examples/{name}"))
    return doc
