"""Tests of the bundled SKOS concept schemes and of :mod:`vocab.concepts`."""

from __future__ import annotations

import dataclasses
import re
from collections import Counter

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SKOS

from vocab.concepts import SCHEMES, Concept, ConceptIndex, concept_index, concept_prefixes, fold
from vocab.errors import UnknownConcept
from vocab.resources import VOCAB_NS, context_terms, data_text, scheme_files, schemes_graph

REQUIRED_LANGUAGES = ("en", "de", "et", "nl", "fr")
SCHEME_FILES = [
    "country.ttl",
    "funding.ttl",
    "language.ttl",
    "method-type.ttl",
    "organisation-type.ttl",
    "scale.ttl",
    "sdg.ttl",
    "stage.ttl",
    "target-group.ttl",
    "technology.ttl",
    "theme.ttl",
]
ALL_CONCEPTS = sorted(URIRef(str(c)) for c in schemes_graph().subjects(RDF.type, SKOS.Concept))


@pytest.fixture(scope="module")
def index() -> ConceptIndex:
    """The process-wide concept index."""
    return concept_index()


def _name(concept: object) -> str:
    """Short test id for a concept IRI."""
    return str(concept).split("//", 1)[1]


# --- the data files -------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEME_FILES)
def test_every_scheme_file_parses_on_its_own(name: str) -> None:
    graph = Graph().parse(data=data_text(f"schemes/{name}"), format="turtle")
    assert len(graph) > 0
    assert len(set(graph.subjects(RDF.type, SKOS.ConceptScheme))) >= 1


def test_the_bundled_scheme_files_are_the_expected_ones() -> None:
    assert scheme_files() == SCHEME_FILES


def test_declared_schemes_are_exactly_SCHEMES() -> None:
    declared = {str(s) for s in schemes_graph().subjects(RDF.type, SKOS.ConceptScheme)}
    assert declared == set(SCHEMES.values())


def test_every_inscheme_target_is_a_declared_concept_scheme() -> None:
    graph = schemes_graph()
    declared = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    targets = set(graph.objects(None, SKOS.inScheme))
    assert targets <= declared


def test_no_concept_iri_appears_in_two_schemes() -> None:
    graph = schemes_graph()
    shared = [c for c in ALL_CONCEPTS if len(set(graph.objects(c, SKOS.inScheme))) != 1]
    assert shared == []


@pytest.mark.parametrize("scheme", sorted(SCHEMES.values()))
def test_scheme_has_titles_and_consistent_top_concepts(scheme: str) -> None:
    graph = schemes_graph()
    node = URIRef(scheme)
    titles = Counter(
        t.language for t in graph.objects(node, DCTERMS.title) if isinstance(t, Literal)
    )
    assert all(titles[lang] == 1 for lang in REQUIRED_LANGUAGES)
    members = set(graph.subjects(SKOS.inScheme, node))
    assert set(graph.objects(node, SKOS.hasTopConcept)) == members
    assert set(graph.subjects(SKOS.topConceptOf, node)) == members


@pytest.mark.parametrize("concept", ALL_CONCEPTS, ids=_name)
def test_every_concept_has_exactly_one_preflabel_per_required_language(concept: URIRef) -> None:
    labels = [lbl for lbl in schemes_graph().objects(concept, SKOS.prefLabel)]
    per_language = Counter(lbl.language for lbl in labels if isinstance(lbl, Literal))
    assert {lang: per_language[lang] for lang in REQUIRED_LANGUAGES} == dict.fromkeys(
        REQUIRED_LANGUAGES, 1
    )
    assert max(per_language.values()) == 1  # SKOS S14, also for optional languages such as lb


@pytest.mark.parametrize("concept", ALL_CONCEPTS, ids=_name)
def test_every_concept_has_a_notation_and_clean_labels(concept: URIRef) -> None:
    graph = schemes_graph()
    assert len(list(graph.objects(concept, SKOS.notation))) == 1
    pref = {
        (lbl.language, fold(lbl))
        for lbl in graph.objects(concept, SKOS.prefLabel)
        if isinstance(lbl, Literal)
    }
    for predicate in (SKOS.prefLabel, SKOS.altLabel):
        for lbl in graph.objects(concept, predicate):
            assert isinstance(lbl, Literal) and lbl.language, lbl
            assert str(lbl) == str(lbl).strip() and str(lbl), lbl
            if predicate == SKOS.altLabel:
                assert (lbl.language, fold(lbl)) not in pref, f"altLabel repeats prefLabel: {lbl}"


