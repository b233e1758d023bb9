"""find_candidates / find_similar over a real SQLite store with real signed records."""

from __future__ import annotations

import pytest

from ncc_node.context import NodeContext
from ncc_node.errors import NotFound
from ncc_node.scout import (
    FACTORS,
    ScoutQuery,
    ScoutQueryInvalid,
    Weights,
    find_candidates,
    find_similar,
    resolve_country,
)

from .conftest import PLAIN, Publish

EST = "http://publications.europa.eu/resource/authority/country/EST"
W = Weights()


def ids(found: list) -> list[str]:
    return [c.id for c in found]


@pytest.mark.parametrize("text", ["EST", "EE", "ee", "country:EST", EST, "Estonia", "Eesti",
                                  "Estland", " estonie "])
def test_target_country_in_any_form(text: str) -> None:
    assert resolve_country(text) == EST
    assert ScoutQuery(country=text).country == EST


@pytest.mark.parametrize("text", ["XX", "country:XYZ", "", "Atlantis"])
def test_unknown_country_names_the_parameter(text: str) -> None:
    with pytest.raises(ScoutQueryInvalid) as info:
        ScoutQuery(country=text)
    assert info.value.details[0]["path"] == "for"
    assert repr(text) in info.value.message


def test_bad_concept_filter_is_refused() -> None:
    with pytest.raises(ScoutQueryInvalid, match="theme"):
        ScoutQuery(country="EE", theme="theme:nonsense")
    assert ScoutQuery(theme="Bildung").theme == ScoutQuery(theme="theme:education").theme


def test_records_of_the_target_country_are_excluded(context: NodeContext,
                                                    publish: Publish) -> None:
    german = publish(name={"en": "German one"}, countries=["country:DEU"])
    estonian = publish(name={"en": "Estonian one"}, countries=["country:EST"])
    both = publish(name={"en": "Both"}, countries=["country:DEU", "country:EST"])
    found = ids(find_candidates(context.store, ScoutQuery(country="EE"), weights=W))
    assert german["id"] in found
    assert estonian["id"] not in found and both["id"] not in found
    found_de = ids(find_candidates(context.store, ScoutQuery(country="DE"), weights=W))
    assert found_de == [estonian["id"]]


def test_initiatives_replicated_in_the_target_country_are_excluded(
        context: NodeContext, publish: Publish) -> None:
    original = publish(name={"en": "Original"}, countries=["country:DEU"])
    other = publish(name={"en": "Not replicated"}, countries=["country:DEU"])
    query = ScoutQuery(country="EE")
    assert original["id"] in ids(find_candidates(context.store, query, weights=W))
    # a Dutch replica does not exclude it for Estonia: it counts as a replication elsewhere
    publish(name={"en": "Dutch replica"}, countries=["country:NLD"],
            replicates=[original["id"]])
    found = find_candidates(context.store, query, weights=W)
    by_id = {c.id: c for c in found}
    assert by_id[original["id"]].raw["replications"] > by_id[other["id"]].raw["replications"]
    # an Estonian adaptation does
    publish(name={"en": "Estonian adaptation"}, countries=["country:EST"],
            adapts=[original["id"]])
    found_ids = ids(find_candidates(context.store, query, weights=W))
    assert original["id"] not in found_ids and other["id"] in found_ids


def test_breakdown_sums_to_the_score_and_lists_every_factor(context: NodeContext,
                                                            publish: Publish) -> None:
    publish(countries=["country:DEU"])
    publish(countries=["country:NLD"], **PLAIN)
    found = find_candidates(context.store, ScoutQuery(country="EE", q="Lernpatenschaften"),
                            weights=W)
    assert len(found) == 2
    for candidate in found:
        assert tuple(candidate.factors) == FACTORS == tuple(candidate.raw)
        assert sum(candidate.factors.values()) == candidate.score
        for name in FACTORS:
            # relevance first: with text, the other factors are scaled by the relevance
            scale = 1.0 if name == "relevance" else candidate.raw["relevance"]
            assert candidate.factors[name] == pytest.approx(
                candidate.raw[name] * getattr(W, name) * scale)
            assert 0 <= candidate.raw[name] <= 1
        assert candidate.origin == "http://127.0.0.1:8470/node"
        assert candidate.origin_country == "country:DEU"
    best, plain = found
    # the example seeks partners in Estonia, has an impact summary and a transfer text
    assert best.raw["partners"] == 1 and best.raw["impact"] == 1 and best.raw["transfer"] > 0.5
    assert plain.raw["partners"] == 0 and plain.raw["impact"] == 0 and plain.raw["transfer"] == 0


