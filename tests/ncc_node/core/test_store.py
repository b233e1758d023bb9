"""The store (SQLite, or PostgreSQL with NCC_TEST_DATABASE): sequence, feed, compare-and-swap,
indexes, transactions, concurrency."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest

from ncc_node.errors import Conflict, StoreError
from ncc_node.jsonbody import dump_body
from ncc_node.store import PeerState, RecordFilter, SqliteStore, Store, fts_query, open_store
from ncc_node.store.derive import facet_values
from ncc_node.store.recordrow import record_columns
from ncc_node.store.schema import MIGRATIONS
from tests import processes
from tests.databases import TEST_DATABASE, sqlite_only, test_database
from vocab import example

BASE = "https://ncc-de.example.org"


# texts that name no concept, so nothing is inferred from them
NEUTRAL = {"name": {"en": "Kiosk"}, "description": {"en": "A kiosk in the square."},
           "problem": None, "approach": None, "results": None, "impact": None,
           "transferPotential": None}


def record(n: int = 0, **changes: Any) -> dict[str, Any]:
    """An initiative (unsigned is fine: the store does not verify) with a fresh id."""
    data = example("initiative.jsonld")
    data["id"] = f"{BASE}/initiatives/{uuid.UUID(int=n + 1)}"
    data.update(changes)
    return data


def put(store: Store, data: dict[str, Any], **options: Any) -> Any:
    return store.put(data, dump_body(data), **options)


@pytest.fixture
def store(tmp_path: Path) -> Any:
    opened = open_store(test_database(tmp_path))
    yield opened
    opened.close()


def test_every_write_takes_the_next_sequence_number(store: Store) -> None:
    seqs = [put(store, record(n)).seq for n in range(3)]
    assert seqs == [1, 2, 3]
    again = put(store, record(0, version=4))
    assert again.seq == 4 and store.last_seq() == 4
    # the feed shows each record once, in its latest state, in sequence order
    changes = store.changes(0, 10)
    assert [seq for seq, _ in changes] == [2, 3, 4]
    assert json.loads(changes[-1][1])["version"] == 4
    assert store.changes(3, 10) == [(4, store.get(record(0)["id"]).body)]


def test_body_is_stored_byte_for_byte(store: Store) -> None:
    data = record()
    body = json.dumps(data, indent=1, ensure_ascii=True).encode()
    stored = store.put(data, body)
    assert store.get(data["id"]).body == body == stored.body
    assert stored.etag.startswith('"3-')


def test_compare_and_swap(store: Store) -> None:
    with pytest.raises(Conflict, match="expected version 2, found none"):
        put(store, record(), expect_version=2)
    put(store, record(), expect_version=0)
    with pytest.raises(Conflict, match="expected version 0, found 3"):
        put(store, record(), expect_version=0)
    assert store.last_seq() == 1, "a refused write must not consume a sequence number"
    # refused inside a transaction that goes on: the held record and its indexes are intact,
    # and the next write takes the next number
    with store.write() as writer:
        with pytest.raises(Conflict, match="expected version 0, found 3"):
            writer.put(record(), dump_body(record()), expect_version=0)
        writer.put(record(1), dump_body(record(1)), expect_version=0)
    assert store.get(record(1)["id"]).seq == 2 and store.last_seq() == 2
    assert store.get(record()["id"]).seq == 1
    assert store.count(RecordFilter(kind="Initiative", q="Lernbrücke")) == 2


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    put(store, record(0))
    with pytest.raises(RuntimeError), store.write() as writer:
        writer.put(record(1), dump_body(record(1)))
        writer.save_peer(PeerState("http://127.0.0.1:9", cursor="s5"))
        raise RuntimeError("crash between writes")
    assert store.get(record(1)["id"]) is None
    assert store.peers() == []
    assert store.last_seq() == 1
    assert store.count(RecordFilter(kind="Initiative")) == 1


def test_tombstones_replace_records(store: Store) -> None:
    put(store, record())
    tombstone = {"@context": example("tombstone.jsonld")["@context"], "id": record()["id"],
                 "type": "Tombstone", "origin": f"{BASE}/node", "version": 4,
                 "modified": "2026-04-01T00:00:00Z", "formerType": "Initiative",
                 "deleted": "2026-04-01T00:00:00Z"}
    stored = put(store, tombstone)
    assert stored.deleted and stored.kind == "Initiative"
    assert store.count(RecordFilter(kind="Initiative")) == 0
    assert store.count(RecordFilter(kind="Initiative", include_deleted=True)) == 1
    assert store.count(RecordFilter(kind="Initiative", q="Lernpatenschaften")) == 0
    assert len(store.changes(0, 10)) == 1


def test_full_text_folds_diacritics_and_covers_all_languages(store: Store) -> None:
    put(store, record())
    def hits(text: str) -> int:
        return store.count(RecordFilter(kind="Initiative", q=text))
    assert hits("Lernbrücke") == hits("lernbrucke") == hits("LERNBRUCKE") == 1
    assert hits("mentorships") == 1  # English text
    assert hits("mentor") == 1  # the last word matches as a prefix
    assert hits("Bildung") == hits("haridus") == hits("onderwijs") == 1  # concept labels
    assert hits("Lernbrücke astronomy") == 0  # every word must match
    # FTS5 syntax in user text is quoted away: no error, just words that do not occur
    assert fts_query('" NEAR zzqx --') == '"near" AND "zzqx"*'
    assert hits('" OR 1=1 --') == 0 and hits("text:* NEAR(a b)") == 0
    assert fts_query("!!!") is None
    assert hits("!!!") == 1  # no usable words: no text filter


def test_concept_labels_match_at_query_time_not_in_the_text(store: Store) -> None:
    """The index holds a token per concept; a word of any label finds the concept's records."""
    put(store, record())  # tagged theme:education (labels Bildung, haridus, onderwijs ...)
    put(store, record(1, themes=["theme:health-care"], sdgs=["sdg:3"],
                      targetGroups=["tg:older-people"], **NEUTRAL))
    def hits(text: str) -> int:
        return store.count(RecordFilter(kind="Initiative", q=text))
    if TEST_DATABASE is None:
        stored = store._reader.execute(  # type: ignore[attr-defined]
            "SELECT count(*) FROM record_text WHERE record_text MATCH "
            "'bildung OR haridus OR onderwijs'").fetchone()[0]
    else:
        stored = store._reader.execute(  # type: ignore[attr-defined]
            "SELECT count(*) FROM record_text WHERE doc @@ "
            "'bildung | haridus | onderwijs'::tsquery").fetchone()[0]
    assert stored == 0  # no label is copied into a record's text ...
    assert hits("haridus") == hits("ONDERWIJS") == 1  # ... yet both find it
    assert hits("Gesundheitsversorgung") == hits("tervishoid") == hits("eakad") == 1
    assert hits("gesundheit") == 1  # an alternative label (folded), not only the preferred one
    # the last word matches as a prefix of the record's own (analysed) words
    assert hits("Lernpaten") == 1 and hits("Lernpaten zzqx") == 0
    query = fts_query("haridus")
    assert query is not None and query.startswith('("haridus"* OR "')
    assert 'concepts : "ncc' in query and 'concepts : "nci' in query


