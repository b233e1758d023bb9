"""shapes.ttl stays consistent with the concept schemes, and the compiler refuses what it
does not implement (so the fast validator cannot silently skip a SHACL constraint)."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SKOS

from vocab.concepts import SCHEMES, concept_index
from vocab.resources import data_text, schemes_graph, shapes_graph
from vocab.validation import ShapeValidator, UnsupportedShape, compile_shapes, compiled_shapes

SCHEME_OF_PATH = {
    "https://w3id.org/ncc/vocab#sdg": "sdg",
    "https://w3id.org/ncc/vocab#stage": "stage",
    "http://www.w3.org/ns/dcat#theme": "theme",
    "https://w3id.org/ncc/vocab#targetGroup": "target-group",
    "https://w3id.org/ncc/vocab#methodType": "method-type",
    "https://w3id.org/ncc/vocab#fundingProgramme": "funding",
    "https://w3id.org/ncc/vocab#country": "country",
    "https://w3id.org/ncc/vocab#seeksPartnersIn": "country",
    "https://w3id.org/ncc/vocab#jurisdiction": "country",
    "http://purl.org/dc/terms/language": "language",
    "https://w3id.org/ncc/vocab#scale": "scale",
    "https://w3id.org/ncc/vocab#organisationType": "organisation-type",
    "https://w3id.org/ncc/vocab#technology": "technology",
}
NODE_COUNTRIES = URIRef("https://w3id.org/ncc/concepts/node-countries")


def _concept_properties() -> list[tuple[str, str, frozenset[str]]]:
    found = []
    for shape in compiled_shapes().values():
        for prop in shape.properties:
            if prop.path in SCHEME_OF_PATH:
                assert prop.values_in is not None, f"{shape.iri} {prop.name} lacks sh:in"
                iris = frozenset(term[1] for term in prop.values_in)
                found.append((f"{shape.iri.rsplit('#')[-1]}.{prop.name}", prop.path, iris))
    return found


CONCEPT_PROPERTIES = _concept_properties()


def test_every_concept_valued_property_is_covered() -> None:
    assert {path for _, path, _ in CONCEPT_PROPERTIES} == set(SCHEME_OF_PATH)


@pytest.mark.parametrize(
    ("where", "path", "allowed"), CONCEPT_PROPERTIES, ids=[c[0] for c in CONCEPT_PROPERTIES]
)
def test_allowed_values_are_exactly_the_scheme(where: str, path: str, allowed: frozenset) -> None:
    scheme = SCHEME_OF_PATH[path]
    assert scheme in SCHEMES
    expected = {c.iri for c in concept_index().concepts(scheme)}
    if path.endswith("#jurisdiction"):  # a node's own: the 30 NCC countries and the EU level
        expected = {str(m) for m in schemes_graph().objects(NODE_COUNTRIES, SKOS.member)}
        assert len(expected) == 31 and concept_index().expand_compact("country:EUR") in expected
    assert allowed == expected, f"{where}: sh:in differs from the {scheme} scheme"


def test_language_tags_are_the_language_schemes_bcp47_tags() -> None:
    tags = {p.language_in for s in compiled_shapes().values() for p in s.properties
            if p.language_in is not None}
    assert len(tags) == 1
    assert set(next(iter(tags))) == set(concept_index().bcp47_languages())


def test_every_sparql_rule_has_a_python_twin() -> None:
    ShapeValidator(compiled_shapes())  # raises UnsupportedShape otherwise
    rules = {r for s in compiled_shapes().values() for r, _ in s.rules}
    assert rules == {"id-under-origin", "node-is-own-origin"}


PREFIXES = data_text("shapes.ttl").split("# -----", 1)[0]


@pytest.mark.parametrize(
    ("snippet", "complaint"),
    [
        ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:or ( ex:A ex:B ) .", "shacl#or"),
        ("ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:class ex:C ] .", "shacl#class"),
        ("ex:S a sh:NodeShape ; sh:property [ sh:path ( ex:p ex:q ) ] .", "only IRI paths"),
        ("ex:S a sh:NodeShape ; sh:sparql [ sh:select \"SELECT $this {}\" ] .", "ruleId"),
        ("ex:S a sh:NodeShape ; sh:property [ sh:path ex:p ; sh:node [ sh:closed true ] ] .",
         "named"),
    ],
)
def test_compiler_refuses_unsupported_shapes(snippet: str, complaint: str) -> None:
    graph = Graph().parse(data=PREFIXES + "@prefix ex: <https://ex.example/> .\n" + snippet,
                          format="turtle")
    with pytest.raises(UnsupportedShape, match=complaint):
        compile_shapes(graph)


def test_unknown_sparql_rule_is_refused() -> None:
    snippet = ("ex:S a sh:NodeShape ; sh:targetClass ex:C ; "
               "sh:sparql [ ncc:ruleId \"mystery\" ; sh:select \"SELECT $this {}\" ] .")
    graph = Graph().parse(data=PREFIXES + "@prefix ex: <https://ex.example/> .\n" + snippet,
                          format="turtle")
    with pytest.raises(UnsupportedShape, match="mystery"):
        ShapeValidator(compile_shapes(graph))


def test_bundled_shapes_compile_completely() -> None:
    shapes = compiled_shapes()
    assert len(shapes_graph()) > 500
    assert {iri.rsplit("#")[-1] for iri in shapes} >= {
        "InitiativeShape", "MethodShape", "TombstoneShape", "NodeShape", "OrganisationShape",
        "KeyShape", "RecordShape"}