# --- scheme contents ------------------------------------------------------------------------


def test_schemes_have_the_expected_sizes(index: ConceptIndex) -> None:
    sizes = {name: len(index.concepts(name)) for name in SCHEMES}
    assert sizes["sdg"] == 17
    assert sizes["stage"] == 7  # five of maturity, then ended and discontinued
    assert sizes["osi-stage"] == 6
    assert sizes["country"] == 251  # every ISO 3166-1 country, Kosovo and the EU
    assert sizes["scale"] == 6 and sizes["organisation-type"] == 7
    assert sizes["language"] == 27
    assert all(size > 0 for size in sizes.values())


def test_sdgs_use_the_un_kos_iris_in_goal_order(index: ConceptIndex) -> None:
    goals = index.concepts("sdg")
    assert [c.iri for c in goals] == [f"http://metadata.un.org/sdg/{n}" for n in range(1, 18)]
    assert [c.notation for c in goals] == [str(n) for n in range(1, 18)]
    assert index.label("sdg:1", "en") == "No poverty"
    assert index.label("sdg:1", "de") == "Keine Armut"
    assert index.label("sdg:4", "fr") == "Éducation de qualité"


def test_maturity_stages_are_ordered(index: ConceptIndex) -> None:
    stages = index.concepts("stage")
    names = ["idea", "pilot", "proven", "scaling", "established"]
    assert [c.iri for c in stages][:5] == [
        f"https://w3id.org/ncc/concepts/stage/{n}" for n in names]
    # where a case stopped: no step of maturity, so no order
    assert {index.compact(c.iri) for c in stages[5:]} == {"maturity:ended",
                                                         "maturity:discontinued"}
    assert all(c.order is None for c in stages[5:])
    orders = [index.stage_order(f"maturity:{n}") for n in names]
    assert orders == sorted(orders) == [1, 2, 3, 4, 5]
    assert index.stage_order("maturity:idea") < index.stage_order("maturity:established")


def test_osi_stages_are_ordered(index: ConceptIndex) -> None:
    names = ["mission", "challenges", "solutions", "support", "curation", "scaling"]
    assert [index.compact(c.iri) for c in index.concepts("osi-stage")] == [
        f"osi:{n}" for n in names
    ]
    assert [c.order for c in index.concepts("osi-stage")] == [1, 2, 3, 4, 5, 6]


def test_every_maturity_stage_close_matches_an_osi_stage(index: ConceptIndex) -> None:
    for stage in index.concepts("stage")[:5]:
        assert stage.close_matches, stage.iri
        assert all(index.in_scheme(m, "osi-stage") for m in stage.close_matches)
    assert index.get("maturity:pilot").close_matches == (index.expand_compact("osi:solutions"),)


def test_countries_cover_the_eu_and_eea(index: ConceptIndex) -> None:
    countries = {c.notation: c for c in index.concepts("country")}
    assert {"DEU", "EST", "NLD", "LUX", "GRC", "ISL", "LIE", "NOR"} <= set(countries)
    assert {"GBR", "CHE", "UKR", "MDA", "USA", "EUR", "1A0"} <= set(countries)
    assert index.label("country:CHE", "et") == "Šveits"
    assert index.label("country:EUR", "nl") == "Europese Unie"
    eu = countries.pop("EUR")  # the EU itself has no ISO code
    assert eu.iri == "http://publications.europa.eu/resource/authority/country/EUR"
    assert all(c.iri.endswith("/" + code) for code, c in countries.items())
    assert index.label("country:LUX", "lb") == "Lëtzebuerg"
    alpha2 = [
        str(schemes_graph().value(URIRef(c.iri), URIRef(VOCAB_NS + "alpha2")))
        for c in countries.values()
    ]
    assert index.label("country:1A0", "de") == "Kosovo"  # the table's code; ISO 3166 has none
    assert len(set(alpha2)) == 250 and "XK" in alpha2
    assert all(re.fullmatch("[A-Z]{2}", a) for a in alpha2)


