"""The SQLite store: WAL, one writer (``BEGIN IMMEDIATE``), a read connection per thread.

architecture §7. Readers never block the writer or each other (WAL); writers queue on a lock in
this process and on ``busy_timeout`` across processes (e.g. ``ncc import`` beside ``ncc
serve``), so "database is locked" never reaches a user under normal load.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from ..errors import Conflict, StoreError
from ..timestamps import format_timestamp, utc_now
from .account_sql import AccountSql, AuditWrites
from .base import (
    PeerState,
    QuarantineEntry,
    RecordFilter,
    Store,
    StoredRecord,
    Token,
    Writer,
)
from .candidate_sql import SqliteCandidateIndex
from .derive import IndexEntries, facet_values, index_entries, index_text
from .editorial_sql import HIDDEN_ROW, RELAYED, VISIBLE, EditorialReads, EditorialWrites
from .posting_cache import REINDEXED
from .push_sql import PushSql
from .recordrow import RECORD_COLUMNS, make_etag, record_columns, records_in, row_to_record
from .schema import MIGRATIONS, TEXT_REBUILDS
from .stats_sql import StatsSql
from .sync_sql import SyncReads, SyncWrites, health_json
from .textquery import fts_query

BUSY_TIMEOUT_MS = 30_000
WAL_CHECKPOINT_PAGES = 10_000
WAL_KEEP_BYTES = 64 * 1024 * 1024


_INSERT_RECORD = (f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)})")
_UPDATE_RECORD = (f"UPDATE records SET {', '.join(f'{c} = ?' for c in RECORD_COLUMNS)} "
                  "WHERE rowid = ?")


def _conflict(record_id: str, expected: int, found: int | None) -> Conflict:
    return Conflict(f"record {record_id} changed concurrently: expected version {expected}, "
                    f"found {'none' if found is None else found}")


class FacetKeys:
    """The ids of (facet, value) pairs in ``facet_keys``, cached for the writing connection.

    Pairs are few (concepts × kinds, plus origins) and never deleted, so after the first few
    records every lookup is a hit. A pair inserted by a transaction that rolls back would be
    cached with an id that does not exist: :meth:`forget` is called on every rollback.
    """

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}

    def ids(self, conn: sqlite3.Connection, pairs: list[tuple[str, str]]) -> list[int]:
        """The id of each pair, inserting the pairs not seen before."""
        found = []
        for pair in pairs:
            key = self._ids.get(pair)
            if key is None:
                conn.execute("INSERT OR IGNORE INTO facet_keys (facet, value) VALUES (?, ?)",
                             pair)
                key = self._ids[pair] = int(conn.execute(
                    "SELECT id FROM facet_keys WHERE facet = ? AND value = ?",
                    pair).fetchone()[0])
            found.append(key)
        return found

    def forget(self) -> None:
        """Drop every cached id (after a rollback)."""
        self._ids.clear()


class SqliteWriter(AuditWrites, SyncWrites, EditorialWrites, Writer):
    """The writes of one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(self, conn: sqlite3.Connection, keys: FacetKeys) -> None:
        self.conn = conn
        self.keys = keys
        self._received_at: str | None = None
        self._seq: int | None = None  # the last number handed out in this transaction

    def _next_seq(self) -> int:
        # BEGIN IMMEDIATE excludes every other writer, so numbers are counted here and the
        # counter row is written once, by finish(), in the same transaction (a rollback
        # discards it with everything else): one UPDATE per transaction, not per record.
        if self._seq is None:
            self._seq = int(self.conn.execute(
                "SELECT value FROM counters WHERE name = 'seq'").fetchone()[0])
        self._seq += 1
        return self._seq

    def finish(self) -> None:
        """Write the sequence counter back; called just before COMMIT."""
        if self._seq is not None:
            self.conn.execute("UPDATE counters SET value = ? WHERE name = 'seq'", (self._seq,))

    def version_of(self, record_id: str) -> int:
        """See :meth:`Writer.version_of`."""
        row = self.conn.execute("SELECT version FROM records WHERE id = ?", (record_id,)).fetchone()
        return int(row[0]) if row else 0

    def put(
        self,
        record: dict[str, Any],
        body: bytes,
        *,
        received_from: str | None = None,
        expect_version: int | None = None,
        derived: IndexEntries | None = None,
    ) -> StoredRecord:
        """See :meth:`Writer.put`."""
        columns = record_columns(record, body)
        if self._received_at is None:  # one reception time per transaction
            self._received_at = format_timestamp(utc_now())
        columns.update(received_from=received_from, received_at=self._received_at)
        record_id = columns["id"]
        old = None
        # a record expected to be new (the sync's usual case) needs no lookup first: the id's
        # unique index refuses one that is held, and that becomes the same Conflict
        if expect_version != 0:
            old = self.conn.execute(
                "SELECT rowid, version FROM records WHERE id = ?", (record_id,)).fetchone()
            if expect_version is not None and (old[1] if old else 0) != expect_version:
                raise _conflict(record_id, expect_version, old[1] if old else None)
        columns["seq"] = self._next_seq()
        values = [columns[c] for c in RECORD_COLUMNS]
        if old is None:
            try:
                rowid = int(self.conn.execute(_INSERT_RECORD, values).lastrowid or 0)
            except sqlite3.IntegrityError as exc:
                if expect_version != 0 or "records.id" not in str(exc):
                    raise
                self._seq = columns["seq"] - 1  # the number is handed out again
                held = self.conn.execute("SELECT version FROM records WHERE id = ?",
                                         (record_id,)).fetchone()[0]
                raise _conflict(record_id, 0, held) from None
        else:
            rowid = int(old[0])
            self.conn.execute(_UPDATE_RECORD, [*values, rowid])
        hidden = self.is_hidden(record_id, columns["origin"], columns["kind"])
        index_record(self.conn, self.keys, rowid, record,
                     deleted=bool(columns["deleted"]) or hidden, fresh=old is None,
                     derived=derived)
        if columns["kind"] == "Node":
            self.keep_descriptor_version(record, body)
        return row_to_record(values)

    def index(self, rowid: int, record: dict[str, Any], *, deleted: bool,
              fresh: bool = False, derived: IndexEntries | None = None) -> None:
        """Replace the derived index entries of one record (see :func:`index_record`)."""
        index_record(self.conn, self.keys, rowid, record, deleted=deleted, fresh=fresh,
                     derived=derived)

    def _reindex_rows(self, rowids: list[int]) -> None:
        """Derive the index entries of these rows again, as hidden (none) or not."""
        for rowid in rowids:
            record_id, origin, kind, deleted, body = self.conn.execute(
                "SELECT id, origin, kind, deleted, body FROM records WHERE rowid = ?",
                (rowid,)).fetchone()
            self.index(rowid, json.loads(body),
                       deleted=bool(deleted) or self.is_hidden(record_id, origin, kind))

    def save_peer(self, state: PeerState) -> None:
        """See :meth:`Writer.save_peer`."""
        self.conn.execute(
            """INSERT INTO peers (base_url, scope, node_iri, cursor, last_success, last_error,
                                  last_error_at, counts, health)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (base_url) DO UPDATE SET scope = excluded.scope,
                 node_iri = excluded.node_iri, cursor = excluded.cursor,
                 last_success = excluded.last_success, last_error = excluded.last_error,
                 last_error_at = excluded.last_error_at, counts = excluded.counts,
                 health = excluded.health""",
            (state.base_url, state.scope, state.node_iri, state.cursor, state.last_success,
             state.last_error, state.last_error_at, json.dumps(state.counts, sort_keys=True),
             health_json(state.health)),
        )


