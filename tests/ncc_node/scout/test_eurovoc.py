"""The bundled EuroVoc: query expansion across languages and record annotation at index time.

Real signed records on a real node: a German or Estonian query finds an English case through a
EuroVoc descriptor (one the former 51-concept subset did not have), the explanation names the
concept in the scout's language, and the receiving node's index gives each record a token per
descriptor its text names, never touching the signed record.
"""

from __future__ import annotations

import copy
import gzip
import json
from importlib import resources
from typing import Any

from ncc_node.context import NodeContext
from ncc_node.scout import ScoutQuery, Weights, find_candidates, find_similar
from ncc_node.store.derive import index_entries
from ncc_node.store.eurovoc import BASE, eurovoc
from ncc_node.store.textquery import inferred_token

from .conftest import Publish
from .test_relevance import BARE, case, ids

W = Weights()
AI = BASE + "3030"  # artificial intelligence / künstliche Intelligenz / tehisintellekt
FRAUD = BASE + "1092"  # fraud / Betrug / pettus / fraude
LONG_TERM = BASE + "3515"  # long-term unemployment / Langzeitarbeitslosigkeit


def test_a_german_or_estonian_query_finds_an_english_case_through_eurovoc(
        context: NodeContext, publish: Publish) -> None:
    robot = case(publish, "Benefit helper", "A chatbot built on artificial intelligence "
                 "answers questions about social benefits, day and night.")
    scam = case(publish, "Scam watch", "Volunteers warn older shoppers about fraud at the "
                "weekly market.")
    case(publish, "Choir for all", "Singing together every week.")
    for query, lang, expected, iri, label in (
            ("künstliche Intelligenz", "de", robot, AI, "künstliche Intelligenz"),
            ("tehisintellekt", "et", robot, AI, "tehisintellekt"),
            ("Betrug", "de", scam, FRAUD, "Betrug"),
            ("fraude", "nl", scam, FRAUD, "fraude")):
        found = find_candidates(context.store, ScoutQuery(country="EE", q=query, lang=lang),
                                weights=W)
        assert ids(found) == [expected["id"]], query
        details = found[0].details
        assert details["matched"] and not details["missing"], query
        assert {"id": iri, "label": label, "scheme": "EuroVoc", "inferred": True} in \
            details["concepts"], query
        marked = [details["snippet"]["text"][a:b] for a, b in details["snippet"]["highlights"]]
        assert set(marked) <= {"artificial", "intelligence", "fraud"} and marked, query


def test_the_receiving_node_annotates_records_with_eurovoc_descriptors(
        context: NodeContext, publish: Publish) -> None:
    record = case(publish, "Back to work", "Coaching for people in long-term unemployment, "
                  "with a policy of open doors and information for all.")
    german = case(publish, "Zurück in Arbeit", "Beratung bei Langzeitarbeitslosigkeit.",
                  lang="de")
    for stored in (record, german):
        analysed = context.store.candidates.analysed_text(stored["id"])
        assert analysed is not None
        assert inferred_token(LONG_TERM) in analysed.concepts.split(), stored["name"]
    # the signed record is left as published: the annotation lives in the index alone
    body = context.store.get(record["id"])
    assert body is not None and json.loads(body.body) == record
    entries = index_entries(copy.deepcopy(record))
    assert LONG_TERM in entries.text.eurovoc
    # generic words of the thesaurus ("policy", "information") annotate nothing on their own
    names = {eurovoc().concepts[iri].labels["en"] for iri in entries.text.eurovoc}
    assert not names & {"policy", "information", "open"}, names
    # and a query naming the descriptor in another language matches through it
    found = find_candidates(context.store, ScoutQuery(country="EE",
                                                      q="Langzeitarbeitslosigkeit"), weights=W)
    assert set(ids(found)) == {record["id"], german["id"]}


def test_similar_cases_in_other_languages_through_the_descriptors_their_texts_name(
        context: NodeContext, publish: Publish) -> None:
    source = case(publish, "Zurück in Arbeit", "Beratung bei Langzeitarbeitslosigkeit im "
                  "Quartier.", lang="de")
    other = {**BARE, "countries": ["country:NLD"]}
    english = publish(name={"en": "Back to work"}, **{**other, "leadOrganisation": {
        "type": "Organization", "legalName": "Stichting Werk"}},
        description={"en": "Coaching for people in long-term unemployment."})
    publish(name={"en": "Choir for all"}, **{**other, "leadOrganisation": {
        "type": "Organization", "legalName": "Koor"}},
        description={"en": "Singing together every week."})
    found = find_similar(context.store, source["id"], weights=W, limit=5)
    assert ids(found) == [english["id"]]
    assert "long-term unemployment" in found[0].details["likeTerms"]


def test_annotation_is_cheap_and_needs_the_label_in_the_texts_language() -> None:
    thesaurus = eurovoc()
    assert thesaurus.in_text(["long", "term", "unemploy"], "en") >= {LONG_TERM}
    assert LONG_TERM not in thesaurus.in_text(["long", "term", "unemploy"], "de")
    assert LONG_TERM not in thesaurus.in_text(["term", "long", "unemploy"], "en")
    assert thesaurus.in_text(["langzeitarbeitslos"], "de-AT") >= {LONG_TERM}
    assert thesaurus.in_text([], "en") == set() and thesaurus.in_text(["x"], "zz") == set()


def test_the_bundled_eurovoc_names_its_source_and_licence() -> None:
    folder = resources.files("ncc_node.scout").joinpath("data")
    data: dict[str, Any] = json.loads(gzip.decompress(
        folder.joinpath("eurovoc.json.gz").read_bytes()))
    assert "CC BY 4.0" in data["licence"] and "EuroVoc" in data["source"]
    readme = folder.joinpath("README.md").read_text("utf-8")
    assert "CC BY 4.0" in readme and "tn-aixpa/eurovoc-classifier" in readme
    assert len(data["concepts"]) == len(eurovoc()) > 7000
    kinds = {kind for _, _, kind, _ in data["concepts"]}
    assert kinds == {"d", "m", "f"}
    for key, broader, _, labels in data["concepts"]:
        assert (BASE + key) in eurovoc().concepts
        assert broader is None or (BASE + broader) in eurovoc().concepts
        assert set(labels) <= {"en", "de", "et", "nl", "fr"} and "en" in labels
    # a descriptor's broader concept is its microthesaurus, whose broader is its domain
    ai = eurovoc().concepts[AI]
    assert ai.broader is not None
    micro = eurovoc().concepts[ai.broader]
    assert micro.kind == "m" and micro.broader is not None
    assert eurovoc().concepts[micro.broader].kind == "f"
