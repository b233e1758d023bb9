"""The ontology declares every ncc: term of the context and links it to reused vocabularies."""

from __future__ import annotations

from typing import Any

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, Graph, Literal, URIRef
from rdflib.collection import Collection

from vocab.resources import (
    VOCAB_NS,
    context_terms,
    data_text,
    ontology_graph,
    schemes_graph,
    shapes_graph,
)

# A minted property without a sub-property or match link must say why in a scope note that
# starts with this text (see the header of vocab/data/ontology.ttl).
NO_EQUIVALENT = "No equivalent in schema.org, DCTERMS, PROV-O, ORG or DCAT"
ONTOLOGY_IRI = URIRef("https://w3id.org/ncc/vocab")
PROPERTY_TYPES = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
LINKS = (RDFS.subPropertyOf, SKOS.closeMatch, SKOS.exactMatch)
# Used by the concept schemes rather than by records, so absent from the context.
SCHEME_PROPERTIES = ("order", "alpha2", "bcp47")


def _expand(value: str, terms: dict[str, Any]) -> str:
    """Expand a compact IRI of the context (``ncc:origin``) to a full IRI."""
    prefix, sep, local = value.partition(":")
    if sep and isinstance(terms.get(prefix), str) and not local.startswith("//"):
        return str(terms[prefix]) + local
    return value


def _context_ncc_iris() -> set[URIRef]:
    terms = context_terms()
    iris = set()
    for term, definition in terms.items():
        if term.startswith("@"):
            continue
        raw = definition["@id"] if isinstance(definition, dict) else definition
        iri = _expand(raw, terms)
        if iri.startswith(VOCAB_NS) and iri != VOCAB_NS:  # skip the prefix term itself
            iris.add(URIRef(iri))
    return iris


def _declared(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, *PROPERTY_TYPES)
    return {s for kind in kinds for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)}


def _english(graph: Graph, subject: URIRef, predicate: URIRef) -> list[Literal]:
    return [
        o
        for o in graph.objects(subject, predicate)
        if isinstance(o, Literal) and o.language == "en" and str(o).strip()
    ]


def _ncc_properties(graph: Graph) -> list[URIRef]:
    found = {s for kind in PROPERTY_TYPES for s in graph.subjects(RDF.type, kind)}
    return sorted(s for s in found if isinstance(s, URIRef) and str(s).startswith(VOCAB_NS))


def test_ontology_parses_and_has_header() -> None:
    graph = Graph().parse(data=data_text("ontology.ttl"), format="turtle")
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    dcterms = "http://purl.org/dc/terms/"
    for field in ("title", "description", "license"):
        assert graph.value(ONTOLOGY_IRI, URIRef(dcterms + field)) is not None, field
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == "1.0"
    prefix = graph.value(ONTOLOGY_IRI, URIRef("http://purl.org/vocab/vann/preferredNamespacePrefix"))
    assert str(prefix) == "ncc"


def test_context_ncc_terms_are_declared_with_label_and_comment() -> None:
    graph = ontology_graph()
    declared = _declared(graph)
    iris = _context_ncc_iris()
    assert len(iris) > 20  # guards the expansion above against silently finding nothing
    for iri in sorted(iris):
        assert iri in declared, f"{iri} is in the context but not declared in the ontology"
        assert _english(graph, iri, RDFS.label), f"{iri} has no English rdfs:label"
        assert _english(graph, iri, RDFS.comment), f"{iri} has no English rdfs:comment"


@pytest.mark.parametrize("local", SCHEME_PROPERTIES)
def test_scheme_properties_are_declared(local: str) -> None:
    graph = ontology_graph()
    iri = URIRef(VOCAB_NS + local)
    assert (iri, RDF.type, OWL.DatatypeProperty) in graph
    assert _english(graph, iri, RDFS.label) and _english(graph, iri, RDFS.comment)


