"""The PostgreSQL store: psycopg 3, a connection pool, one writer at a time by advisory lock.

architecture §7. ``[node] database = "postgresql://…"`` selects it; it holds what the SQLite
store holds, in the same shape (:mod:`.pg_schema`), and serves the same bytes.

**Feed order is commit order.** Every write transaction first takes a transaction-scoped
advisory lock (``pg_advisory_xact_lock``) keyed by the store's schema, and only then reads the
sequence counter; PostgreSQL releases the lock after the commit is visible. So transactions
that write records run one after another, across every process and host sharing the database,
each one's numbers are above every earlier one's, and a reader at cursor N can never see
N + 2 committed while N + 1 is still to come: the gap of database sequences under concurrent
writers cannot happen. This is SQLite's model (one writer, readers never blocked) on a server.

Reads take a pooled connection per statement (autocommit: each statement sees everything
committed before it). Writers queue on a lock in this process before they take a connection,
so waiting writers do not empty the pool.

The SQL shared with SQLite is inherited from :class:`~.sqlite.SqliteStore`: the connection
adapter takes SQLite's ``?`` placeholders, and every method whose SQL is SQLite's own (FTS5,
``INSERT OR IGNORE``, negative ``substr``, ``lastrowid``) is overridden here.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from ..errors import StoreError
from ..timestamps import format_timestamp, utc_now
from .base import PeerState, Writer
from .derive import IndexEntries, facet_values, index_entries, index_text
from .editorial_sql import HIDDEN_ROW
from .pg_candidates import PgCandidateIndex
from .pg_schema import PG_MIGRATIONS, PG_TEXT_REBUILDS
from .pg_text import parse, to_tsquery, tokens
from .posting_cache import REINDEXED
from .recordrow import RECORD_COLUMNS, record_columns, row_to_record
from .sqlite import SqliteStore, SqliteWriter, _conflict, facet_key
from .textquery import fts_query

NOTHING = "' '"  # a tsquery no record matches (no token holds a space)
POOL_MAX = 10  # connections per process: readers hold one for a statement, the writer one
POOL_TIMEOUT = 30.0  # seconds to wait for a connection (the server down, the pool exhausted)

_INSERT_RECORD = (f"INSERT INTO records ({', '.join(RECORD_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in RECORD_COLUMNS)}) "
                  "ON CONFLICT (id) DO NOTHING RETURNING rowid")
_UPDATE_RECORD = (f"UPDATE records SET {', '.join(f'{c} = ?' for c in RECORD_COLUMNS)} "
                  "WHERE rowid = ?")
_TEXT_INSERT = ("INSERT INTO record_text (rowid, name, description, body, concepts, name_t, "
                "description_t, body_t, concepts_t, tokens) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def is_postgres(location: object) -> bool:
    """Whether a ``[node] database`` value names a PostgreSQL server rather than a file."""
    return isinstance(location, str) and location.startswith(("postgresql://", "postgres://"))


def redacted(url: str) -> str:
    """The URL without its password (for messages and logs)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{netloc[-1]}"))


@lru_cache(maxsize=512)
def _sql(statement: str) -> str:
    """SQLite's placeholders in psycopg's style (no statement of ours has a literal '?')."""
    return statement.replace("%", "%%").replace("?", "%s")


def _clean(value: Any) -> Any:
    """Text PostgreSQL can hold: a NUL (only ever from a hostile peer) becomes U+FFFD."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) else value


def _params(params: Sequence[Any]) -> list[Any]:
    """A statement's parameters as PostgreSQL takes them: text with a NUL (a hostile request's
    or peer's) is looked up and stored as it is kept, with U+FFFD (:func:`_clean`)."""
    return [_clean(value) for value in params]