def v1_database(path: Path, records: list[dict[str, Any]]) -> None:
    """A database as schema version 1 wrote it: text facets, concept labels in the text."""
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    for seq, data in enumerate(records, start=1):
        body = dump_body(data)
        columns = {**record_columns(data, body), "seq": seq, "received_at": "2026-01-01T00:00:00Z"}
        names = [c for c in columns]
        rowid = conn.execute(f"INSERT INTO records ({', '.join(names)}) VALUES "
                             f"({', '.join('?' for _ in names)})",
                             [columns[c] for c in names]).lastrowid
        pairs = [*facet_values(data), ("origin", data["origin"])]
        conn.executemany("INSERT INTO facets (facet, value, record) VALUES (?, ?, ?)",
                         [(f"Initiative/{f}", v, rowid) for f, v in pairs])
        conn.execute("INSERT INTO record_text (rowid, text) VALUES (?, 'Bildung haridus')",
                     (rowid,))
    conn.execute(f"UPDATE counters SET value = {len(records)} WHERE name = 'seq'")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


@sqlite_only
def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    """Schema 1 → 3: text re-derived without labels, facets moved to integer postings."""
    path = tmp_path / "old.db"
    v1_database(path, [record(0), record(1, themes=["theme:health-care"], sdgs=["sdg:3"],
                                          **NEUTRAL)])
    store = SqliteStore(path)
    try:
        def hits(**where: Any) -> int:
            return store.count(RecordFilter(kind="Initiative", **where))
        assert hits(q="haridus") == 1 and hits(q="Lernbrücke") == 2
        assert hits(theme="https://w3id.org/ncc/concepts/theme/health-care") == 1
        assert hits(sdg="http://metadata.un.org/sdg/4") == 1
        texts = store._reader.execute("SELECT name || description || body || concepts FROM "
                                      "record_text").fetchall()
        assert len(texts) == 2 and all("haridus" not in t and "ncc" in t for (t,) in texts)
        assert store._reader.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
        put(store, record(2, themes=["theme:health-care"]))  # keys are reused, not duplicated
        assert hits(theme="https://w3id.org/ncc/concepts/theme/health-care") == 2
        assert store._reader.execute(
            "SELECT count(*) FROM facet_keys GROUP BY facet, value HAVING count(*) > 1"
        ).fetchall() == []
    finally:
        store.close()


