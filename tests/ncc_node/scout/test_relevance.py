"""Scouting finds the right cases in any language: analysis, ranking, concepts, explanations.

Real signed records on a real node and SQLite store; texts are the kind the real datasets hold
(DSI4EU project pages in English, Dutch ESF summaries, German project notes).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from ncc_node.context import NodeContext
from ncc_node.scout import ScoutQuery, Weights, find_candidates, find_similar
from ncc_node.scout.scoring import impact, maturity, recency
from ncc_node.store.analysis import analyse, query_forms
from ncc_node.timestamps import parse_timestamp

from .conftest import Publish

W = Weights()
ONLY_TEXT = Weights(maturity=0, impact=0, transfer=0, partners=0, replications=0, recency=0)
BARE = {"problem": None, "approach": None, "results": None, "impact": None,
        "transferPotential": None, "partners": None, "regions": None, "themes": None,
        "targetGroups": None, "sdgs": None, "seeksPartners": None, "seeksPartnersIn": None,
        "usesMethods": None, "adapts": None, "stage": "maturity:pilot", "startDate": None,
        "leadOrganisation": {"type": "Organization", "legalName": "Verein"}}


def case(publish: Publish, name: str, text: str, lang: str = "en", **fields: Any
         ) -> dict[str, Any]:
    """A record with only a name and a description (in ``lang``), from Germany."""
    return publish(name={lang: name}, description={lang: text}, countries=["country:DEU"],
                   **{**BARE, **fields})


def ids(found: list[Any]) -> list[str]:
    return [c.id for c in found]


def test_each_text_is_stemmed_in_its_own_language() -> None:
    assert analyse("Krankenhäuser und Krankenhaus", "de") == ["krankenhaus", "und",
                                                               "krankenhaus"]
    assert analyse("eakate eakad", "et") == ["eaka", "eaka"]
    assert analyse("werkloosheid", "nl") == ["werkloos"]
    assert analyse("hôpitaux hôpital", "fr") == ["hôpital", "hôpital"]
    assert analyse("hospitals", "en") == ["hospit"] and analyse("hospitals", "xx") == ["hospitals"]
    assert set(query_forms("Patienten")) >= {"patienten", "patient"}


def test_inflected_forms_find_each_other(context: NodeContext, publish: Publish) -> None:
    german = case(publish, "Lotsen im Krankenhaus", "Ehrenamtliche begleiten Patienten.", "de")
    english = case(publish, "Hospital volunteers", "Volunteers guide patients through "
                   "the wards.")
    for text, expected in (("Krankenhäuser", german), ("hospitals", english),
                           ("Patient", None)):
        found = ids(find_candidates(context.store, ScoutQuery(country="EE", q=text),
                                    weights=W))
        if expected is None:
            assert {german["id"], english["id"]} <= set(found), text
        else:
            assert found[:1] == [expected["id"]], text


def test_every_word_is_optional_and_partial_matches_say_so(context: NodeContext,
                                                           publish: Publish,
                                                           client: FlaskClient) -> None:
    full = case(publish, "Back to work for unemployed job seekers",
                "Coaching for job seekers who have been unemployed for a year or more.")
    partial = case(publish, "Digital Creativity course",
                   "The course also empowered long term unemployed to gain jobs.")
    case(publish, "Repair cafe", "Neighbours repair bicycles together.")
    found = find_candidates(context.store, ScoutQuery(country="EE", q="coaching unemployed"),
                            weights=W)
    assert ids(found) == [full["id"], partial["id"]]
    assert found[0].details["partial"] is False and found[0].details["missing"] == []
    assert found[1].details["partial"] is True, found[1].details
    assert found[1].details["missing"] == ["coaching"]
    assert found[0].raw["relevance"] > found[1].raw["relevance"] > 0
    body = client.get("/scout/candidates?for=EE&q=coaching+zzqx").get_json()
    assert body["partial"] is True and [i["id"] for i in body["items"]] == [full["id"]]
    assert body["items"][0]["details"]["missing"] == ["zzqx"]


@pytest.mark.parametrize("text", ["töötus", "Arbeitslosigkeit", "werkloosheid", "chômage",
                                  "töötud tööotsijad"])
def test_a_query_in_any_language_finds_cases_written_in_another(
        context: NodeContext, publish: Publish, text: str) -> None:
    english = case(publish, "Alla Giornata", "This idea tackles unemployment and the work "
                   "rehabilitation of unemployed people in Italy.")
    dutch = case(publish, "Op weg naar kansen voor werkzoekenden", "De gemeente begeleidt "
                 "werkzoekenden en werklozen naar een betaalde baan.", "nl")
    case(publish, "Open data portal", "Transparency of public spending.")
    found = ids(find_candidates(context.store, ScoutQuery(country="EE", q=text), weights=W))
    assert set(found[:2]) == {english["id"], dutch["id"]}, text


def test_concepts_inferred_from_text_stay_in_the_index_and_are_opt_in_filters(
        context: NodeContext, publish: Publish, client: FlaskClient) -> None:
    lonely = case(publish, "Express to Connect", "Preventing loneliness and isolation amongst "
                  "elderly people.", themes=["theme:culture"])
    tagged = case(publish, "Seniorennetz", "Ein Netz für Nachbarn.", "de",
                  targetGroups=["tg:older-people"])
    stored = context.store.get(lonely["id"])
    assert stored is not None and "older-people" not in stored.body.decode("utf-8")
    strict = ScoutQuery(country="EE", target_group="tg:older-people")
    assert ids(find_candidates(context.store, strict, weights=W)) == [tagged["id"]]
    opted = ScoutQuery(country="EE", target_group="tg:older-people", inferred=True)
    assert set(ids(find_candidates(context.store, opted, weights=W))) == {lonely["id"],
                                                                          tagged["id"]}
    items = client.get("/scout/candidates?for=EE&q=eakad&lang=de").get_json()["items"]
    item = next(i for i in items if i["id"] == lonely["id"])
    assert item["inferred"] == ["tg:older-people"]  # apart from the publisher's themes
    assert {"id": "tg:older-people", "label": "Ältere Menschen", "inferred": True} in \
        item["details"]["concepts"]
    filtered = client.get("/scout/candidates?for=EE&target_group=tg:older-people"
                          "&inferred=true").get_json()["items"]
    assert lonely["id"] in [i["id"] for i in filtered]


def test_explanations_mark_the_matched_words_in_a_snippet(context: NodeContext,
                                                          publish: Publish) -> None:
    record = case(publish, "hackAIR", "hackAIR is a platform to collect and improve air "
                  "quality information in Europe, with open sensors built by citizens.")
    found = find_candidates(context.store, ScoutQuery(country="EE", q="air sensors"), weights=W)
    snippet = found[0].details["snippet"]
    marked = [snippet["text"][s:e] for s, e in snippet["highlights"]]
    assert found[0].id == record["id"] and {"air", "sensors"} <= {m.lower() for m in marked}
    assert found[0].details["matched"] == ["air", "sensors"]


def test_unknown_stage_is_neutral_and_impact_is_graded() -> None:
    assert maturity({}) == 0.5 and maturity({"stage": "maturity:idea"}) == 0.0
    assert impact({}, ()) == 0.0
    assert impact({"impact": {"en": "We help people."}}, ()) == 0.3
    assert impact({"impact": {"en": "Participants say they feel less alone. " * 8}}, ()) == 0.6
    assert impact({"results": {"en": "78% found a job within a year."}}, ()) == 1.0


def test_recency_comes_from_the_case_dates_not_storage_time() -> None:
    now = parse_timestamp("2026-12-01T00:00:00Z")
    stored_today = "2026-12-01T00:00:00Z"  # every imported record looks new by this date
    old = {"modified": stored_today, "startDate": "2009-01-01", "endDate": "2010-12-31"}
    running = {"modified": stored_today, "startDate": "2024-01-01", "endDate": "2030-01-01"}
    assert recency(running, now) == 1.0 > recency(old, now)
    assert recency({"modified": stored_today}, now) == 1.0
    assert recency({}, now) == 0.5


def test_relevance_comes_before_the_other_signals(context: NodeContext,
                                                  publish: Publish) -> None:
    on_topic = case(publish, "Air quality sensors", "Citizens measure air quality.")
    established = case(publish, "Established community centre", "A centre with a café; "
                       "the air in the room is fresh.", stage="maturity:established",
                       results={"en": "12,000 visitors a year."})
    found = find_candidates(context.store, ScoutQuery(country="EE", q="air quality sensors"),
                            weights=W)
    assert ids(found) == [on_topic["id"], established["id"]]


def test_similar_is_by_content(context: NodeContext, publish: Publish) -> None:
    source = case(publish, "Chatbot for citizens", "A chatbot answers citizens' questions "
                  "about municipal services in plain language.", themes=["theme:education"])
    alike = publish(name={"nl": "Chatbot voor de gemeente"},
                    description={"en": "A chatbot answering questions about municipal "
                                       "services."}, countries=["country:NLD"],
                    **{**BARE, "themes": ["theme:housing"]})
    theme_only = publish(name={"en": "Homework club"}, description={"en": "Pupils learn."},
                         countries=["country:NLD"],
                         **{**BARE, "themes": ["theme:education"]})
    found = find_similar(context.store, source["id"], weights=ONLY_TEXT, limit=5)
    assert ids(found)[:2] == [alike["id"], theme_only["id"]]
    assert "chatbot" in found[0].details["likeTerms"]


def test_the_same_case_from_two_sources_is_shown_once(context: NodeContext,
                                                      publish: Publish) -> None:
    mine = case(publish, "Casserole Club", "Reducing loneliness and isolation, whilst "
                "combatting malnutrition and food waste.")
    other = json.loads(json.dumps(mine))
    other.update(id="https://ncc-nl.example.org/initiatives/8f0c1e7e-0d0b-4d5e-9a1e-1c2d3e4f5a6b",
                 origin="https://ncc-nl.example.org/node")
    context.store.put(other, json.dumps(other).encode("utf-8"),
                      received_from="https://ncc-nl.example.org")
    # a same-as link (the store keeps what a peer sent; the check is in the acceptance rules)
    linked = json.loads(json.dumps(mine))
    linked.update(id="https://dsi.example.org/initiatives/0b7f3d2c-4a1e-4c55-8e3a-6f7e8d9c0a1b",
                  origin="https://dsi.example.org/node", sameAs=[mine["id"]],
                  name={"en": "Casserole Club (UK)"},
                  description={"en": "Volunteers share home-cooked casserole food."})
    context.store.put(linked, json.dumps(linked).encode("utf-8"),
                      received_from="https://dsi.example.org")
    found = find_candidates(context.store, ScoutQuery(country="EE", q="casserole"), weights=W)
    assert len(found) == 1  # the best-ranked copy stands for the case
    assert {found[0].id} | {a["id"] for a in found[0].also} == {mine["id"], other["id"],
                                                                 linked["id"]}