class _Rows:
    """A fetched result with the cursor methods the shared SQL uses."""

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows = rows
        self.rowcount = rowcount

    def fetchone(self) -> Any:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[Any]:
        return self._rows

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class _Cursor:
    """A cursor of a pipelined transaction: its row count waits for the server's answer."""

    def __init__(self, cursor: Any, pipeline: Any) -> None:
        self._cursor = cursor
        self._pipeline = pipeline

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor.fetchall())

    @property
    def rowcount(self) -> int:
        if self._pipeline is not None:
            import psycopg

            try:
                self._pipeline.sync()
            except psycopg.OperationalError:  # the pipeline has ended: every result is in
                pass
        return int(self._cursor.rowcount)


class _Connection:
    """One psycopg connection (a transaction's) that takes SQLite-style statements."""

    def __init__(self, conn: Any, pipeline: Any = None) -> None:
        self.raw = conn
        self._pipeline = pipeline

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return _Cursor(self.raw.execute(_sql(statement), _params(params)), self._pipeline)

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        rows = [_params(row) for row in rows]
        if rows:
            with self.raw.cursor() as cursor:
                cursor.executemany(_sql(statement), rows)


class _PoolReader:
    """Reads, each statement on a pooled connection in autocommit."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool

    def execute(self, statement: str, params: Sequence[Any] = ()) -> _Rows:
        with self._pool.connection() as conn:
            cursor = conn.execute(_sql(statement), _params(params))
            rows = cursor.fetchall() if cursor.description is not None else []
            return _Rows(rows, cursor.rowcount)


class _OneConnection:
    """The pool's interface over one connection, for a process that must not start threads
    (the SPARQL query processes run under a memory limit)."""

    def __init__(self, url: str) -> None:
        import psycopg

        try:
            self._conn = psycopg.connect(url, autocommit=True, connect_timeout=int(POOL_TIMEOUT))
        except psycopg.OperationalError as exc:
            raise StoreError(f"cannot open database {redacted(url)}: {exc}") from exc
        self._lock = threading.RLock()

    @contextmanager
    def connection(self) -> Iterator[Any]:
        with self._lock:
            yield self._conn

    def close(self) -> None:
        self._conn.close()


class PgFacetKeys:
    """The ids of (facet, value) pairs, cached for this process's writers (see FacetKeys)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], int] = {}

    def ids(self, conn: _Connection, pairs: list[tuple[str, str]]) -> list[int]:
        """The id of each pair, inserting the pairs not seen before."""
        found = []
        for pair in pairs:
            key = self._ids.get(pair)
            if key is None:
                row = conn.execute(
                    "INSERT INTO facet_keys (facet, value) VALUES (?, ?) ON CONFLICT (facet, "
                    "value) DO NOTHING RETURNING id", pair).fetchone()
                if row is None:
                    row = conn.execute("SELECT id FROM facet_keys WHERE facet = ? AND value = ?",
                                       pair).fetchone()
                key = self._ids[pair] = int(row[0])
            found.append(key)
        return found

    def forget(self) -> None:
        """Drop every cached id (after a rollback)."""
        self._ids.clear()