def test_maturity_orders_stages(context: NodeContext, publish: Publish) -> None:
    made = {stage: publish(stage=f"maturity:{stage}", countries=["country:DEU"], **PLAIN)["id"]
            for stage in ("idea", "pilot", "proven", "scaling", "established")}
    found = find_candidates(context.store, ScoutQuery(country="EE"), weights=W)
    assert ids(found) == [made[s] for s in ("established", "scaling", "proven", "pilot", "idea")]
    values = [c.raw["maturity"] for c in found]
    assert values == [1.0, 0.75, 0.5, 0.25, 0.0]
    only = find_candidates(context.store, ScoutQuery(country="EE", stage="maturity:pilot"),
                           weights=W)
    assert ids(only) == [made["pilot"]]


def test_weights_change_the_order(context: NodeContext, publish: Publish) -> None:
    mature = publish(name={"en": "Mature, no evidence"}, stage="maturity:established",
                     countries=["country:DEU"], **PLAIN)
    evidenced = publish(name={"en": "Pilot with evidence"}, stage="maturity:pilot",
                        countries=["country:DEU"],
                        **{**PLAIN, "impact": {"en": "RCT: reading scores +12% in 400 pupils"}})
    query = ScoutQuery(country="EE")
    # defaults: pilot 0.25 x 1 + measured impact 1 x 1 = 1.25 beats established 1 x 1 = 1
    assert ids(find_candidates(context.store, query, weights=W)) == [evidenced["id"],
                                                                     mature["id"]]
    maturity_first = Weights(maturity=5.0, impact=0.5)
    assert ids(find_candidates(context.store, query, weights=maturity_first)) == [
        mature["id"], evidenced["id"]]


def test_a_linked_impact_measurement_method_is_evidence(context: NodeContext,
                                                        publish: Publish) -> None:
    method = publish("Method")  # the example method is typed mt:impact-measurement
    plain = publish(countries=["country:DEU"], **PLAIN)
    linked = publish(countries=["country:DEU"], usesMethods=[method["id"]], **PLAIN)
    found = {c.id: c for c in find_candidates(context.store, ScoutQuery(country="EE"),
                                              weights=W)}
    assert found[linked["id"]].raw["impact"] == 1 and found[plain["id"]].raw["impact"] == 0


@pytest.mark.parametrize("text", ["Bildung", "haridus", "onderwijs", "education",
                                  "éducation", "EDUCATION", "Haridus"])
def test_concept_labels_match_in_every_language(context: NodeContext, publish: Publish,
                                                text: str) -> None:
    # written only in Dutch; the theme carries the labels of the other languages
    dutch_only = {"problem": None, "approach": None, "results": None, "impact": None,
                  "transferPotential": None, "partners": None, "regions": None,
                  "countries": ["country:NLD"], "targetGroups": ["tg:families"],
                  "leadOrganisation": {"type": "Organization", "legalName": "Stichting Buurt"}}
    tagged = publish(name={"nl": "Huiswerkklas in de buurt"},
                     description={"nl": "Vrijwilligers helpen kinderen na school."},
                     themes=["theme:education"], sdgs=["sdg:10"], **dutch_only)
    untagged = publish(name={"nl": "Energiecoaches"},
                       description={"nl": "Coaches bezoeken huishoudens."},
                       themes=["theme:housing"], sdgs=["sdg:7"], **dutch_only)
    found = ids(find_candidates(context.store, ScoutQuery(country="EE", q=text), weights=W))
    assert tagged["id"] in found
    assert untagged["id"] not in found


def test_diacritics_are_folded_in_record_text(context: NodeContext, publish: Publish) -> None:
    record = publish(name={"et": "Külaköögid"}, countries=["country:EST"])
    for text in ("kulakoogid", "Külaköögid", "KULAKÖÖGID"):
        found = ids(find_candidates(context.store, ScoutQuery(country="DE", q=text), weights=W))
        assert found == [record["id"]], text