def test_facet_keys_of_a_rolled_back_write_are_not_reused(store: Store) -> None:
    """A new (facet, value) pair inserted by a transaction that fails is not cached."""
    with pytest.raises(RuntimeError):
        with store.write() as writer:
            data = record(0, themes=["theme:health-care"])
            writer.put(data, dump_body(data))
            raise RuntimeError("fail after the write")
    put(store, record(1, themes=["theme:health-care"]))
    assert store.count(RecordFilter(
        kind="Initiative", theme="https://w3id.org/ncc/concepts/theme/health-care")) == 1


def test_facets_filter_with_full_iris(store: Store) -> None:
    put(store, record(0))
    put(store, record(1, sdgs=["sdg:13"], stage="maturity:idea", countries=["country:EST"]))
    def ids(**facets: str) -> int:
        return store.count(RecordFilter(kind="Initiative", **facets))
    assert ids(sdg="http://metadata.un.org/sdg/4") == 1
    assert ids(sdg="http://metadata.un.org/sdg/13") == 1
    assert ids(stage="https://w3id.org/ncc/concepts/stage/idea") == 1
    assert ids(country="http://publications.europa.eu/resource/authority/country/EST",
               sdg="http://metadata.un.org/sdg/13") == 1
    assert ids(country="http://publications.europa.eu/resource/authority/country/EST",
               sdg="http://metadata.un.org/sdg/4") == 0
    assert ids(theme="https://w3id.org/ncc/concepts/theme/education") == 2
    assert store.count(RecordFilter(kind="Method")) == 0


def test_keyset_pagination_is_stable_under_writes(store: Store) -> None:
    for n in range(25):
        put(store, record(n))
    seen: list[str] = []
    after = None
    for page_number in range(100):  # bounded: 25 records + 4 inserts need 5 pages
        page = store.list_records(RecordFilter(kind="Initiative"), after=after, limit=7)
        if not page:
            break
        seen.extend(r.id for r in page)
        after = page[-1].id
        if page_number < 4:  # concurrent activity between pages: updates and new records
            put(store, record(page_number, version=10 + page_number))
            put(store, record(100 + page_number))
    else:
        pytest.fail("pagination did not terminate")
    originals = {record(n)["id"] for n in range(25)}
    assert len(seen) == len(set(seen)), "a record was listed twice"
    assert originals <= set(seen), "a record that existed throughout was skipped"


def test_reindex_rebuilds_identical_indexes(store: Store) -> None:
    for n in range(5):
        put(store, record(n, sdgs=[f"sdg:{n + 1}"]))
    sql = store._reader.execute  # type: ignore[attr-defined]  # a connection of its own
    def snapshot() -> tuple[list[Any], list[Any]]:
        facets = sql("SELECT facet, value, record FROM facets ORDER BY 1, 2, 3")
        texts = sql("SELECT rowid, name, description, body, concepts FROM "
                    "record_text ORDER BY rowid")
        return [tuple(r) for r in facets.fetchall()], [tuple(r) for r in texts.fetchall()]
    before = snapshot()
    sql("DELETE FROM facet_postings")
    assert snapshot() != before
    assert store.reindex() == 5
    assert snapshot() == before


