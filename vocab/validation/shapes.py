"""Compile the SHACL shapes graph into plain Python objects the fast validator walks.

Only the SHACL Core subset that ``vocab/data/shapes.ttl`` uses is supported; compiling a shapes
graph that uses anything else raises :class:`UnsupportedShape`, so the fast validator can never
silently ignore a constraint that pyshacl enforces (issue 2: the two must agree).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from ..errors import VocabError
from ..resources import shapes_graph

SH = Namespace("http://www.w3.org/ns/shacl#")
NCC = Namespace("https://w3id.org/ncc/vocab#")

# Value terms in the compiled form: ("iri", iri) | ("lit", lexical, datatype, lang) | ("bnode", id)
Term = tuple[str, ...]


class UnsupportedShape(VocabError):
    """The shapes graph uses a SHACL feature the fast validator does not implement."""


@dataclass(frozen=True)
class PropertySpec:
    """One ``sh:property`` of a node shape, with every constraint the fast validator checks."""

    path: str
    name: str
    min_count: int = 0
    max_count: int | None = None
    datatype: str | None = None
    node_kind: str | None = None
    values_in: frozenset[Term] | None = None
    pattern: re.Pattern[str] | None = None
    min_length: int | None = None
    max_length: int | None = None
    language_in: tuple[str, ...] | None = None
    unique_lang: bool = False
    min_inclusive: int | None = None
    max_inclusive: int | None = None
    node: str | None = None
    message: str | None = None
    # sh:or of datatype alternatives, each (datatype, pattern or None): a value passes when it
    # is a well-formed literal of one alternative's datatype matching that one's pattern
    datatype_or: tuple[tuple[str, re.Pattern[str] | None], ...] | None = None


@dataclass(frozen=True)
class NodeSpec:
    """One ``sh:NodeShape``: its targets, node-level constraints and property shapes."""

    iri: str
    target_classes: frozenset[str] = frozenset()
    target_subjects_of: frozenset[str] = frozenset()
    node_kind: str | None = None
    pattern: re.Pattern[str] | None = None
    message: str | None = None
    closed: bool = False
    ignored: frozenset[str] = frozenset()
    properties: tuple[PropertySpec, ...] = ()
    rules: tuple[tuple[str, str], ...] = ()  # (ncc:ruleId, message) of SPARQL constraints
    allowed_paths: frozenset[str] = field(default=frozenset())


_NODE_KEYS = {
    SH.targetClass, SH.targetSubjectsOf, SH.nodeKind, SH.pattern, SH.message, SH.closed,
    SH.ignoredProperties, SH.property, SH.sparql, RDF.type,
}
_PROPERTY_KEYS = {
    SH.path, SH.name, SH.minCount, SH.maxCount, SH.datatype, SH.nodeKind, SH["in"], SH.pattern,
    SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang, SH.minInclusive, SH.maxInclusive,
    SH.node, SH.message, SH.description, SH["or"], RDF.type,
}
_ALTERNATIVE_KEYS = {SH.datatype, SH.pattern}
_IGNORED_ANNOTATIONS = {
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
}


def term_of(node: Node) -> Term:
    """Return the compiled form of an RDF term (used for ``sh:in`` membership)."""
    if isinstance(node, URIRef):
        return ("iri", str(node))
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else _XSD_STRING
        if node.language:
            datatype = _RDF_LANGSTRING
        return ("lit", str(node), datatype, (node.language or "").lower())
    return ("bnode", str(node))


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _check_keys(graph: Graph, subject: Node, allowed: set[URIRef], what: str) -> None:
    for predicate in set(graph.predicates(subject)):
        if predicate not in allowed and predicate not in _IGNORED_ANNOTATIONS:
            raise UnsupportedShape(f"{what}: {predicate} is not supported by the fast validator")


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    values = list(graph.objects(subject, predicate))
    if len(values) > 1:
        raise UnsupportedShape(f"{subject}: more than one {predicate}")
    return values[0] if values else None


def _int(graph: Graph, subject: Node, predicate: URIRef) -> int | None:
    value = _one(graph, subject, predicate)
    return int(value.toPython()) if isinstance(value, Literal) else None


def _str(graph: Graph, subject: Node, predicate: URIRef) -> str | None:
    value = _one(graph, subject, predicate)
    return None if value is None else str(value)


def _list(graph: Graph, subject: Node, predicate: URIRef) -> list[Node] | None:
    head = _one(graph, subject, predicate)
    return None if head is None else list(Collection(graph, head))


def _datatype_or(graph: Graph, node: Node) -> tuple[tuple[str, re.Pattern[str] | None], ...] | None:
    """The alternatives of ``sh:or``; only shapes of one ``sh:datatype`` (and a ``sh:pattern``)
    are supported, the form a date of several precisions takes."""
    members = _list(graph, node, SH["or"])
    if members is None:
        return None
    alternatives = []
    for member in members:
        _check_keys(graph, member, _ALTERNATIVE_KEYS, f"sh:or member of {node}")
        datatype = _str(graph, member, SH.datatype)
        if datatype is None:
            raise UnsupportedShape(f"{node}: each sh:or member needs a sh:datatype")
        pattern = _str(graph, member, SH.pattern)
        alternatives.append((datatype, None if pattern is None else re.compile(pattern)))
    if not alternatives:
        raise UnsupportedShape(f"{node}: an empty sh:or")
    return tuple(alternatives)


def _compile_property(graph: Graph, node: Node) -> PropertySpec:
    _check_keys(graph, node, _PROPERTY_KEYS, f"property shape {node}")
    path = _one(graph, node, SH.path)
    if not isinstance(path, URIRef):
        raise UnsupportedShape(f"property shape {node}: only IRI paths are supported")
    values_in = _list(graph, node, SH["in"])
    languages = _list(graph, node, SH.languageIn)
    pattern = _str(graph, node, SH.pattern)
    unique = _one(graph, node, SH.uniqueLang)
    unique_flag = isinstance(unique, Literal) and unique.toPython() is True
    return PropertySpec(
        path=str(path),
        name=_str(graph, node, SH.name) or str(path),
        min_count=_int(graph, node, SH.minCount) or 0,
        max_count=_int(graph, node, SH.maxCount),
        datatype=_str(graph, node, SH.datatype),
        node_kind=_str(graph, node, SH.nodeKind),
        values_in=None if values_in is None else frozenset(term_of(v) for v in values_in),
        pattern=None if pattern is None else re.compile(pattern),
        min_length=_int(graph, node, SH.minLength),
        max_length=_int(graph, node, SH.maxLength),
        language_in=None if languages is None else tuple(str(v).lower() for v in languages),
        unique_lang=unique_flag,
        min_inclusive=_int(graph, node, SH.minInclusive),
        max_inclusive=_int(graph, node, SH.maxInclusive),
        node=_str(graph, node, SH.node),
        message=_str(graph, node, SH.message),
        datatype_or=_datatype_or(graph, node),
    )


def _compile_node(graph: Graph, shape: Node) -> NodeSpec:
    _check_keys(graph, shape, _NODE_KEYS, f"node shape {shape}")
    properties = tuple(
        _compile_property(graph, p)
        for p in sorted(graph.objects(shape, SH.property), key=str)
    )
    rules = []
    for constraint in graph.objects(shape, SH.sparql):
        rule_id = _str(graph, constraint, NCC.ruleId)
        if rule_id is None:
            raise UnsupportedShape(f"{shape}: SPARQL constraint without ncc:ruleId")
        rules.append((rule_id, _str(graph, constraint, SH.message) or rule_id))
    ignored = _list(graph, shape, SH.ignoredProperties) or []
    pattern = _str(graph, shape, SH.pattern)
    closed = _one(graph, shape, SH.closed)
    return NodeSpec(
        iri=str(shape),
        target_classes=frozenset(str(c) for c in graph.objects(shape, SH.targetClass)),
        target_subjects_of=frozenset(str(c) for c in graph.objects(shape, SH.targetSubjectsOf)),
        node_kind=_str(graph, shape, SH.nodeKind),
        pattern=None if pattern is None else re.compile(pattern),
        message=_str(graph, shape, SH.message),
        closed=isinstance(closed, Literal) and closed.toPython() is True,
        ignored=frozenset(str(i) for i in ignored),
        properties=properties,
        rules=tuple(sorted(rules)),
        allowed_paths=frozenset(p.path for p in properties),
    )


def compile_shapes(graph: Graph) -> dict[str, NodeSpec]:
    """Compile every node shape of ``graph`` (keyed by shape IRI)."""
    shapes = set(graph.subjects(RDF.type, SH.NodeShape))
    shapes.update(o for o in graph.objects(None, SH.node) if not isinstance(o, Literal))
    if any(isinstance(s, BNode) for s in shapes):
        raise UnsupportedShape("node shapes must be named (IRIs)")
    return {str(s): _compile_node(graph, s) for s in sorted(shapes, key=str)}


def shapes_by_target(
    shapes: dict[str, NodeSpec],
) -> tuple[dict[str, list[NodeSpec]], dict[str, list[NodeSpec]]]:
    """Index shapes by what targets them: by class (``sh:targetClass``) and by property
    (``sh:targetSubjectsOf``), so a node is matched against its own shapes only."""
    by_class: dict[str, list[NodeSpec]] = {}
    by_subject_of: dict[str, list[NodeSpec]] = {}
    for spec in shapes.values():
        for target in spec.target_classes:
            by_class.setdefault(target, []).append(spec)
        for target in spec.target_subjects_of:
            by_subject_of.setdefault(target, []).append(spec)
    return by_class, by_subject_of


@lru_cache(maxsize=1)
def compiled_shapes() -> dict[str, NodeSpec]:
    """Return the bundled shapes compiled once per process."""
    return compile_shapes(shapes_graph())