TEXT_INSERT = ("INSERT INTO record_text (rowid, name, description, body, concepts) "
               "VALUES (?, ?, ?, ?, ?)")


def facet_key(kind: str, facet: str) -> str:
    """The facet column value: facets are per kind (``Initiative/sdg``), so that a filtered
    count is a range count on the facets index that never visits the records table."""
    return f"{kind}/{facet}"


def index_record(conn: sqlite3.Connection, keys: FacetKeys, rowid: int,
                 record: dict[str, Any], *, deleted: bool, fresh: bool = False,
                 derived: IndexEntries | None = None) -> None:
    """Replace the derived index entries (text, facets, keys) of one record.

    ``fresh``: the row was just inserted, so it has no entries to delete. ``derived``: the
    record's :func:`index_entries` computed beforehand (elsewhere), else it is computed here.
    """
    if not fresh:
        conn.execute("DELETE FROM facet_postings WHERE record = ?", (rowid,))
        conn.execute("DELETE FROM record_text WHERE rowid = ?", (rowid,))
    if deleted:
        return
    if derived is None:
        derived = index_entries(record)
    kind = str(record.get("type"))
    pairs = [(facet_key(kind, f), v) for f, v in derived.facets]
    pairs.append((facet_key(kind, "origin"), str(record.get("origin"))))
    text = derived.text
    pairs.extend((facet_key(kind, f), v) for f, v in text.inferred)
    conn.executemany("INSERT INTO facet_postings (key, record) VALUES (?, ?)",
                     [(key, rowid) for key in keys.ids(conn, pairs)])
    conn.execute(TEXT_INSERT, (rowid, text.name, text.description, text.body, text.concepts))
    if record.get("type") == "Node":
        _index_keys(conn, record)


