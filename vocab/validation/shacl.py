"""Normative validation: pyshacl over the record's RDF graph and the bundled shapes."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from rdflib import RDF, BNode, Graph, Namespace
from rdflib.term import Node

from ..errors import ContextRefused
from ..rdf import JsonLdInvalid, to_graph
from ..resources import shapes_graph
from .violations import Violation

SH = Namespace("http://www.w3.org/ns/shacl#")
NCC = Namespace("https://w3id.org/ncc/vocab#")


def _result_path(report: Graph, result: Node, names: dict[str, str]) -> str:
    path = report.value(result, SH.resultPath)
    focus = report.value(result, SH.focusNode)
    name = names.get(str(path), str(path)) if path is not None else "id"
    return f"{focus} {name}"


def validate_shacl(record: Any) -> list[Violation]:
    """Validate ``record`` with pyshacl against ``shapes.ttl``; empty list means it conforms.

    Paths are ``<focus node> <property>`` (RDF has no JSON paths); rules are the SHACL
    constraint component names, or ``ncc:ruleId`` values for SPARQL constraints.
    """
    if not isinstance(record, dict):
        return [Violation.of("", "json", "json.object")]
    try:
        data = to_graph(record)
    except (JsonLdInvalid, ContextRefused) as exc:
        return [Violation("", "jsonld", str(exc))]
    # imported on first use (~70 ms): the accept path decides most records without pyshacl
    from pyshacl import validate as pyshacl_validate

    conforms, report, _ = pyshacl_validate(
        data, shacl_graph=_pyshacl_shapes(), inference="none", allow_warnings=False
    )
    if conforms:
        return []
    assert isinstance(report, Graph)
    names = _property_names()
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(result, SH.sourceConstraintComponent)
        rule = str(component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        source = report.value(result, SH.sourceConstraint)
        rule_id = shapes_graph().value(source, NCC.ruleId) if source is not None else None
        if rule_id is not None:
            rule = str(rule_id)
        message = str(report.value(result, SH.resultMessage) or rule)
        where = _result_path(report, result, names)
        code = _shape_messages().get(message)
        # a shape's own sh:message is a message id of the pages' catalogues; pyshacl's are not
        out.append(Violation.of_template(where, rule, code, message) if code
                   else Violation(where, rule, message))
    return sorted(out)


@lru_cache(maxsize=1)
def _pyshacl_shapes() -> Graph:
    """pyshacl's own copy of the shapes: it adds statements to the shapes graph it is given,
    which would otherwise change the bundled graph every other reader sees (``/shapes``)."""
    graph = Graph()
    for prefix, namespace in shapes_graph().namespaces():
        graph.bind(prefix, namespace)
    for triple in shapes_graph():
        graph.add(triple)
    return graph


@lru_cache(maxsize=1)
def _shape_messages() -> dict[str, str]:
    """Each ``sh:message`` of the shapes -> its code, as the fast validator gives it."""
    graph = shapes_graph()
    out = {}
    for subject, text in graph.subject_objects(SH.message):
        rule_id = graph.value(subject, NCC.ruleId)
        if rule_id is not None:
            out[str(text)] = f"shape.{rule_id}"
        elif isinstance(subject, BNode):  # a property shape written inline: its shape's, then
            owner = graph.value(None, SH.property, subject)
            out[str(text)] = f"shape.{_local(owner)}.{graph.value(subject, SH.name)}"
        else:
            out[str(text)] = f"shape.{_local(subject)}"
    return out


def _local(iri: Node | None) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _property_names() -> dict[str, str]:
    graph = shapes_graph()
    return {str(graph.value(s, SH.path)): str(n) for s, n in graph.subject_objects(SH.name)}