def test_every_ncc_iri_used_is_declared() -> None:
    graph = ontology_graph()
    declared = _declared(graph)
    used = {term for triple in graph for term in triple if isinstance(term, URIRef)}
    undeclared = sorted(str(i) for i in used if str(i).startswith(VOCAB_NS) and i not in declared)
    assert undeclared == []


@pytest.mark.parametrize("name", ["shapes", "schemes"])
def test_ncc_predicates_of_shapes_and_schemes_are_declared(name: str) -> None:
    graph = {"shapes": shapes_graph, "schemes": schemes_graph}[name]()
    predicates = {p for p in graph.predicates() if str(p).startswith(VOCAB_NS)}
    assert sorted(str(p) for p in predicates - _declared(ontology_graph())) == []


def test_classes_specialise_reused_classes() -> None:
    graph = ontology_graph()
    ncc = VOCAB_NS
    expected = {
        "Initiative": {"https://schema.org/Project"},
        "Method": {"https://schema.org/HowTo"},
        "Node": {"http://www.w3.org/ns/dcat#Catalog", "http://www.w3.org/ns/org#Organization"},
    }
    for local, parents in expected.items():
        iri = URIRef(ncc + local)
        assert (iri, RDF.type, OWL.Class) in graph
        assert {str(p) for p in graph.objects(iri, RDFS.subClassOf)} >= parents


def test_each_property_links_out_or_says_why_not() -> None:
    graph = ontology_graph()
    properties = _ncc_properties(graph)
    assert properties
    for prop in properties:
        linked = any(graph.value(prop, link) is not None for link in LINKS)
        notes = [str(n) for n in graph.objects(prop, SKOS.scopeNote)]
        explained = any(n.startswith(NO_EQUIVALENT + ":") for n in notes)
        assert linked or explained, f"{prop} has neither a link nor a '{NO_EQUIVALENT}' note"
        assert not (linked and explained), f"{prop} has a link yet claims no equivalent"


@pytest.mark.parametrize(
    ("local", "parent"),
    [
        ("replicates", "http://www.w3.org/ns/prov#wasDerivedFrom"),
        ("adapts", "http://www.w3.org/ns/prov#wasDerivedFrom"),
        ("country", "http://purl.org/dc/terms/spatial"),
        ("sdg", "http://purl.org/dc/terms/subject"),
        ("methodType", "http://purl.org/dc/terms/type"),
    ],
)
def test_sub_property_links(local: str, parent: str) -> None:
    graph = ontology_graph()
    assert (URIRef(VOCAB_NS + local), RDFS.subPropertyOf, URIRef(parent)) in graph


def test_each_property_has_one_kind() -> None:
    graph = ontology_graph()
    for prop in _ncc_properties(graph):
        kinds = [k for k in PROPERTY_TYPES if (prop, RDF.type, k) in graph]
        assert len(kinds) == 1, f"{prop} is declared as {kinds}"


def test_reused_terms_are_not_redefined() -> None:
    graph = ontology_graph()
    foreign = [s for s in _declared(graph) if not str(s).startswith(VOCAB_NS)]
    assert foreign == [], "reused terms are annotated, never declared or typed here"


def test_domains_agree_with_record_shapes() -> None:
    """A property a record shape allows has that shape's class in its rdfs:domain, if any."""
    onto, shapes = ontology_graph(), shapes_graph()
    sh = "http://www.w3.org/ns/shacl#"
    checked = 0
    for shape, target in shapes.subject_objects(URIRef(sh + "targetClass")):
        for ps in shapes.objects(shape, URIRef(sh + "property")):
            path = shapes.value(ps, URIRef(sh + "path"))
            domain = onto.value(path, RDFS.domain)
            if domain is None:
                continue
            union = onto.value(domain, OWL.unionOf)
            allowed = set(Collection(onto, union)) if union is not None else {domain}
            assert target in allowed, f"{path} is allowed on {target} but its domain excludes it"
            checked += 1
    assert checked > 10