def test_every_language_has_a_bcp47_tag(index: ConceptIndex) -> None:
    languages = index.concepts("language")
    tags = [index.bcp47(c.iri) for c in languages]
    assert all(re.fullmatch("[a-z]{2,3}", tag) for tag in tags)
    assert len(set(tags)) == len(languages) == 27
    assert index.bcp47_languages() == frozenset(tags)
    assert {"en", "de", "et", "nl", "fr", "lb"} <= index.bcp47_languages()
    assert index.bcp47("lang:LTZ") == "lb"


# --- the Python API -------------------------------------------------------------------------


def test_concept_index_is_built_once() -> None:
    assert concept_index() is concept_index()


def test_concepts_are_immutable_and_hashable(index: ConceptIndex) -> None:
    concept = index.get("theme:education")
    assert isinstance(concept, Concept) and {concept} == {index.get("theme:education")}
    with pytest.raises(dataclasses.FrozenInstanceError):
        concept.notation = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        concept.labels["en"] = "x"  # type: ignore[index]


def test_label_falls_back_through_the_chain_then_english(index: ConceptIndex) -> None:
    assert index.label("theme:education", "de") == "Bildung"
    assert index.label("theme:education", "de-AT") == "Bildung"
    assert index.label("theme:education", "lb") == "Education"
    assert index.label("theme:education", "lb", fallback=("de",)) == "Bildung"
    assert index.label("theme:education", "xx", fallback=()) == "Education"
    assert index.label("country:LUX", "lb", fallback=("de",)) == "Lëtzebuerg"


def test_label_falls_back_to_any_language_when_english_is_missing() -> None:
    graph = Graph().parse(
        format="turtle",
        data="""
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        <https://w3id.org/ncc/concepts/theme/sauna> a skos:Concept ;
            skos:inScheme <https://w3id.org/ncc/concepts/theme> ;
            skos:notation "sauna" ; skos:prefLabel "Saunakulttuuri"@fi .
        """,
    )
    index = ConceptIndex(graph, prefixes=concept_prefixes(context_terms()))
    assert index.label("theme:sauna", "de") == "Saunakulttuuri"


@pytest.mark.parametrize(
    "text",
    [
        "Bildung",
        "haridus",
        "onderwijs",
        "education",
        "Education",
        "Éducation",
        "ÉDUCATION",
        " schooling ",
        "enseignement",
        "learning",
    ],
)
def test_lookup_finds_a_theme_in_any_language(index: ConceptIndex, text: str) -> None:
    found = index.lookup(text, scheme="theme")
    assert [c.iri for c in found] == ["https://w3id.org/ncc/concepts/theme/education"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Lëtzebuerg", "country:LUX"),
        ("letzebuerg", "country:LUX"),
        ("Tööhõive", "theme:employment"),
        ("toohoive", "theme:employment"),
        ("Gleichstellung der Geschlechter", "theme:gender-equality"),
        ("ESF+", "funding:esf-plus"),
        ("fse+", "funding:esf-plus"),
        ("Mittetöötavad ja mitteõppivad noored (NEET)", "tg:neet"),
        ("Kvaliteetne haridus", "sdg:4"),
        ("sdg 4", "sdg:4"),
        ("4", "sdg:4"),
        ("Pilotfase", "maturity:pilot"),
        ("Lëtzebuergesch", "lang:LTZ"),
    ],
)
def test_lookup_folds_case_and_diacritics(index: ConceptIndex, text: str, expected: str) -> None:
    assert index.expand_compact(expected) in [c.iri for c in index.lookup(text)]