def test_text_relevance_ranks_better_matches_first(context: NodeContext,
                                                   publish: Publish) -> None:
    strong = publish(name={"en": "Repair cafe repair repair"}, countries=["country:DEU"],
                     description={"en": "Repair everything at the repair cafe."}, **PLAIN)
    weak = publish(name={"en": "Neighbourhood meeting point"}, countries=["country:DEU"],
                   description={"en": "Sometimes people repair bicycles here."}, **PLAIN)
    found = find_candidates(context.store, ScoutQuery(country="EE", q="repair"),
                            weights=Weights(maturity=0, impact=0, transfer=0, partners=0,
                                            replications=0, recency=0))
    assert ids(found) == [strong["id"], weak["id"]]
    assert found[0].raw["relevance"] == 1.0 > found[1].raw["relevance"] > 0


def test_limit_and_no_match(context: NodeContext, publish: Publish) -> None:
    for index in range(4):
        publish(name={"en": f"Initiative {index}"}, countries=["country:DEU"])
    assert len(find_candidates(context.store, ScoutQuery(country="EE", limit=3),
                               weights=W)) == 3
    assert find_candidates(context.store, ScoutQuery(country="EE", q="zzzqqq"), weights=W) == []
    assert find_candidates(context.store, ScoutQuery(country="EE", sdg="sdg:13"),
                           weights=W) == []


def test_methods_are_searchable(context: NodeContext, publish: Publish) -> None:
    measuring = publish("Method")  # "Wirkungstreppe", typed impact measurement
    other = publish("Method", name={"en": "Mentoring circles"},
                    description={"en": "Peer mentoring for founders."},
                    methodTypes=["mt:mentoring"], approach=None, results=None)
    publish(countries=["country:DEU"])  # an initiative never shows up among methods
    for text in ("Wirkungsmessung", "impact measurement", "mõju hindamine", "impactmeting"):
        found = find_candidates(context.store, ScoutQuery(kind="Method", q=text), weights=W)
        assert ids(found) == [measuring["id"]], text
    typed = find_candidates(context.store, ScoutQuery(kind="Method", method_type="mt:mentoring"),
                            weights=W)
    assert ids(typed) == [other["id"]]
    every = find_candidates(context.store, ScoutQuery(kind="Method"), weights=W)
    assert set(ids(every)) == {measuring["id"], other["id"]}
    assert set(every[0].factors) == {"relevance", "impact", "transfer", "recency"}


def test_similar_finds_records_sharing_concepts_in_other_countries(
        context: NodeContext, publish: Publish) -> None:
    source = publish(countries=["country:DEU"], sdgs=["sdg:4", "sdg:10"],
                     themes=["theme:education"], targetGroups=["tg:children"])
    close = publish(countries=["country:NLD"], sdgs=["sdg:4", "sdg:10"],
                    themes=["theme:education"], targetGroups=["tg:youth"])
    far = publish(countries=["country:EST"], sdgs=["sdg:4"], themes=["theme:housing"],
                  targetGroups=["tg:youth"])
    publish(countries=["country:DEU"], sdgs=["sdg:4", "sdg:10"], themes=["theme:education"],
            targetGroups=["tg:children"])  # same country: not "elsewhere"
    publish(countries=["country:LUX"], sdgs=["sdg:13"], themes=["theme:housing"],
            targetGroups=["tg:youth"])  # nothing shared
    weights = Weights(maturity=0, impact=0, transfer=0, partners=0, replications=0, recency=0)
    found = find_similar(context.store, source["id"], weights=weights, limit=10)
    lux = found[-1]
    # the same example text everywhere: content alike for all, concepts decide the order
    assert ids(found)[:2] == [close["id"], far["id"]] and lux.details["sharedConcepts"] == 0
    assert found[0].details["sharedConcepts"] == 3 and found[1].details["sharedConcepts"] == 1
    with pytest.raises(NotFound):
        find_similar(context.store, "http://127.0.0.1:8470/initiatives/nope", weights=W,
                     limit=5)
