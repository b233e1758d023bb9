"""Copy a node's whole store into an empty PostgreSQL database (``ncc migrate --to``).

Everything a node holds moves: the records with their own sequence numbers, reception times and
sources (so a peer's cursor into this node's feed stays valid), descriptor history, operator
tokens, peers with their cursors and health, quarantine, pending retries and the RDF view's
skips. The derived indexes (text, facets, keys) are built by the target as it stores each record.
The copy is one transaction: interrupted, it leaves the target as empty as it found it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from ..errors import StoreError
from .base import Store
from .postgres import PgWriter, PostgresStore, _clean
from .recordrow import RECORD_COLUMNS

# tables copied row by row, with their columns (records and peers go through the store)
_TABLES = {
    "descriptor_history": ("origin", "version", "body"),
    "tokens": ("id", "name", "hash", "scopes", "created", "last_used", "revoked"),
    "quarantine": ("id", "peer", "record_id", "reason", "detail", "body", "received_at",
                   "digest", "times", "last_seen"),
    "sync_retry": ("peer", "record_id", "origin", "reason", "attempts", "next_at", "first_at"),
    "view_skips": ("record_id", "seq", "reason"),
}
_IDENTITIES = ("tokens", "quarantine")  # tables whose ids are copied, not generated
BATCH = 1000

_INSERT_COPY = (f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)}) RETURNING rowid")


def record_count(store: Store) -> int:
    """How many records (tombstones included) a store holds: the copy's length."""
    return int(store._reader.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM records").fetchone()[0])


def copy_store(source: Store, target: PostgresStore,
               progress: Callable[[int], None] = lambda n: None) -> int:
    """Copy every record and all node state from ``source`` into the empty ``target``;
    return the number of records. ``progress(n)`` is called after each batch of n records."""
    if target.last_seq() != 0 or target.peers() or target.tokens():
        raise StoreError(f"database {target.path} is not empty: migrate into a new database "
                         "(or a new schema)")
    if source.schema_version() != target.schema_version():
        raise StoreError(f"the source has schema version {source.schema_version()}, the target "
                         f"{target.schema_version()}: open both with this version first")
    copied = 0
    reader = source._reader  # type: ignore[attr-defined]  # the source's own SQL
    with target.write() as opened:
        writer = opened
        assert isinstance(writer, PgWriter)
        batch = 0
        for record in source.iter_records(batch=BATCH):
            values = [getattr(record, c) for c in RECORD_COLUMNS]
            values[RECORD_COLUMNS.index("deleted")] = 1 if record.deleted else 0
            values = [_clean(v) for v in values]
            rowid = int(writer.conn.execute(_INSERT_COPY, values).fetchone()[0])
            writer.index(rowid, json.loads(record.body), deleted=record.deleted, fresh=True)
            copied += 1
            batch += 1
            if batch == BATCH:
                progress(batch)
                batch = 0
        if batch:
            progress(batch)
        writer.conn.execute("UPDATE counters SET value = ? WHERE name = 'seq'",
                            (source.last_seq(),))
        for table, columns in _TABLES.items():
            rows = reader.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
            overriding = " OVERRIDING SYSTEM VALUE" if table in _IDENTITIES else ""
            writer.conn.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}){overriding} VALUES "
                f"({', '.join('?' for _ in columns)})",
                [[bytes(v) if isinstance(v, memoryview) else _clean(v) for v in row]
                 for row in rows])
            if overriding:  # new rows continue after the copied ids
                writer.conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)")
        for state in source.peers():
            writer.save_peer(state)
    # planner statistics for the freshly filled tables (autovacuum would come later)
    target._reader.execute("ANALYZE")
    return copied


__all__ = ["copy_store", "record_count"]