def test_lookup_by_notation_and_scheme_filter(index: ConceptIndex) -> None:
    assert {index.compact(c.iri) for c in index.lookup("deu")} == {"country:DEU", "lang:DEU"}
    assert [index.compact(c.iri) for c in index.lookup("DEU", scheme="language")] == ["lang:DEU"]
    assert [c.scheme for c in index.lookup("Scaling")] == [SCHEMES["stage"], SCHEMES["osi-stage"]]
    assert index.lookup("no such label") == []
    assert index.lookup("") == []
    with pytest.raises(UnknownConcept):
        index.lookup("Bildung", scheme="topics")


def test_fold_is_case_and_accent_blind() -> None:
    assert fold("Éducation") == fold("education") == "education"
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("Tõendatud") == "toendatud"
    assert fold("İstanbul") == "istanbul"


def test_prefixes_come_from_the_context(index: ConceptIndex) -> None:
    expected = {"sdg", "country", "lang", "maturity", "osi", "theme", "tg", "mt", "funding",
                "scl", "orgtype", "tech"}
    assert set(index.prefixes) == expected
    assert all(index.prefixes[p] == context_terms()[p] for p in expected)


@pytest.mark.parametrize(
    "scheme",
    [
        "sdg",
        "country",
        "language",
        "stage",
        "osi-stage",
        "theme",
        "target-group",
        "method-type",
        "funding",
    ],
)
def test_expand_compact_round_trips_every_concept(index: ConceptIndex, scheme: str) -> None:
    for concept in index.concepts(scheme):
        short = index.compact(concept.iri)
        assert short != concept.iri and short.split(":", 1)[0] in index.prefixes
        assert index.expand_compact(short) == concept.iri
        assert index.get(short) == concept


def test_expand_and_compact_examples(index: ConceptIndex) -> None:
    assert index.expand_compact("sdg:4") == "http://metadata.un.org/sdg/4"
    assert index.expand_compact("tg:neet") == "https://w3id.org/ncc/concepts/target-group/neet"
    assert index.compact("http://publications.europa.eu/resource/authority/language/DEU") == (
        "lang:DEU"
    )
    absolute = "https://w3id.org/ncc/concepts/theme/housing"
    assert index.expand_compact(absolute) == absolute
    assert index.compact("https://schema.org/Person") == "https://schema.org/Person"
    with pytest.raises(UnknownConcept):
        index.expand_compact("topic:housing")
    with pytest.raises(UnknownConcept):
        index.expand_compact("housing")


@pytest.mark.parametrize(
    "iri",
    [
        "https://w3id.org/ncc/concepts/theme/nope",
        "http://example.org/x",
        "theme:nope",
        "nope",
        "http://metadata.un.org/sdg/18",
        "http://metadata.un.org/sdg",
    ],
)
def test_unknown_iris_raise_unknown_concept(index: ConceptIndex, iri: str) -> None:
    with pytest.raises(UnknownConcept):
        index.get(iri)
    with pytest.raises(UnknownConcept):
        index.label(iri, "en")
    assert not index.in_scheme(iri, "theme")


def test_in_scheme_accepts_short_names_and_iris(index: ConceptIndex) -> None:
    assert index.in_scheme("theme:education", "theme")
    assert index.in_scheme("https://w3id.org/ncc/concepts/theme/education", SCHEMES["theme"])
    assert not index.in_scheme("theme:education", "sdg")
    with pytest.raises(UnknownConcept):
        index.in_scheme("theme:education", "topics")


def test_stage_order_and_bcp47_reject_other_concepts(index: ConceptIndex) -> None:
    with pytest.raises(UnknownConcept):
        index.stage_order("theme:education")
    with pytest.raises(UnknownConcept):
        index.bcp47("country:DEU")


def test_search_finds_a_concept_by_part_of_a_label(index: ConceptIndex) -> None:
    how, found = index.search("Umwelt")
    assert how == "part"
    assert "theme:climate-environment" in [index.compact(c.iri) for c, _ in found]
    assert any("umwelt" in label for _, label in found)


def test_search_suggests_close_spellings(index: ConceptIndex) -> None:
    how, found = index.search("Umwlet", scheme="theme")
    assert how == "close"
    assert [index.compact(c.iri) for c, _ in found][0] == "theme:climate-environment"
    assert index.search("Bildung")[0] == "exact"
    assert index.search("quidditch") == ("none", [])
