"""The store answers scouting's indexed questions (CandidateIndex); the policy decides the rest.

Real signed records on a real node and SQLite store: criteria with alternatives and exclusions,
a stage filter that holds beside text, constant SQL, and cross-language expansion through the
bundled EuroVoc.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from ncc_node.context import NodeContext
from ncc_node.records import MINTED
from ncc_node.scout import ScoutQuery, Weights, find_candidates
from ncc_node.scout.pools import FIELD_WEIGHTS
from ncc_node.store import Criteria, Hidden, WordMatch, candidate_sql, posting_cache
from tests.databases import sqlite_only

from .conftest import Publish
from .test_relevance import BARE, case, ids

W = Weights()
EDU = "https://w3id.org/ncc/concepts/theme/education"
NLD = "http://publications.europa.eu/resource/authority/country/NLD"


def test_criteria_groups_alternatives_and_exclusions(context: NodeContext,
                                                     publish: Publish) -> None:
    tagged = case(publish, "Lernpaten", "Mentoring for pupils.", themes=["theme:education"])
    dutch = publish(name={"nl": "Leesclub"}, description={"en": "Mentoring for pupils."},
                    countries=["country:NLD"], **{**BARE, "themes": ["theme:education"]})
    about = case(publish, "Reading club", "A school and education project for pupils.")
    case(publish, "Repair café", "Fixing bikes together.")
    index = context.store.candidates
    tagged_only = Criteria("Initiative", ((("theme", EDU),),))
    assert {r.id for r in index.newest(tagged_only, limit=10)} == {tagged["id"], dutch["id"]}
    either = Criteria("Initiative", ((("theme", EDU), ("inferred_theme", EDU)),),
                      (("country", NLD),))
    assert {r.id for r in index.newest(either, limit=10)} == {tagged["id"], about["id"]}
    # newest first, bounded by the limit
    assert [r.id for r in index.newest(Criteria("Initiative"), limit=2)][0] != tagged["id"]
    assert len(index.newest(Criteria("Initiative"), limit=2)) == 2
    # a value no record carries: nothing, not everything
    nothing = Criteria("Initiative", ((("theme", EDU + "-none"),),))
    assert index.newest(nothing, limit=10) == []
    hits = index.text_matches(Criteria("Initiative"), [WordMatch(terms=("pupil",))],
                              window=100, limit=10, column_weights=FIELD_WEIGHTS)
    assert {r.id for r, _ in hits} == {tagged["id"], dutch["id"], about["id"]}
    assert all(hit.rank < 0 for _, hit in hits)
    phrase = index.text_matches(Criteria("Initiative"),
                                [WordMatch(phrases=(("fix", "bike"),))], window=100,
                                limit=10, column_weights=FIELD_WEIGHTS)
    assert len(phrase) == 1
    live, counts = index.document_counts(["pupil", "absent"])
    assert live >= 4 and counts == {"pupil": 3, "absent": 0}


def test_a_stage_filter_holds_beside_text(context: NodeContext, publish: Publish) -> None:
    pilot = case(publish, "Kiezlotsen", "Neighbourhood guides for newcomers.",
                 stage="maturity:pilot")
    established = case(publish, "Stadtteillotsen", "Neighbourhood guides for newcomers.",
                       stage="maturity:established")
    found = find_candidates(context.store, ScoutQuery(country="EE", q="neighbourhood guides",
                                                      stage="maturity:established"), weights=W)
    assert ids(found) == [established["id"]] and pilot["id"] not in ids(found)


@sqlite_only
def test_the_candidate_index_runs_constant_sql_only(context: NodeContext,
                                                    publish: Publish) -> None:
    case(publish, "Lernpaten", "Mentoring for pupils.", themes=["theme:education"])
    constants = {value for module in (candidate_sql, posting_cache)
                 for name, value in vars(module).items()
                 if name.startswith("_") and isinstance(value, str)}
    seen: list[str] = []
    conn = sqlite3.connect(context.store.path)

    class Recording:  # the connection as the index sees it, noting each statement's text
        def execute(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
            seen.append(sql)
            return conn.execute(sql, params)

        def create_function(self, *args: Any) -> None:
            conn.create_function(*args)

    recording: Any = Recording()
    index = candidate_sql.SqliteCandidateIndex(lambda: recording)
    try:
        for q in ("pupils", "Mentoring O'Brien \"quoted\"", ""):
            for criteria in (Criteria("Initiative", ((("theme", EDU), ("inferred_theme", EDU)),),
                                      (("country", NLD),)),
                             Criteria("Initiative", ((("theme", EDU),), (("sdg", EDU),))),
                             Criteria("Method")):
                index.newest(criteria, limit=5)
                index.text_matches(criteria, [WordMatch(terms=(q or "x",), prefix="men")],
                                   window=10, limit=5, column_weights=FIELD_WEIGHTS)
                index.sharing(criteria, [("theme", EDU)], limit=5)
                index.document_counts([q or "x", "pupil"])
        index.analysed_text("https://nowhere.example.org/initiatives/x")
        index.replications(["https://nowhere.example.org/initiatives/x"])
        index.ids_with("Method", "method_type", EDU)
    finally:
        conn.close()
    assert seen and not [sql for sql in seen if sql not in constants]


def test_eurovoc_labels_carry_a_query_across_languages(context: NodeContext,
                                                       publish: Publish) -> None:
    waste = case(publish, "Repair and reuse hub", "A neighbourhood centre for waste "
                 "management: households bring broken things, volunteers repair them.")
    case(publish, "Choir for all", "Singing together every week.")
    for query in ("Abfallwirtschaft", "jäätmehooldus", "gestion des déchets",
                  "beheer van afvalstoffen"):
        found = find_candidates(context.store, ScoutQuery(country="EE", q=query), weights=W)
        assert ids(found) == [waste["id"]], query
        snippet = found[0].details["snippet"]
        marked = [snippet["text"][a:b] for a, b in snippet["highlights"]]
        assert marked == ["waste", "management"], query


def test_held_postings_follow_writes_deletes_and_hiding(context: NodeContext,
                                                        publish: Publish) -> None:
    index = context.store.candidates
    education = Criteria("Initiative", ((("theme", EDU),),))
    words = [WordMatch(terms=("pupil",))]

    def newest() -> set[str]:
        return {r.id for r in index.newest(education, limit=10)}

    def by_text() -> set[str]:
        return {r.id for r, _ in index.text_matches(education, words, window=100, limit=10,
                                                    column_weights=FIELD_WEIGHTS)}

    first = case(publish, "Lernpaten", "Mentoring for pupils.", themes=["theme:education"])
    assert newest() == by_text() == {first["id"]}  # the postings are now held
    second = case(publish, "Lesepaten", "Reading with pupils.", themes=["theme:education"])
    assert newest() == by_text() == {first["id"], second["id"]}
    stored = context.store.get(first["id"])
    assert stored is not None
    changed = {k: v for k, v in first.items() if k not in MINTED}
    context.publisher.update(first["id"], {**changed, "themes": ["theme:health-care"]},
                             if_match=stored.etag)
    assert newest() == by_text() == {second["id"]}
    # hiding re-derives entries without a new sequence number (the 'moderation' counter)
    with context.store.write() as writer:
        writer.hide(Hidden(second["id"], "record", "spam", True, None, "2026-01-01T00:00:00Z"))
    assert newest() == by_text() == set()
    with context.store.write() as writer:
        writer.unhide(second["id"])
    assert newest() == by_text() == {second["id"]}
    context.publisher.delete(second["id"])
    assert newest() == by_text() == set()


@sqlite_only
def test_held_postings_are_read_again_after_a_reindex(context: NodeContext,
                                                      publish: Publish) -> None:
    """A reindex derives every record's entries again and hands out no sequence number: what
    a reader holds must not outlive it (the 'reindex' counter)."""
    record = case(publish, "Lernpaten", "Mentoring for pupils.", themes=["theme:education"])
    index = context.store.candidates
    education = Criteria("Initiative", ((("theme", EDU),),))
    words = [WordMatch(terms=("pupil",))]
    assert [r.id for r in index.newest(education, limit=5)] == [record["id"]]
    # the entries a reindex derives differ from those held (as after a change of the
    # derivation): here the stored body loses its theme, the sequence number stays
    body = json.dumps({**record, "themes": ["theme:health-care"]}).encode()
    with sqlite3.connect(context.store.path) as conn:
        conn.execute("UPDATE records SET body = ? WHERE id = ?", (body, record["id"]))
    conn.close()
    context.store.reindex()
    assert index.newest(education, limit=5) == []
    assert index.text_matches(education, words, window=100, limit=5,
                              column_weights=FIELD_WEIGHTS) == []
