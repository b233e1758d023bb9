"""The two backends agree: the same records give the same bytes, feed, lists, counts, digests,
scouting candidates and bm25 scores on SQLite and on PostgreSQL (NCC_TEST_DATABASE)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ncc_node.errors import Conflict
from ncc_node.records.digest import digest_lines, hash_lines
from ncc_node.scout import ScoutQuery, Weights, find_candidates, find_similar
from ncc_node.store import (
    Criteria,
    Hidden,
    RecordFilter,
    SqliteStore,
    Store,
    User,
    WordMatch,
    open_store,
)
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


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[tuple[Store, Store]]:
    """Two new stores holding the same first 20 records (for tests that change them)."""
    lite, pg = SqliteStore(tmp_path / "node.db"), open_store(test_database(tmp_path))
    for store in (lite, pg):
        for line in RECORDS.read_bytes().splitlines()[:20]:
            store.put(json.loads(line), line)
    yield lite, pg
    lite.close()
    pg.close()


def test_hiding_agrees(fresh: tuple[Store, Store]) -> None:
    """Hiding a record and an origin drops the same index entries, leaves the same rows out of
    the relayed feed, and survives a reindex and a later put alike; unhiding restores them."""
    lite, _ = fresh
    ids = [json.loads(b)["id"] for _, b in lite.changes(0, 100)]
    origin = json.loads(lite.changes(0, 1)[0][1])["origin"]
    everything = RecordFilter(kind="Initiative")

    def seen(s: Store) -> Any:
        return (s.count(everything), s.count(RecordFilter(kind="Initiative", q="migration")),
                [r.id for r in s.list_records(everything, after=None, limit=50)],
                [seq for seq, _ in s.changes(0, 100, relayed_only=True)],
                [c.record["id"] for c in find_candidates(s, ScoutQuery(country="LU",
                                                                       q="migration integration"),
                                                         weights=Weights())],
                s.candidates.replications(ids[:5]), s.moderation_version(),
                s.candidates.analysed_text(ids[2]) is not None)

    before = same(fresh, seen)
    for store in fresh:
        with store.write() as writer:
            assert writer.hide(Hidden(ids[2], "record", "spam", False, "user:ann",
                                      "2026-12-07T10:00:00Z")) == 1
    one = same(fresh, seen)
    assert before[7] and not one[7] and len(one[3]) == len(before[3]) - 1
    same(fresh, lambda s: (s.hidden(), s.hidden_entry(ids[2], origin)))
    for store in fresh:
        with store.write() as writer:  # replaces the entry: relaying allowed now
            writer.hide(Hidden(ids[2], "record", "junk", True, "user:bob",
                               "2026-12-07T11:00:00Z"))
            writer.hide(Hidden(origin, "origin", "a peer's spam", True, None,
                               "2026-12-07T12:00:00Z"))
    hidden = same(fresh, seen)
    assert hidden[1] == 0 and hidden[4] == [] and hidden[3] == before[3]
    assert same(fresh, lambda s: [h.reason for h in s.hidden()]) == ["a peer's spam", "junk"]
    line = RECORDS.read_bytes().splitlines()[30]
    for store in fresh:
        store.put(json.loads(line), line)  # a new record of the hidden origin: not indexed
        assert store.reindex() == 21
    after = same(fresh, seen)
    assert after[1] == 0 and after[4] == [] and not after[7]
    new = json.loads(line)["id"]
    assert same(fresh, lambda s: s.candidates.analysed_text(new)) is None
    for store in fresh:
        with store.write() as writer:
            assert writer.unhide(origin) == 21
            assert writer.unhide("https://nowhere.example/node") == 0
    back = same(fresh, seen)
    assert back[1] == before[1] and back[4] == before[4] and back[6] == 4
    assert not back[7]  # its own entry still hides it


def test_drafts_review_queue_accounts_and_audit_agree(fresh: tuple[Store, Store]) -> None:
    for store in fresh:
        with store.write() as writer:
            draft = writer.save_draft(kind="Initiative", record_id=None, base_version=0,
                                      payload={"name": {"en": "Draft ä"}}, author="user:ann")
            writer.save_draft(kind="Initiative", record_id="urn:x", base_version=2,
                              payload={"name": {"en": "Other"}}, author=None)
            writer.save_draft(kind="Initiative", record_id=None, base_version=0,
                              payload={"name": {"en": "Second"}}, author="user:bob",
                              draft_id=draft.id, expect_revision=1)
            assert writer.hold("Initiative", {"identifier": "ext-1", "n": 1},
                               [("spam", "links")], "import:x.csv") == "held"
            assert writer.hold("Initiative", {"identifier": "ext-1", "n": 1},
                               [("spam", "links")], "import:x.csv") == "unchanged"
            assert writer.decide_held("ext-1", "rejected", decision="spam", by="user:ann")
            assert writer.hold("Initiative", {"identifier": "ext-1", "n": 2},
                               [], "import:x.csv") == "rejected"
            writer.audit(actor="user:ann", action="draft.save", detail="ä")
        with pytest.raises(Conflict), store.write() as writer:
            writer.save_draft(kind="Initiative", record_id="urn:x", base_version=2,
                              payload={}, author=None)
        with pytest.raises(Conflict), store.write() as writer:
            writer.save_draft(kind="Initiative", record_id=None, base_version=0, payload={},
                              author=None, draft_id=draft.id, expect_revision=1)
        with store.write() as writer:
            assert writer.delete_draft(draft.id) and not writer.delete_draft(draft.id)
        ann = store.add_user(User(0, "ann", "editor", "2026-12-07T10:00:00Z",
                                  email="ann@example.eu", password_hash="h"))
        store.add_user(User(0, "bob", "admin", "2026-12-07T10:00:00Z"))
        with pytest.raises(Conflict):
            store.add_user(User(0, "ann@example.eu", "editor", "2026-12-07T10:00:00Z"))
        store.update_user(ann.id, end_sessions=True, role="admin")
        store.note_sign_in_failure(["name:bob", "address:1"], at="2026-12-07T10:00:00Z",
                                   forget_before="2026-12-07T09:00:00Z")
        assert store.node_secret("session", lambda: "first") == "first"
        assert store.node_secret("session", lambda: "second") == "first"

    def strip_times(items: list[Any], *names: str) -> list[Any]:
        return [{k: v for k, v in vars(i).items() if k not in names} for i in items]

    same(fresh, lambda s: strip_times(s.drafts(), "created", "updated"))
    same(fresh, lambda s: strip_times([s.draft_of("urn:x")], "created", "updated"))
    same(fresh, lambda s: strip_times(s.held_records(None), "held_at", "decided_at"))
    same(fresh, lambda s: (s.held_records(), s.draft(2**70), s.quarantine_entry(2**70)))
    same(fresh, lambda s: (s.users(), s.user(name="ann@example.eu"), s.user(user_id=2)))
    same(fresh, lambda s: s.sign_in_failures("name:bob", since="2026-12-07T00:00:00Z"))
    same(fresh, lambda s: strip_times(s.audit_log(), "at"))
