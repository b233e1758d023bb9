"""The two backends agree: the same records give the same bytes, feed, lists, counts, digests,
scouting candidates and bm25 scores on SQLite and on PostgreSQL (NCC_TEST_DATABASE)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ncc_node.records.digest import digest_lines, hash_lines
from ncc_node.scout import ScoutQuery, Weights, find_candidates, find_similar
from ncc_node.store import Criteria, RecordFilter, SqliteStore, Store, WordMatch, open_store
from tests.databases import postgres_only, test_database

RECORDS = Path(__file__).parents[2] / "data" / "old-records" / "de-records.jsonl"
THEME = "https://w3id.org/ncc/concepts/theme/"
COUNTRY = "http://publications.europa.eu/resource/authority/country/"
pytestmark = postgres_only


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, Store]]:
    folder = tmp_path_factory.mktemp("backends")
    lite, pg = SqliteStore(folder / "node.db"), open_store(test_database(folder))
    lines = RECORDS.read_bytes().splitlines()
    for store in (lite, pg):
        for number, line in enumerate(lines):
            data = json.loads(line)
            if number % 7 == 3:  # some records written twice: a new seq for the same id
                store.put(data, line)
            store.put(data, line, received_from="https://ncc-ee.example.org")
    yield lite, pg
    lite.close()
    pg.close()


def same(both: tuple[Store, Store], call: Any) -> Any:
    """Call ``call`` on both stores, assert equal results, return SQLite's."""
    lite, pg = both
    left, right = call(lite), call(pg)
    assert left == right
    return left


def strip(records: list[Any]) -> list[Any]:
    """Records without their reception time (each store wrote at its own moment)."""
    return [(r.id, r.seq, r.body, r.etag, r.version, r.deleted) for r in records]


def test_bytes_feed_and_digests(both: tuple[Store, Store]) -> None:
    changes = same(both, lambda s: s.changes(0, 1000))
    assert len(changes) == 52 and same(both, lambda s: s.last_seq()) > 52
    for _, body in changes[:10]:
        record_id = json.loads(body)["id"]
        assert same(both, lambda s: s.get(record_id).body) == body  # noqa: B023
    origin = json.loads(changes[0][1])["origin"]
    same(both, lambda s: s.origin_digests())
    same(both, lambda s: s.bucket_digests(origin))
    same(both, lambda s: s.digest_index(origin, "a", after=None, limit=5))
    same(both, lambda s: hash_lines(digest_lines(s)))  # what `ncc digest` prints


@pytest.mark.parametrize("where", [
    {}, {"q": "migration"}, {"q": "Schule Familien"}, {"q": "haridus"}, {"q": "Lernpat"},
    {"theme": THEME + "migration-integration"}, {"country": COUNTRY + "DEU", "q": "health"},
    {"q": "zzqx"}, {"q": "_"},
])
def test_lists_and_counts(both: tuple[Store, Store], where: dict[str, str]) -> None:
    query = RecordFilter(kind="Initiative", **where)
    same(both, lambda s: s.count(query))
    pages = same(both, lambda s: strip(s.list_records(query, after=None, limit=7)))
    if pages:
        same(both, lambda s: strip(s.list_records(query, after=pages[-1][0], limit=7)))


@pytest.mark.parametrize("text", ["migration integration", "health kiosk", "Schule Familien",
                                  "refugees apprenticeship craft", "töötus", "garden", "Lernpat"])
def test_scouting_candidates_and_scores(both: tuple[Store, Store], text: str) -> None:
    """The whole of scouting (pool, bm25, scores) returns the same on both backends."""
    query = ScoutQuery(country="LU", q=text)
    found = same(both, lambda s: [(c.record["id"], c.score, c.factors)
                                  for c in find_candidates(s, query, weights=Weights())])
    assert found


def test_candidate_index_reads(both: tuple[Store, Store]) -> None:
    lite, _ = both
    criteria = Criteria("Initiative", require=((("theme", THEME + "migration-integration"),),),
                        exclude=(("country", COUNTRY + "LUX"),))
    same(both, lambda s: [r.id for r in s.candidates.newest(criteria, limit=5)])
    words = [WordMatch(terms=("famili",), prefix="schul"), WordMatch(phrases=(("job", "search"),))]
    hits = same(both, lambda s: [(r.id, h) for r, h in s.candidates.text_matches(
        criteria, words, window=100, limit=10, column_weights=(4.0, 2.0, 1.0, 2.0))])
    assert hits
    same(both, lambda s: s.candidates.document_counts(["famili", "schul", "zzqx"]))
    target = json.loads(lite.changes(0, 5)[3][1])["id"]
    same(both, lambda s: s.candidates.analysed_text(target))
    same(both, lambda s: [(r.id, n) for r, n in s.candidates.sharing(
        Criteria("Initiative"), [("theme", THEME + "migration-integration")], limit=5)])
    same(both, lambda s: s.candidates.ids_with("Initiative", "theme",
                                               THEME + "migration-integration"))
    ids = [json.loads(b)["id"] for _, b in lite.changes(0, 60)]
    same(both, lambda s: s.candidates.replications(ids))
    same(both, lambda s: [(c.record["id"], c.score) for c in find_similar(
        s, target, weights=Weights(), limit=5)])
    same(both, lambda s: sorted(s.facet_counts_by_origin("Initiative")))
    same(both, lambda s: s.records_by_origin("Initiative"))
