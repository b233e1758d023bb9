"""Schema migrations from every earlier version, on both backends.

A database is built at version N by running migrations 1..N, records are written into it the
way that version's tables hold them, and the store opened on it must bring it to the current
version with everything derived again: text search, facets, descriptor history, new writes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from ncc_node.errors import StoreError
from ncc_node.jsonbody import dump_body
from ncc_node.store import RecordFilter, Store, open_store
from ncc_node.store.derive import facet_values, index_text
from ncc_node.store.pg_schema import PG_MIGRATIONS, PG_TEXT_REBUILDS
from ncc_node.store.pg_text import tokens
from ncc_node.store.recordrow import RECORD_COLUMNS, record_columns
from ncc_node.store.schema import MIGRATIONS, TEXT_REBUILDS
from ncc_node.store.sqlite import TEXT_INSERT
from tests.databases import postgres_only, test_database
from vocab import example

from .test_store import NEUTRAL, record

HEALTH = "https://w3id.org/ncc/concepts/theme/health-care"


def rows(records: list[dict[str, Any]]
         ) -> list[tuple[list[Any], list[tuple[str, str]], tuple[str, str, str, str]]]:
    """Each record's column values (RECORD_COLUMNS order), its facet pairs and its analysed
    text columns (what the text index has held since migration 6)."""
    found = []
    for seq, data in enumerate(records, start=1):
        body = dump_body(data)
        columns = {**record_columns(data, body), "seq": seq, "received_from": None,
                   "received_at": "2026-01-01T00:00:00Z"}
        kind = columns["kind"]
        facets = facet_values(data)
        pairs = [(f"{kind}/{f}", v) for f, v in [*facets, ("origin", data["origin"])]]
        text = index_text(data, facets)
        found.append(([columns[c] for c in RECORD_COLUMNS], pairs,
                      (text.name, text.description, text.body, text.concepts)))
    return found


def sample() -> list[dict[str, Any]]:
    return [record(0), record(1, themes=["theme:health-care"], sdgs=["sdg:3"], **NEUTRAL),
            example("node.jsonld")]


def check_migrated(store: Store, current: int) -> None:
    def hits(**where: Any) -> int:
        return store.count(RecordFilter(kind="Initiative", **where))
    assert hits() == 2 and hits(q="Lernbrücke") == 2 and hits(q="haridus") == 1
    assert hits(theme=HEALTH) == 1
    node = example("node.jsonld")
    assert store.descriptor_history(node["id"], after=0, limit=5)  # migration 4 kept it
    stored = store.put(record(2, themes=["theme:health-care"]),
                       dump_body(record(2, themes=["theme:health-care"])))
    assert stored.seq == 4 and hits(theme=HEALTH) == 2
    assert [s for s, _ in store.changes(0, 10)] == [1, 2, 3, 4]
    assert store.schema_version() == current


def sqlite_at(path: Path, version: int) -> None:
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:version]:
        conn.executescript(script)
    records = sample()
    for values, pairs, texts in rows(records):
        rowid = conn.execute(f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES "
                             f"({', '.join('?' for _ in RECORD_COLUMNS)})", values).lastrowid
        if version >= max(TEXT_REBUILDS):  # written by the store, as that version's was
            conn.execute(TEXT_INSERT, (rowid, *texts))
        if version < 3:
            conn.executemany("INSERT INTO facets (facet, value, record) VALUES (?, ?, ?)",
                             [(f, v, rowid) for f, v in pairs])
        else:
            for pair in pairs:
                conn.execute("INSERT OR IGNORE INTO facet_keys (facet, value) VALUES (?, ?)",
                             pair)
                conn.execute("INSERT INTO facet_postings (key, record) SELECT id, ? FROM "
                             "facet_keys WHERE facet = ? AND value = ?", (rowid, *pair))
    if version >= 4:  # the store has kept descriptor versions since 4
        conn.execute("INSERT INTO descriptor_history (origin, version, body) SELECT id, version, "
                     "body FROM records WHERE kind = 'Node'")
    conn.execute(f"UPDATE counters SET value = {len(records)} WHERE name = 'seq'")
    conn.execute(f"PRAGMA user_version = {version}")
    conn.commit()
    conn.close()


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS)))
def test_sqlite_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    path = tmp_path / "old.db"
    sqlite_at(path, version)
    store = open_store(path)
    try:
        check_migrated(store, len(MIGRATIONS))
    finally:
        store.close()


def postgres_at(url: str, version: int) -> None:
    import psycopg

    records = sample()
    with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
        for script in PG_MIGRATIONS[:version]:
            if script.strip():
                conn.execute(script)
        conn.execute("CREATE TABLE ncc_schema (version integer NOT NULL)")
        conn.execute("INSERT INTO ncc_schema (version) VALUES (%s)", (version,))
        for values, pairs, texts in rows(records):
            rowid = conn.execute(
                f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) VALUES "
                f"({', '.join('%s' for _ in RECORD_COLUMNS)}) RETURNING rowid",
                values).fetchone()[0]
            if version >= max(PG_TEXT_REBUILDS):  # written by the store, as that version's was
                cut = [tokens(t) for t in texts]
                count = sum(len(c) for c in cut)
                conn.execute("INSERT INTO record_text (rowid, name, description, body, "
                             "concepts, name_t, description_t, body_t, concepts_t, tokens) "
                             "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                             (rowid, *texts, *cut, count))
                conn.execute("UPDATE counters SET value = value + CASE name WHEN 'text_rows' "
                             "THEN 1 ELSE %s END WHERE name IN ('text_rows', 'text_tokens')",
                             (count,))
            for pair in pairs:
                conn.execute("INSERT INTO facet_keys (facet, value) VALUES (%s, %s) "
                             "ON CONFLICT DO NOTHING", pair)
                conn.execute("INSERT INTO facet_postings (key, record) SELECT id, %s FROM "
                             "facet_keys WHERE facet = %s AND value = %s", (rowid, *pair))
        if version >= 4:
            conn.execute("INSERT INTO descriptor_history (origin, version, body) SELECT id, "
                         "version, body FROM records WHERE kind = 'Node'")
        conn.execute("UPDATE counters SET value = %s WHERE name = 'seq'", (len(records),))


@postgres_only
@pytest.mark.parametrize("version", range(0, len(PG_MIGRATIONS)))
def test_postgres_from_every_earlier_version(tmp_path: Path, version: int) -> None:
    url = str(test_database(tmp_path))
    if version:
        postgres_at(url, version)
    store = open_store(url)
    try:
        if version == 0:  # a fresh database: written through the store
            for data in sample():
                store.put(data, dump_body(data))
        check_migrated(store, len(PG_MIGRATIONS))
    finally:
        store.close()


@postgres_only
def test_postgres_refuses_a_newer_schema(tmp_path: Path) -> None:
    import psycopg

    url = str(test_database(tmp_path))
    open_store(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE ncc_schema SET version = 99")
    with pytest.raises(StoreError, match="schema version 99"):
        open_store(url)


def test_both_backends_have_every_migration() -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS)