def test_identifier_lookup_and_descriptor_keys(store: Store) -> None:
    put(store, record(0))
    found = store.find_by_identifier(f"{BASE}/node", "updatedeutschland-2021-0142")
    assert found is not None and found.id == record(0)["id"]
    assert store.find_by_identifier(f"{BASE}/node", "nope") is None
    node = example("node.jsonld")
    put(store, node)
    assert store.descriptor(node["id"]) is not None
    assert store.descriptor(record(0)["id"]) is None


def test_tokens_peers_and_quarantine(store: Store) -> None:
    token = store.add_token("ops", "h" * 64, ["write"])
    found = store.token_by_hash("h" * 64)
    assert found is not None and (found.id, found.scopes) == (token.id, frozenset({"write"}))
    assert found.last_used is not None and store.tokens()[0].last_used == found.last_used
    with pytest.raises(Conflict):
        store.add_token("ops", "x" * 64, ["write"])
    assert store.revoke_token("ops") and not store.revoke_token("ops")
    assert store.token_by_hash("h" * 64) is None
    # with an actor, each change writes its audit row in the same transaction; a failed one none
    store.add_token("crm", "c" * 64, ["admin", "write"], actor="user:ann")
    with pytest.raises(Conflict):
        store.add_token("crm", "d" * 64, ["write"], actor="user:ann")
    assert store.revoke_token("crm", actor="user:ann")
    assert not store.revoke_token("crm", actor="user:ann")
    assert [(e.actor, e.action, e.detail) for e in store.audit_log()] == [
        ("user:ann", "token.revoke", "crm"), ("user:ann", "token.create", "crm (admin, write)")]
    with store.write() as writer:
        writer.save_peer(PeerState("http://127.0.0.1:1", cursor="s9", counts={"accepted": 3}))
        qid = writer.quarantine(peer="http://127.0.0.1:1", record_id="x", reason="bad_signature",
                                detail="does not verify", body=b"{}")
    assert store.peers()[0].counts == {"accepted": 3}
    entry = store.quarantined()[0]
    assert (entry.id, entry.reason, entry.body) == (qid, "bad_signature", b"{}")


@sqlite_only
def test_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    SqliteStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteStore(path)