def _index_keys(conn: sqlite3.Connection, descriptor: dict[str, Any]) -> None:
    origin = descriptor["id"]
    conn.execute("DELETE FROM keys WHERE origin = ?", (origin,))
    for key in descriptor.get("verificationMethod", []):
        if isinstance(key, dict):
            conn.execute(
                "INSERT OR REPLACE INTO keys (id, origin, public_key, created, retired) "
                "VALUES (?, ?, ?, ?, ?)",
                (key.get("id"), origin, key.get("publicKeyMultibase"), key.get("created"),
                 key.get("retired")),
            )


def _private(path: Path) -> None:
    """Create the database file 0600 (and make an existing one and its -wal/-shm 0600): it
    holds token hashes, peer state and quarantine. SQLite gives the -wal and -shm files it
    creates the database file's mode."""
    if str(path) == ":memory:":
        return
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if name.exists() and name.stat().st_mode & 0o077:
                name.chmod(0o600)
    except OSError as exc:
        raise StoreError(f"cannot create database {path}: {exc}") from exc


class SqliteStore(AccountSql, SyncReads, EditorialReads, PushSql, StatsSql, Store):
    """The SQLite implementation of :class:`Store`."""

    # the full-text filter of lists and counts (the PostgreSQL store has its own)
    _TEXT_MATCH = "SELECT rowid FROM record_text WHERE record_text MATCH ?"
    _TEXT_COUNT = ("SELECT count(*) FROM record_text t CROSS JOIN records r ON r.rowid = t.rowid "
                   "WHERE record_text MATCH ? AND r.kind = ? AND r.deleted = 0")

    @staticmethod
    def _text_query(text: str) -> str | None:
        """The full-text query of a list's ``q`` (None: no word in it)."""
        return fts_query(text)

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _private(self.path)
        self._local = threading.local()
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._writer = self._connect()
        self._facet_keys = FacetKeys()
        self._candidates = SqliteCandidateIndex(lambda: self._reader)
        self._migrate()

    # -- connections --------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # checkpoint every ~40 MB of WAL instead of every 4 MB: index pages that many
            # commits touch are copied into the database once, not once per few pages of a
            # sync (issue 5: ~12 µs less per stored record); the file is cut back after that
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            conn.execute(f"PRAGMA journal_size_limit = {WAL_KEEP_BYTES}")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open database {self.path}: {exc}") from exc
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    @property
    def _reader(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _migrate(self) -> None:
        with self._write_lock:
            version = self._writer.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise StoreError(f"database {self.path} has schema version {version}, newer "
                                 f"than this software ({len(MIGRATIONS)}); upgrade ncc-exchange")
            for number in range(version + 1, len(MIGRATIONS) + 1):
                self._writer.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _statements(MIGRATIONS[number - 1]):
                        self._writer.execute(statement)
                    # the text index is rebuilt once, by the last migration that needs it
                    # (an earlier one may see a table the later ones replace)
                    if number == max((n for n in TEXT_REBUILDS if n > version), default=0):
                        _rebuild_text(self._writer)
                    self._writer.execute(f"PRAGMA user_version = {number}")
                    self._writer.execute("COMMIT")
                except BaseException:
                    self._writer.execute("ROLLBACK")
                    raise

    def schema_version(self) -> int:
        """See :meth:`Store.schema_version`."""
        return int(self._reader.execute("PRAGMA user_version").fetchone()[0])

    def write(self) -> AbstractContextManager[Writer]:
        """See :meth:`Store.write`."""
        return self._transaction()

    @contextmanager
    def _transaction(self) -> Iterator[SqliteWriter]:
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                writer = SqliteWriter(self._writer, self._facet_keys)
                yield writer
                writer.finish()
            except BaseException:
                self._writer.execute("ROLLBACK")
                self._facet_keys.forget()
                raise
            self._writer.execute("COMMIT")

    def close(self) -> None:
        """See :meth:`Store.close`."""
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    @property
    def candidates(self) -> SqliteCandidateIndex:
        """See :attr:`Store.candidates`."""
        return self._candidates

    # -- records ------------------------------------------------------------------------------
    def _one(self, sql: str, params: Sequence[Any]) -> StoredRecord | None:
        row = self._reader.execute(sql, params).fetchone()
        return None if row is None else row_to_record(row)

    def get(self, record_id: str) -> StoredRecord | None:
        """See :meth:`Store.get`."""
        return self._one(f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE id = ?",
                         (record_id,))

    def get_many(self, record_ids: Sequence[str]) -> dict[str, StoredRecord]:
        """See :meth:`Store.get_many`."""
        return dict(records_in(self._reader, "id", list(dict.fromkeys(record_ids))))

    def find_by_identifier(self, origin: str, identifier: str) -> StoredRecord | None:
        """See :meth:`Store.find_by_identifier`."""
        return self._one(f"SELECT {', '.join(RECORD_COLUMNS)} FROM records "
                         "WHERE origin = ? AND identifier = ?", (origin, identifier))

    def find_by_uuid(self, kind: str, uuid: str) -> list[StoredRecord]:
        """See :meth:`Store.find_by_uuid`."""
        suffix = "/" + uuid  # compared with substr, not LIKE: no wildcard can slip in
        rows = self._reader.execute(
            f"SELECT {', '.join(RECORD_COLUMNS)} FROM records "
            "WHERE kind = ? AND substr(id, -?) = ? ORDER BY id", (kind, len(suffix), suffix))
        return [row_to_record(row) for row in rows]

    def find_by_identifiers(
        self, origin: str, identifiers: Sequence[str]
    ) -> dict[str, StoredRecord]:
        """See :meth:`Store.find_by_identifiers`."""
        found: dict[str, StoredRecord] = {}
        unique = list(dict.fromkeys(identifiers))
        for start in range(0, len(unique), 500):  # stay far below SQLite's variable limit
            chunk = unique[start:start + 500]
            rows = self._reader.execute(
                f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE origin = ? AND "
                f"identifier IN ({', '.join('?' for _ in chunk)})", [origin, *chunk])
            for row in rows:
                record = row_to_record(row)
                if record.identifier is not None:
                    found[record.identifier] = record
        return found

    def descriptor(self, node_iri: str) -> StoredRecord | None:
        """See :meth:`Store.descriptor`."""
        record = self.get(node_iri)
        return record if record is not None and record.kind == "Node" else None

    def changes(
        self, after: int, limit: int, *, origin: str | None = None, relayed_only: bool = False
    ) -> list[tuple[int, bytes]]:
        """See :meth:`Store.changes`."""
        relayed = f" AND {RELAYED}" if relayed_only else ""
        if origin is None:
            rows = self._reader.execute(
                f"SELECT seq, body FROM records r WHERE seq > ?{relayed} ORDER BY seq LIMIT ?",
                (after, limit))
        else:
            rows = self._reader.execute(
                f"SELECT seq, body FROM records r WHERE origin = ? AND seq > ?{relayed} "
                "ORDER BY seq LIMIT ?", (origin, after, limit))
        return [(int(seq), bytes(body)) for seq, body in rows]

    def last_seq(self, *, origin: str | None = None) -> int:
        """See :meth:`Store.last_seq`."""
        if origin is not None:
            return int(self._reader.execute(
                "SELECT coalesce(max(seq), 0) FROM records WHERE origin = ?",
                (origin,)).fetchone()[0])
        return int(self._reader.execute(
            "SELECT value FROM counters WHERE name = 'seq'").fetchone()[0])

    def _where(self, where: RecordFilter) -> tuple[str, list[Any]]:
        clauses = ["r.kind = ?"]
        params: list[Any] = [where.kind]
        text = self._text_query(where.q) if where.q else None
        if not where.include_deleted:
            clauses.append("r.deleted = 0")
            # a record hidden here is served by id, never listed; a facet or text filter says
            # so already (hidden records, like deleted ones, have no index entries)
            if not where.facets() and text is None:
                clauses.append(VISIBLE)
        if where.origin is not None:
            clauses.append("r.origin = ?")
            params.append(where.origin)
        for facet, value in where.facets():
            clauses.append("r.rowid IN (SELECT record FROM facets WHERE facet = ? AND value = ?)")
            params.extend((facet_key(where.kind, facet), value))
        if text is not None:
            clauses.append(f"r.rowid IN ({self._TEXT_MATCH})")
            params.append(text)
        return " AND ".join(clauses), params

    def list_records(
        self, where: RecordFilter, *, after: str | None, limit: int
    ) -> list[StoredRecord]:
        """See :meth:`Store.list_records`."""
        sql, params = self._where(where)
        if after is not None:
            sql += " AND r.id > ?"
            params.append(after)
        columns = ", ".join(f"r.{c}" for c in RECORD_COLUMNS)
        rows = self._reader.execute(
            f"SELECT {columns} FROM records r WHERE {sql} ORDER BY r.id LIMIT ?",
            [*params, limit])
        return [row_to_record(row) for row in rows]

    def count(self, where: RecordFilter) -> int:
        """See :meth:`Store.count`.

        Live records only have index entries, and facet entries are per kind, so a filtered
        count intersects index ranges and never reads the (large) record rows; the id-ordered
        walk that serves one page well would have to visit every record of the kind.
        """
        query = self._text_query(where.q) if where.q else None
        facets = where.facets()
        if where.origin is not None:
            facets.append(("origin", where.origin))
        if where.include_deleted:
            sql, params = self._where(where)
            return int(self._reader.execute(f"SELECT count(*) FROM records r WHERE {sql}",
                                            params).fetchone()[0])
        if not (facets or query):
            # every live record that is not hidden has one origin posting: count those
            # (index only), not the record rows with a visibility check each
            return int(self._reader.execute(
                "SELECT count(*) FROM facets WHERE facet = ?",
                (facet_key(where.kind, "origin"),)).fetchone()[0])
        sets = ["SELECT record FROM facets WHERE facet = ? AND value = ?" for _ in facets]
        params = [x for facet, value in facets for x in (facet_key(where.kind, facet), value)]
        if query is not None and sets:
            sets.append(self._TEXT_MATCH)
            params.append(query)
        if sets:
            return int(self._reader.execute(
                f"SELECT count(*) FROM ({' INTERSECT '.join(sets)}) s", params).fetchone()[0])
        # text only: the text index drives, each match is checked for its kind
        return int(self._reader.execute(self._TEXT_COUNT, (query, where.kind)).fetchone()[0])

    def iter_records(self, *, kind: str | None = None, batch: int = 1000) -> Iterator[StoredRecord]:
        """See :meth:`Store.iter_records`."""
        after = 0
        columns = ", ".join(RECORD_COLUMNS)
        while True:
            if kind is None:
                rows = self._reader.execute(
                    f"SELECT {columns} FROM records WHERE seq > ? ORDER BY seq LIMIT ?",
                    (after, batch)).fetchall()
            else:
                rows = self._reader.execute(
                    f"SELECT {columns} FROM records WHERE kind = ? AND seq > ? ORDER BY seq "
                    "LIMIT ?", (kind, after, batch)).fetchall()
            if not rows:
                return
            for row in rows:
                record = row_to_record(row)
                after = record.seq
                yield record

    def reindex(self) -> int:
        """See :meth:`Store.reindex`."""
        count = 0
        with self._transaction() as writer:
            conn = writer.conn
            conn.execute("DELETE FROM facet_postings")
            conn.execute("DELETE FROM record_text")
            conn.execute("DELETE FROM keys")
            # no record gets a new sequence number: readers holding index entries learn of
            # the change from this counter (posting_cache)
            conn.execute(REINDEXED)
            rows = conn.execute("SELECT rowid, body, deleted, id, origin, kind FROM records "
                                "ORDER BY seq")
            for rowid, body, deleted, record_id, origin, kind in rows.fetchall():
                index_record(conn, writer.keys, rowid, json.loads(body),
                             deleted=bool(deleted) or writer.is_hidden(record_id, origin, kind))
                count += 1
        return count

    # -- tokens -------------------------------------------------------------------------------
    def add_token(self, name: str, token_hash: str, scopes: Sequence[str], *,
                  actor: str | None = None) -> Token:
        """See :meth:`Store.add_token`."""
        created = format_timestamp(utc_now())
        with self._transaction() as writer:
            conn = writer.conn
            if conn.execute("SELECT 1 FROM tokens WHERE name = ?", (name,)).fetchone():
                raise Conflict(f"a token named {name!r} already exists")
            row = conn.execute(
                "INSERT INTO tokens (name, hash, scopes, created) VALUES (?, ?, ?, ?) "
                "RETURNING id", (name, token_hash, " ".join(sorted(scopes)), created)).fetchone()
            if actor is not None:
                writer.audit(actor=actor, action="token.create",
                             detail=f"{name} ({', '.join(sorted(scopes))})")
        return Token(int(row[0]), name, frozenset(scopes), created, None, None)

    @staticmethod
    def _token(row: Sequence[Any]) -> Token:
        return Token(int(row[0]), row[1], frozenset(row[2].split()), row[3], row[4], row[5])

    def token_by_hash(self, token_hash: str) -> Token | None:
        """See :meth:`Store.token_by_hash`."""
        row = self._reader.execute(
            "SELECT id, name, scopes, created, last_used, revoked FROM tokens "
            "WHERE hash = ? AND revoked IS NULL", (token_hash,)).fetchone()
        if row is None:
            return None
        now = format_timestamp(utc_now())
        if row[4] != now:  # at most one write per token per second
            with self._transaction() as writer:
                writer.conn.execute(
                    "UPDATE tokens SET last_used = ? WHERE id = ?", (now, row[0]))
        return self._token((*row[:4], now, row[5]))

    def tokens(self) -> list[Token]:
        """See :meth:`Store.tokens`."""
        rows = self._reader.execute(
            "SELECT id, name, scopes, created, last_used, revoked FROM tokens ORDER BY id")
        return [self._token(r) for r in rows]

    def revoke_token(self, name: str, *, actor: str | None = None) -> bool:
        """See :meth:`Store.revoke_token`."""
        with self._transaction() as writer:
            cursor = writer.conn.execute(
                "UPDATE tokens SET revoked = ? WHERE name = ? AND revoked IS NULL",
                (format_timestamp(utc_now()), name))
            if actor is not None and cursor.rowcount > 0:
                writer.audit(actor=actor, action="token.revoke", detail=name)
        return cursor.rowcount > 0

    # -- peers and quarantine -----------------------------------------------------------------
    def peers(self) -> list[PeerState]:
        """See :meth:`Store.peers`."""
        rows = self._reader.execute(
            "SELECT base_url, scope, node_iri, cursor, last_success, last_error, last_error_at, "
            "counts, health FROM peers ORDER BY base_url")
        return [
            PeerState(base_url=r[0], scope=r[1], node_iri=r[2], cursor=r[3], last_success=r[4],
                      last_error=r[5], last_error_at=r[6], counts=json.loads(r[7]),
                      health=json.loads(r[8]))
            for r in rows
        ]

    def save_view_skips(self, skipped: Mapping[str, tuple[int, str]]) -> None:
        """See :meth:`Store.save_view_skips`."""
        with self._write_lock:
            self._writer.execute("BEGIN IMMEDIATE")
            try:
                self._writer.execute("DELETE FROM view_skips")
                self._writer.executemany(
                    "INSERT INTO view_skips (record_id, seq, reason) VALUES (?, ?, ?)",
                    [(record_id, seq, reason) for record_id, (seq, reason) in skipped.items()])
            except BaseException:
                self._writer.execute("ROLLBACK")
                raise
            self._writer.execute("COMMIT")

    def view_skips(self, *, limit: int = 100) -> tuple[int, list[tuple[str, int, str]]]:
        """See :meth:`Store.view_skips`."""
        count = self._reader.execute("SELECT count(*) FROM view_skips").fetchone()[0]
        rows = self._reader.execute(
            "SELECT record_id, seq, reason FROM view_skips ORDER BY seq LIMIT ?",
            (limit,)).fetchall()
        return int(count), [(str(r[0]), int(r[1]), str(r[2])) for r in rows]

    def quarantined(self, *, limit: int = 100, after: int = 0) -> list[QuarantineEntry]:
        """See :meth:`Store.quarantined`."""
        rows = self._reader.execute(
            "SELECT id, peer, record_id, reason, detail, body, received_at, times FROM quarantine "
            "WHERE id > ? ORDER BY id LIMIT ?", (after, limit))
        return [QuarantineEntry(r[0], r[1], r[2], r[3], r[4], bytes(r[5]), r[6], r[7])
                for r in rows]


def _rebuild_text(conn: sqlite3.Connection) -> None:
    """Derive the text index and inferred facets again from every live record (after a
    migration)."""
    keys = FacetKeys()
    conn.execute(REINDEXED)  # a no-op before migration 10 made the counter
    conn.execute("DELETE FROM facet_postings WHERE key IN (SELECT id FROM facet_keys WHERE "
                 "facet LIKE '%/inferred_%')")
    hidden = ""
    if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'hidden'").fetchone():
        hidden = f" AND NOT {HIDDEN_ROW}"  # hidden records keep no index entries
    rows = conn.execute(f"SELECT rowid, body FROM records r WHERE deleted = 0{hidden} "
                        "ORDER BY rowid")
    for rowid, body in rows.fetchall():
        record = json.loads(body)
        text = index_text(record, facet_values(record))
        kind = str(record.get("type"))
        pairs = [(facet_key(kind, f), v) for f, v in text.inferred]
        conn.executemany("INSERT OR IGNORE INTO facet_postings (key, record) VALUES (?, ?)",
                         [(key, rowid) for key in keys.ids(conn, pairs)])
        conn.execute(TEXT_INSERT, (rowid, text.name, text.description, text.body,
                                   text.concepts))


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (none of ours contains a ';' in a literal)."""
    return [s.strip() for s in script.split(";") if s.strip()]


__all__ = ["SqliteStore", "fts_query", "make_etag"]
