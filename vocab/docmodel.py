"""The data files behind ``docs/vocabulary.md`` and the look-ups between them (for vocab.docgen).

Terms and prefixes come from the context, shapes and their properties from shapes.ttl, concepts
from the schemes, descriptions from ``sh:description`` or the ontology.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rdflib import RDF, RDFS, SH, SKOS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, Namespace
from rdflib.term import Node

from . import resources
from .kinds import ALL_KINDS

NCC = Namespace(resources.VOCAB_NS)
VANN = Namespace("http://purl.org/vocab/vann/")
LANGUAGES = ("en", "de", "et", "nl", "fr")
KIND_ORDER = ALL_KINDS


@dataclass(frozen=True)
class Sources:
    """The data files the docs are generated from."""

    context: dict[str, Any]
    ontology: Graph
    shapes: Graph
    schemes: Graph
    examples: dict[str, str]

    @classmethod
    def bundled(cls) -> Sources:
        """Load the data files bundled with the ``vocab`` package."""
        return cls(
            context=resources.context_terms(),
            ontology=resources.ontology_graph(),
            shapes=resources.shapes_graph(),
            schemes=resources.schemes_graph(),
            examples={n: resources.data_text(f"examples/{n}") for n in resources.example_names()},
        )


def is_class_term(definition: object) -> bool:
    """A plain IRI, or one with only a type-scoped context (``DataIntegrityProof``)."""
    if isinstance(definition, str):
        return True
    return isinstance(definition, dict) and "@context" in definition and set(definition) <= {
        "@id", "@context", "@protected"}


def text_of(graph: Graph, subject: Node, *predicates: URIRef) -> str:
    """Return the first English (or untagged) literal of the first predicate that has one."""
    for predicate in predicates:
        found = sorted(str(o) for o in graph.objects(subject, predicate)
                       if isinstance(o, Literal) and o.language in ("en", None))
        if found:
            return found[0]
    return ""


def rdf_list(graph: Graph, head: Node | None) -> list[Node]:
    """Return the members of an RDF list (empty when there is no list)."""
    return list(Collection(graph, head)) if head is not None else []


def integer(graph: Graph, subject: Node, predicate: URIRef) -> int | None:
    """Return an integer-valued literal, or None when absent."""
    value = graph.value(subject, predicate)
    return int(value) if isinstance(value, Literal) else None


class DocModel:
    """The data files plus the look-ups between them (terms, IRIs, shapes, schemes)."""

    def __init__(self, src: Sources) -> None:
        self.src = src
        ctx = {t: d for t, d in src.context.items() if not t.startswith("@")}
        self.prefixes = {t: d for t, d in ctx.items()
                         if isinstance(d, str) and d.endswith(("/", "#"))}
        self.terms: dict[str, tuple[str, dict[str, Any]]] = {}
        self.class_terms = [t for t, d in ctx.items() if is_class_term(d)
                            and t not in self.prefixes and not str(d).startswith("@")]
        for term, d in ctx.items():
            if term not in self.prefixes:
                definition = d if isinstance(d, dict) else {"@id": d}
                self.terms[term] = (self.expand(definition["@id"]), definition)
        self.by_iri = {iri: t for t, (iri, _) in self.terms.items() if not iri.startswith("@")}
        self.position = {t: i for i, t in enumerate(ctx)}
        self.by_iri[str(RDF.type)] = "type"

    def expand(self, value: str) -> str:
        """Expand a compact IRI with the context's prefixes."""
        prefix, sep, local = value.partition(":")
        return self.prefixes[prefix] + local if sep and prefix in self.prefixes else value

    def compact(self, iri: object) -> str:
        """Compact an IRI with the longest matching context prefix."""
        if str(iri) == str(RDF.type):
            return "@type"
        best = max((ns for ns in self.prefixes.values() if str(iri).startswith(ns)),
                   key=len, default="")
        if not best or not str(iri)[len(best):]:
            return str(iri)
        prefix = next(p for p, ns in self.prefixes.items() if ns == best)
        return f"{prefix}:{str(iri)[len(best):]}"

    def describe(self, iri: object, shape: Node | None = None) -> str:
        """Describe an IRI: sh:description, else the ontology's comment or usage note."""
        own = text_of(self.src.shapes, shape, SH.description) if shape is not None else ""
        return own or text_of(self.src.ontology, URIRef(str(iri)), RDFS.comment, VANN.usageNote)

    def json_value(self, value: Node) -> str:
        """Write an IRI or literal as it appears in a compacted record."""
        if isinstance(value, URIRef):
            return self.by_iri.get(str(value)) or self.compact(value)
        return str(value)

    def term_of(self, ps: Node) -> str:
        """Return the JSON term of a property shape: its sh:name, else the context's term."""
        path = str(self.src.shapes.value(ps, SH.path))
        return text_of(self.src.shapes, ps, SH.name) or self.by_iri.get(path, "")

    def schemes(self) -> list[URIRef]:
        """Return the concept schemes, in the order their prefixes appear in the context."""
        found = {s for s in self.src.schemes.subjects(RDF.type, SKOS.ConceptScheme)
                 if isinstance(s, URIRef)}
        order = list(self.prefixes.values())

        def key(scheme: URIRef) -> tuple[int, str]:
            concepts = self.concepts(scheme)
            hits = [i for i, ns in enumerate(order) if concepts and str(concepts[0]).startswith(ns)]
            return (max(hits) if hits else len(order), str(scheme))

        return sorted(found, key=key)

    def concepts(self, scheme: URIRef) -> list[URIRef]:
        """Return the concepts of a scheme, by ncc:order, then notation, then IRI."""
        g = self.src.schemes
        found = {c for c in g.subjects(SKOS.inScheme, scheme) if isinstance(c, URIRef)}

        def key(c: URIRef) -> tuple[int, int, str, str]:
            note = text_of(g, c, SKOS.notation)
            numeric = int(note) if note.isdigit() else -1
            return (integer(g, c, NCC.order) or 0, numeric, note, str(c))

        return sorted(found, key=key)

    def scheme_title(self, scheme: URIRef) -> str:
        """Return a scheme's English title."""
        g = self.src.schemes
        return text_of(g, scheme, DCTERMS.title, SKOS.prefLabel, RDFS.label) or str(scheme)

    def schemes_of(self, values: Sequence[Node]) -> list[URIRef]:
        """Return the concept schemes that hold all of the given (sh:in) values."""
        wanted = set(values)
        return [s for s in self.schemes() if wanted and wanted <= set(self.concepts(s))]

    def record_shapes(self) -> list[Node]:
        """Return the node shapes with a target class, record kinds first (vocab.kinds order)."""
        shapes = set(self.src.shapes.subjects(SH.targetClass, None))

        def key(shape: Node) -> tuple[int, str]:
            name = self.shape_name(shape)
            return (KIND_ORDER.index(name) if name in KIND_ORDER else len(KIND_ORDER), name)

        return sorted(shapes, key=key)

    def nested_shapes(self) -> list[Node]:
        """Return the shapes reached through sh:node that are not record shapes."""
        seen: list[Node] = []
        records = self.record_shapes()
        queue = list(records)
        while queue:
            for ps in self.properties(queue.pop(0)):
                target = self.src.shapes.value(ps, SH.node)
                if target is not None and target not in seen and target not in records:
                    seen.append(target)
                    queue.append(target)
        return seen

    def shape_name(self, shape: Node) -> str:
        """Name a shape after its target class's term, else its local name without "Shape"."""
        target = self.src.shapes.value(shape, SH.targetClass)
        if target is not None and str(target) in self.by_iri:
            return self.by_iri[str(target)]
        return re.sub(r"Shape$", "", re.split(r"[#/]", str(shape))[-1])

    def properties(self, shape: Node) -> list[Node]:
        """Return a shape's property shapes, by sh:order, then context order."""
        g = self.src.shapes

        def key(ps: Node) -> tuple[int, int, str]:
            path = str(g.value(ps, SH.path))
            term = self.by_iri.get(path, "")
            rank = self.position.get(term, len(self.position))
            return (integer(g, ps, SH.order) or 0, rank, path)

        return sorted(g.objects(shape, SH.property), key=key)
