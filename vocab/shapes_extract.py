"""A Babel extractor for the shapes' ``sh:message`` texts, so ``shapes.ttl`` stays their one source.

The validators report a shape's own ``sh:message`` as its finding's message and template
(:meth:`vocab.Violation.of_template`); the web pages translate templates through their gettext
catalogues. ``babel.cfg`` registers this function under ``[extractors]`` so ``pybabel extract``
takes the English ``sh:message`` texts from the Turtle file itself (docs/web.md, "Languages").
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from rdflib import BNode, Graph, Literal, Namespace
from rdflib.term import Node

SH = Namespace("http://www.w3.org/ns/shacl#")


def _name(graph: Graph, subject: Node) -> str:
    """The shape a message belongs to, for the translator: ``InitiativeShape``,
    ``RecordShape type`` for a property shape written inline."""
    if isinstance(subject, BNode):
        owner = graph.value(None, SH.property, subject)
        return f"{_name(graph, owner) if owner is not None else ''} {graph.value(subject, SH.name)}"
    return str(subject).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def extract_shapes(
    fileobj: IO[bytes], keywords: Mapping[str, Any], comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Yield ``(line, funcname, message, comments)`` for each English ``sh:message``
    (Babel's extraction method interface)."""
    text = fileobj.read().decode("utf-8")
    graph = Graph().parse(data=text, format="turtle")
    found = []
    for subject, said in graph.subject_objects(SH.message):
        if not isinstance(said, Literal) or said.language not in (None, "en"):
            continue
        at = text.find(f'"{said}"')
        line = text.count("\n", 0, at) + 1 if at >= 0 else 0
        found.append((line, str(said), [f"sh:message of {_name(graph, subject)} (shapes.ttl)"]))
    for line, message, comments in sorted(found):
        yield line, "N_", message, comments


__all__ = ["extract_shapes"]
