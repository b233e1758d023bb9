"""Copy a node's whole store into an empty PostgreSQL database (``ncc migrate --to``).

Everything a node holds moves: the records with their own sequence numbers, reception times and
sources (so a peer's cursor into this node's feed stays valid), descriptor history, operator
tokens, peers with their cursors and health, quarantine, pending retries, the RDF view's
skips, accounts, the audit log, the node's secrets, drafts, the review queue and what the node
hides. The derived indexes (text, facets, keys) are built by the target as it stores each
record (none for a hidden one).
The copy is one transaction: interrupted, it leaves the target as empty as it found it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..errors import StoreError
from .base import Store
from .postgres import PgWriter, PostgresStore, _clean
from .recordrow import RECORD_COLUMNS

# tables copied row by row, with their columns (records and peers go through the store)
_TABLES: dict[str, tuple[str, ...]] = {
    "descriptor_history": ("origin", "version", "body"),
    "tokens": ("id", "name", "hash", "scopes", "created", "last_used", "revoked"),
    "quarantine": ("id", "peer", "record_id", "reason", "detail", "body", "received_at",
                   "digest", "times", "last_seen"),
    "sync_retry": ("peer", "record_id", "origin", "reason", "attempts", "next_at", "first_at"),
    "view_skips": ("record_id", "seq", "reason"),
    "users": ("id", "name", "email", "display_name", "password_hash", "role", "created",
              "disabled", "last_sign_in", "session_epoch", "oidc_subject"),
    "sign_in_failures": ("key", "at"),
    "audit_log": ("id", "at", "actor", "action", "record_id", "version", "detail"),
    "node_secrets": ("name", "value"),
    "drafts": ("id", "kind", "record_id", "base_version", "payload", "revision", "author",
               "created", "updated"),
    "review_queue": ("identifier", "kind", "payload", "reasons", "source", "status", "held_at",
                     "decision", "decided_by", "decided_at"),
}
# copied before the records, so the target indexes none that the node hides
_HIDDEN: dict[str, tuple[str, ...]] = {
    "hidden": ("target", "scope", "reason", "relay", "hidden_by", "hidden_at")}
# tables whose ids are copied, not generated (sessions name users' ids; drafts' ids are in URLs)
_IDENTITIES = ("tokens", "quarantine", "users", "audit_log", "drafts")
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
        _copy_tables(reader, writer, _HIDDEN)
        batch = 0
        for record in source.iter_records(batch=BATCH):
            values = [getattr(record, c) for c in RECORD_COLUMNS]
            values[RECORD_COLUMNS.index("deleted")] = 1 if record.deleted else 0
            values = [_clean(v) for v in values]
            rowid = int(writer.conn.execute(_INSERT_COPY, values).fetchone()[0])
            hidden = writer.is_hidden(record.id, record.origin, record.kind)
            writer.index(rowid, json.loads(record.body), deleted=record.deleted or hidden,
                         fresh=True)
            copied += 1
            batch += 1
            if batch == BATCH:
                progress(batch)
                batch = 0
        if batch:
            progress(batch)
        writer.conn.execute("UPDATE counters SET value = ? WHERE name = 'seq'",
                            (source.last_seq(),))
        writer.conn.execute("UPDATE counters SET value = ? WHERE name = 'moderation'",
                            (source.moderation_version(),))
        _copy_tables(reader, writer, _TABLES)
        for state in source.peers():
            writer.save_peer(state)
    # planner statistics for the freshly filled tables (autovacuum would come later)
    target._reader.execute("ANALYZE")
    return copied


def _copy_tables(reader: Any, writer: PgWriter, tables: dict[str, tuple[str, ...]]) -> None:
    for table, columns in tables.items():
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


__all__ = ["copy_store", "record_count"]