class PgWriter(SqliteWriter):
    """The writes of one transaction holding the store's writer lock."""

    conn: _Connection  # type: ignore[assignment]
    keys: PgFacetKeys  # type: ignore[assignment]

    def __init__(self, conn: _Connection, keys: PgFacetKeys) -> None:
        super().__init__(conn, keys)  # type: ignore[arg-type]
        self._text_rows = 0  # changes to the text index's row and token totals (bm25)
        self._text_tokens = 0

    def finish(self) -> None:
        """Write the sequence counter and the text totals back; called just before COMMIT."""
        super().finish()
        if self._text_rows or self._text_tokens:
            self.conn.execute(
                "UPDATE counters SET value = value + CASE name WHEN 'text_rows' THEN ? ELSE ? "
                "END WHERE name IN ('text_rows', 'text_tokens')",
                (self._text_rows, self._text_tokens))

    def put(
        self,
        record: dict[str, Any],
        body: bytes,
        *,
        received_from: str | None = None,
        expect_version: int | None = None,
        derived: IndexEntries | None = None,
    ) -> Any:
        """See :meth:`Writer.put`."""
        columns = record_columns(record, body)
        if self._received_at is None:
            self._received_at = format_timestamp(utc_now())
        columns.update(received_from=_clean(received_from), received_at=self._received_at)
        record_id = columns["id"]
        old = None
        if expect_version != 0:
            old = self.conn.execute(
                "SELECT rowid, version FROM records WHERE id = ?", (record_id,)).fetchone()
            if expect_version is not None and (old[1] if old else 0) != expect_version:
                raise _conflict(record_id, expect_version, old[1] if old else None)
        columns["seq"] = self._next_seq()
        values = [columns[c] for c in RECORD_COLUMNS]
        if old is None:
            row = self.conn.execute(_INSERT_RECORD, values).fetchone()
            if row is None:  # the id is held: only possible when it was expected to be new
                self._seq = columns["seq"] - 1
                held = self.conn.execute("SELECT version FROM records WHERE id = ?",
                                         (record_id,)).fetchone()[0]
                raise _conflict(record_id, 0, held)
            rowid = int(row[0])
        else:
            rowid = int(old[0])
            self.conn.execute(_UPDATE_RECORD, [*values, rowid])
        hidden = self.is_hidden(record_id, columns["origin"], columns["kind"])
        self.index(rowid, record, deleted=bool(columns["deleted"]) or hidden,
                   fresh=old is None, derived=derived)
        if columns["kind"] == "Node":
            self.keep_descriptor_version(record, body)
        return row_to_record(values)

    def index(self, rowid: int, record: dict[str, Any], *, deleted: bool,
              fresh: bool = False, derived: IndexEntries | None = None) -> None:
        """Replace the derived index entries (text, facets, keys) of one record (``derived``:
        computed beforehand, e.g. by the sync's checking processes)."""
        if not fresh:
            self.conn.execute("DELETE FROM facet_postings WHERE record = ?", (rowid,))
            self.drop_text(rowid)
        if deleted:
            return
        if derived is None:
            derived = index_entries(record)
        kind = str(record.get("type"))
        pairs = [(facet_key(kind, f), v) for f, v in derived.facets]
        pairs.append((facet_key(kind, "origin"), str(record.get("origin"))))
        text = derived.text
        pairs.extend((facet_key(kind, f), v) for f, v in text.inferred)
        self.conn.executemany(
            "INSERT INTO facet_postings (key, record) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, rowid) for key in dict.fromkeys(self.keys.ids(self.conn, pairs))])
        self.add_text(rowid, (text.name, text.description, text.body, text.concepts))
        if record.get("type") == "Node":
            self._index_keys(record)

    def add_text(self, rowid: int, texts: tuple[str, str, str, str]) -> None:
        """Insert a record's analysed columns with their tokens."""
        cut = [tokens(text) for text in texts]
        count = sum(len(c) for c in cut)
        self.conn.execute(_TEXT_INSERT, (rowid, *(_clean(t) for t in texts), *cut, count))
        self._text_rows += 1
        self._text_tokens += count

    def drop_text(self, rowid: int) -> None:
        """Delete a record's text row, if it has one."""
        row = self.conn.execute("DELETE FROM record_text WHERE rowid = ? RETURNING tokens",
                                (rowid,)).fetchone()
        if row is not None:
            self._text_rows -= 1
            self._text_tokens -= int(row[0])

    def _index_keys(self, descriptor: dict[str, Any]) -> None:
        origin = descriptor["id"]
        self.conn.execute("DELETE FROM keys WHERE origin = ?", (origin,))
        for key in descriptor.get("verificationMethod", []):
            if isinstance(key, dict):
                self.conn.execute(
                    "INSERT INTO keys (id, origin, public_key, created, retired) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET origin = "
                    "excluded.origin, public_key = excluded.public_key, created = "
                    "excluded.created, retired = excluded.retired",
                    (key.get("id"), origin, key.get("publicKeyMultibase"), key.get("created"),
                     key.get("retired")))

    def keep_descriptor_version(self, record: dict[str, Any], body: bytes) -> None:
        """Add a descriptor version to its origin's history (served at /node/history)."""
        self.conn.execute(
            "INSERT INTO descriptor_history (origin, version, body) VALUES (?, ?, ?) "
            "ON CONFLICT DO NOTHING", (record["id"], int(record["version"]), body))

    def save_peer(self, state: PeerState) -> None:
        """See :meth:`Writer.save_peer` (a hostile peer's NUL never reaches a text column)."""
        clean = PeerState(**{name: _clean(value) for name, value in vars(state).items()})
        super().save_peer(clean)

    def quarantine(
        self, *, peer: str, record_id: str | None, reason: str, detail: str, body: bytes
    ) -> int:
        """See :meth:`Writer.quarantine`."""
        return super().quarantine(peer=_clean(peer), record_id=_clean(record_id),
                                  reason=_clean(reason), detail=_clean(detail), body=body)

    def schedule_retry(self, *, peer: str, record_id: str, origin: str | None, reason: str,
                       next_at: str) -> int:
        """See :meth:`Writer.schedule_retry`."""
        return super().schedule_retry(peer=_clean(peer), record_id=_clean(record_id),
                                      origin=_clean(origin), reason=_clean(reason),
                                      next_at=next_at)


def _lock_key(schema: str, purpose: str) -> int:
    """A signed 64-bit advisory lock key for one purpose in one schema."""
    digest = hashlib.blake2b(f"ncc-exchange:{schema}:{purpose}".encode(), digest_size=8)
    return int.from_bytes(digest.digest(), "big", signed=True)


class PostgresStore(SqliteStore):
    """The PostgreSQL implementation of :class:`~.base.Store`."""

    def __init__(self, url: str, *, pool_size: int = POOL_MAX) -> None:
        """Connect to ``url``: a pool of up to ``pool_size`` connections, or with 1 a single
        connection and no thread of the pool's."""
        self.url = url
        self.path = redacted(url)  # type: ignore[assignment]  # for messages
        self._write_lock = threading.Lock()
        self._facet_keys = PgFacetKeys()  # type: ignore[assignment]
        self._pool: Any
        if pool_size <= 1:
            self._pool = _OneConnection(url)
        else:
            from psycopg_pool import ConnectionPool, PoolTimeout

            self._pool = ConnectionPool(url, min_size=1, max_size=pool_size, open=False,
                                        kwargs={"autocommit": True}, timeout=POOL_TIMEOUT,
                                        name="ncc-store")
            try:
                self._pool.open(wait=True, timeout=POOL_TIMEOUT)
            except PoolTimeout as exc:
                self._pool.close()
                raise StoreError(f"cannot open database {self.path}: no connection within "
                                 f"{POOL_TIMEOUT:.0f} s") from exc
        self._reads = _PoolReader(self._pool)
        self._candidates = PgCandidateIndex(self)  # type: ignore[assignment]
        self._leading: dict[str, Any] = {}  # role -> the connection holding its lock
        self._lead_lock = threading.Lock()
        with self._pool.connection() as conn:
            self.schema = str(conn.execute("SELECT current_schema()").fetchone()[0])
        self.writer_key = _lock_key(self.schema, "writer")
        self._migrate()

    # -- connections --------------------------------------------------------------------------
    @property
    def _reader(self) -> Any:
        return self._reads

    def connection(self) -> AbstractContextManager[Any]:
        """A pooled psycopg connection (autocommit), for the leader lock and tools."""
        return self._pool.connection()

    def _migrate(self) -> None:
        with self._write_lock, self._pool.connection() as conn:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.writer_key,))
                conn.execute("CREATE TABLE IF NOT EXISTS ncc_schema (version integer NOT NULL)")
                row = conn.execute("SELECT version FROM ncc_schema").fetchone()
                if row is None:
                    conn.execute("INSERT INTO ncc_schema (version) VALUES (0)")
                version = int(row[0]) if row else 0
            if version > len(PG_MIGRATIONS):
                raise StoreError(f"database {self.path} has schema version {version}, newer "
                                 f"than this software ({len(PG_MIGRATIONS)}); upgrade "
                                 "ncc-exchange")
            for number in range(version + 1, len(PG_MIGRATIONS) + 1):
                with conn.transaction():
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.writer_key,))
                    held = int(conn.execute("SELECT version FROM ncc_schema").fetchone()[0])
                    if held >= number:  # another process migrated while this one waited
                        continue
                    if PG_MIGRATIONS[number - 1].strip():
                        conn.execute(PG_MIGRATIONS[number - 1])
                    if number == max((n for n in PG_TEXT_REBUILDS if n > version), default=0):
                        _rebuild_text(PgWriter(_Connection(conn), PgFacetKeys()))
                    conn.execute("UPDATE ncc_schema SET version = %s", (number,))

    def try_lead(self, role: str) -> bool:
        """See :meth:`Store.try_lead`: a session advisory lock on a connection of its own,
        released by the server when this process dies or loses its connection (TCP
        keepalives bound how long a dead host keeps it), so another process takes over at
        its next try."""
        import psycopg

        with self._lead_lock:
            conn = self._leading.get(role)
            if conn is not None:
                try:
                    conn.execute("SELECT 1")
                    return True
                except psycopg.Error:  # the connection is gone, and the lock with it
                    self._leading.pop(role, None)
                    conn.close()
            try:
                conn = psycopg.connect(self.url, autocommit=True, connect_timeout=10,
                                       keepalives=1, keepalives_idle=10,
                                       keepalives_interval=5, keepalives_count=3)
            except psycopg.Error:
                return False
            row = conn.execute("SELECT pg_try_advisory_lock(%s)",
                               (_lock_key(self.schema, f"lead:{role}"),)).fetchone()
            if row is None or not row[0]:
                conn.close()
                return False
            self._leading[role] = conn
            return True

    def schema_version(self) -> int:
        """The schema version of the database."""
        return int(self._reads.execute("SELECT version FROM ncc_schema").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[PgWriter]:
        with self._write_lock, self._pool.connection() as conn:
            try:
                # pipeline mode: statements whose results are not read (index rows, counters)
                # go out without waiting for the server, a round trip saved for each
                with conn.transaction(), conn.pipeline() as pipeline:
                    conn.execute("SELECT pg_advisory_xact_lock(%s)", (self.writer_key,))
                    writer = PgWriter(_Connection(conn, pipeline),
                                      self._facet_keys)  # type: ignore[arg-type]
                    yield writer
                    writer.finish()
            except BaseException:
                self._facet_keys.forget()
                raise

    def write(self) -> AbstractContextManager[Writer]:
        """See :meth:`Store.write`."""
        return self._transaction()

    def close(self) -> None:
        """See :meth:`Store.close`."""
        with self._lead_lock:
            for conn in self._leading.values():
                conn.close()
            self._leading.clear()
        self._pool.close()

    # -- records ------------------------------------------------------------------------------
    def find_by_uuid(self, kind: str, uuid: str) -> list[Any]:
        """See :meth:`Store.find_by_uuid`."""
        suffix = "/" + uuid
        rows = self._reads.execute(
            f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE kind = ? AND "
            "right(id, 37) = right(?, 37) AND right(id, ?) = ? ORDER BY id",
            (kind, suffix, len(suffix), suffix))
        return [row_to_record(row) for row in rows]

    _TEXT_MATCH = "SELECT rowid FROM record_text WHERE doc @@ ?::tsquery"
    _TEXT_COUNT = ("SELECT count(*) FROM record_text t JOIN records r ON r.rowid = t.rowid "
                   "WHERE t.doc @@ ?::tsquery AND r.kind = ? AND r.deleted = 0")
    _LAST_CHAR = "right(id, 1)"

    @staticmethod
    def _text_query(text: str) -> str | None:
        """The ``tsquery`` of a list's ``q`` (None: no word in it; a query of words without a
        token matches nothing, as in FTS5)."""
        query = fts_query(text)
        if query is None:
            return None
        node = parse(query)
        return NOTHING if node is None else to_tsquery(node)

    def reindex(self) -> int:
        """See :meth:`Store.reindex`."""
        count = 0
        with self._transaction() as writer:
            conn = writer.conn
            conn.execute("DELETE FROM facet_postings")
            conn.execute("DELETE FROM record_text")
            conn.execute("DELETE FROM keys")
            conn.execute("UPDATE counters SET value = 0 WHERE name IN ('text_rows', "
                         "'text_tokens')")
            conn.execute(REINDEXED)  # derived entries changed, no new sequence number
            for rowid, body, deleted, record_id, origin, kind in _batches(
                    conn, "SELECT rowid, body, deleted, id, origin, kind FROM records "
                    "WHERE rowid > ? ORDER BY rowid LIMIT 1000"):
                hidden = writer.is_hidden(record_id, origin, kind)
                writer.index(rowid, json.loads(body), deleted=bool(deleted) or hidden,
                             fresh=True)
                count += 1
        return count

    def save_view_skips(self, skipped: Mapping[str, tuple[int, str]]) -> None:
        """See :meth:`Store.save_view_skips`."""
        with self._transaction() as writer:
            writer.conn.execute("DELETE FROM view_skips")
            writer.conn.executemany(
                "INSERT INTO view_skips (record_id, seq, reason) VALUES (?, ?, ?)",
                [(record_id, seq, _clean(reason))
                 for record_id, (seq, reason) in skipped.items()])

    # -- scouting: FTS5's matching and bm25 over the PostgreSQL text index ----------------------
    def _text_totals(self) -> tuple[int, float]:
        """(rows of the text index, their mean token count): bm25's N and avgdl."""
        rows = dict(self._reads.execute(
            "SELECT name, value FROM counters WHERE name IN ('text_rows', 'text_tokens')")
            .fetchall())
        count = int(rows.get("text_rows", 0))
        return count, (int(rows.get("text_tokens", 0)) / count if count else 1.0)

    def _hits(self, tsquery: str) -> int:
        """How many text rows match a tsquery (cached until the next write)."""
        return int(self._cached(f"hits:{tsquery}", lambda: int(self._reads.execute(
            "SELECT count(*) FROM record_text WHERE doc @@ ?::tsquery",
            (tsquery,)).fetchone()[0])))

def _batches(conn: _Connection, statement: str) -> Iterator[tuple[Any, ...]]:
    """The rows of a keyset-paged statement (``rowid > ?``), a thousand at a time."""
    after = 0
    while True:
        rows = conn.execute(statement, (after,)).fetchall()
        if not rows:
            return
        yield from rows
        after = int(rows[-1][0])


def _rebuild_text(writer: PgWriter) -> None:
    """Derive the text index and inferred facets again from every live record."""
    conn = writer.conn
    conn.execute("DELETE FROM facet_postings WHERE key IN (SELECT id FROM facet_keys WHERE "
                 "facet LIKE '%/inferred_%')")
    conn.execute("DELETE FROM record_text")
    conn.execute("UPDATE counters SET value = 0 WHERE name IN ('text_rows', 'text_tokens')")
    conn.execute(REINDEXED)
    hidden = ""
    if conn.execute("SELECT to_regclass('hidden')").fetchone()[0] is not None:
        hidden = f" AND NOT {HIDDEN_ROW}"  # hidden records keep no index entries
    for rowid, body in _batches(conn, f"SELECT rowid, body FROM records r WHERE deleted = 0"
                                      f"{hidden} AND rowid > ? ORDER BY rowid LIMIT 1000"):
        record = json.loads(body)
        text = index_text(record, facet_values(record))
        kind = str(record.get("type"))
        pairs = [(facet_key(kind, f), v) for f, v in text.inferred]
        conn.executemany(
            "INSERT INTO facet_postings (key, record) VALUES (?, ?) ON CONFLICT DO NOTHING",
            [(key, rowid) for key in writer.keys.ids(conn, pairs)])
        writer.add_text(rowid, (text.name, text.description, text.body, text.concepts))
    writer.finish()


__all__ = ["PostgresStore", "is_postgres", "redacted"]