def test_readers_and_writers_in_threads(store: Store) -> None:
    errors: list[BaseException] = []
    def writer(offset: int) -> None:
        try:
            for n in range(40):
                put(store, record(offset + n))
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
    def reader() -> None:
        try:
            for _ in range(200):
                store.changes(0, 50)
                store.count(RecordFilter(kind="Initiative", q="Lernbrücke"))
        except BaseException as exc:
            errors.append(exc)
    threads = [threading.Thread(target=writer, args=(k * 1000,)) for k in range(3)]
    threads += [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert store.last_seq() == 120
    assert [s for s, _ in store.changes(0, 200)] == list(range(1, 121))


WRITER = """
import json, sys, uuid
from ncc_node.store import open_store
from vocab import example
store = open_store(sys.argv[1])
for n in range(int(sys.argv[2])):
    data = example("initiative.jsonld")
    data["id"] = "https://ncc-de.example.org/initiatives/" + str(uuid.uuid4())
    store.put(data, json.dumps(data).encode())
store.close()
"""


def test_two_processes_write_without_locking_errors(store: Store, tmp_path: Path) -> None:
    procs = [processes.start([sys.executable, "-c", WRITER, str(test_database(tmp_path)), "60"],
                             stderr=subprocess.PIPE) for _ in range(2)]
    for n in range(60):
        put(store, record(n))
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    assert store.last_seq() == 180
    assert len({s for s, _ in store.changes(0, 500)}) == 180


def test_count_matches_what_paging_lists(store: Store) -> None:
    # count() is index-driven; it must agree with an exhaustive walk for every filter shape
    stages = ["maturity:idea", "maturity:pilot", "maturity:proven"]
    for n in range(30):
        put(store, record(n, sdgs=[f"sdg:{1 + n % 4}"], stage=stages[n % 3],
                          countries=["country:DEU" if n % 2 else "country:EST"],
                          name={"de": f"Projekt {'Nachbarschaft' if n % 5 == 0 else 'Schule'}"}))
    method = example("method.jsonld")
    put(store, method)
    deleted = record(3)
    put(store, dict(deleted, type="Tombstone", formerType="Initiative", version=9,
                    deleted="2026-01-01T00:00:00Z"))
    sdg = "http://metadata.un.org/sdg/"
    filters = [
        RecordFilter(kind="Initiative"),
        RecordFilter(kind="Initiative", include_deleted=True),
        RecordFilter(kind="Initiative", sdg=sdg + "2"),
        RecordFilter(kind="Initiative", sdg=sdg + "2",
                     stage="https://w3id.org/ncc/concepts/stage/pilot"),
        RecordFilter(kind="Initiative", q="Nachbarschaft"),
        RecordFilter(kind="Initiative", q="Nachbarschaft", sdg=sdg + "1"),
        RecordFilter(kind="Initiative", origin=f"{BASE}/node", sdg=sdg + "3"),
        RecordFilter(kind="Initiative", origin="https://elsewhere.example.org/node"),
        RecordFilter(kind="Method", sdg=sdg + "8"),
        RecordFilter(kind="Method", q="Wirkungstreppe"),
        RecordFilter(kind="Initiative", q="Wirkungstreppe"),
    ]
    for where in filters:
        listed, after = [], None
        for _ in range(100):
            page = store.list_records(where, after=after, limit=4)
            if not page:
                break
            listed.extend(page)
            after = page[-1].id
        assert store.count(where) == len(listed), where
    # n = 3, 7, ..., 27 carry SDG 4; n = 3 is deleted
    assert store.count(RecordFilter(kind="Initiative", sdg=sdg + "4")) == 6


def test_find_by_identifiers_batches(store: Store) -> None:
    for n in range(3):
        put(store, record(n, identifier=f"ext-{n}"))
    found = store.find_by_identifiers(f"{BASE}/node", ["ext-0", "ext-2", "ext-9", "ext-0"])
    assert sorted(found) == ["ext-0", "ext-2"]
    assert found["ext-2"].id == record(2)["id"]
    assert store.find_by_identifiers("https://elsewhere.example.org/node", ["ext-0"]) == {}
    many = [f"missing-{n}" for n in range(1200)] + ["ext-1"]  # more than one SQL chunk
    assert list(store.find_by_identifiers(f"{BASE}/node", many)) == ["ext-1"]


def test_counts_and_lists_leave_out_hidden_and_deleted_records(store: Store) -> None:
    """Every count agrees with the list it counts, whatever the filter, with records hidden
    (one by id, the rest of an origin) and deleted: the unfiltered count counts the origin
    postings, a filtered list relies on the index having no entries for them."""
    from ncc_node.store import Hidden

    themed = {"themes": ["theme:health-care"]}
    ids = [put(store, record(n, **themed)).id for n in range(6)]
    other = f"https://ncc-ee.example.org/initiatives/{uuid.UUID(int=99)}"
    put(store, record(7, id=other, origin="https://ncc-ee.example.org/node", **themed))
    gone = record(1, **themed)
    gone.update(version=2, type="Tombstone", formerType="Initiative")
    for key in ("name", "description", "themes"):
        gone.pop(key, None)
    with store.write() as writer:
        writer.hide(Hidden(ids[2], "record", "spam", True, None, "2026-12-07T10:00:00Z"))
        writer.hide(Hidden("https://ncc-ee.example.org/node", "origin", "spam", True, None,
                           "2026-12-07T10:00:00Z"))
    store.put(gone, dump_body(gone))
    wanted = [i for i in ids if i not in (ids[1], ids[2])]
    for where in (RecordFilter(kind="Initiative"),
                  RecordFilter(kind="Initiative",
                               theme="https://w3id.org/ncc/concepts/theme/health-care"),
                  RecordFilter(kind="Initiative", q="Lernbrücke"),
                  RecordFilter(kind="Initiative", origin=f"{BASE}/node")):
        listed = [r.id for r in store.list_records(where, after=None, limit=50)]
        assert sorted(listed) == sorted(wanted), where
        assert store.count(where) == len(wanted), where
