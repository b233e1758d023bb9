"""What the sync needs beyond records: bounded quarantine, retries, digests, descriptor history.

Mixins of :class:`~ncc_node.store.sqlite.SqliteStore` (reads, on its reader connection) and of
its writer (writes, inside the caller's transaction), kept apart from the record SQL.

Digests (protocol.md §6.1) are SHA-256 over the sorted lines ``<id>\\t<version>\\t<proofValue>\\n``
of one origin's records, the same lines as :mod:`ncc_node.digest`; a *bucket* is the records of
an origin whose id ends in one character (a UUID's last hex digit), so a receiver that differs
can compare sixteen smaller digests and list only the buckets that differ.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Sequence
from typing import Any

from ..timestamps import format_timestamp, utc_now
from .base import OriginDigest, RetryEntry

__all__ = ["SyncReads", "SyncWrites", "lines_digest"]


def lines_digest(rows: Sequence[tuple[str, int, str]]) -> str:
    """Hex SHA-256 over ``id\\tversion\\tproofValue\\n`` of ``rows`` (already sorted by id)."""
    hasher = hashlib.sha256()
    for record_id, version, proof_value in rows:
        hasher.update(f"{record_id}\t{version}\t{proof_value}\n".encode())
    return hasher.hexdigest()


class SyncReads:
    """Read side (a mixin: ``_reader`` and ``last_seq`` come from the store)."""

    _LAST_CHAR = "substr(id, -1)"  # an id's bucket (PostgreSQL: right(id, 1))
    _digest_cache: dict[str, tuple[int, Any]]
    _digest_lock: threading.Lock

    @property
    def _reader(self) -> sqlite3.Connection:  # provided by SqliteStore
        raise NotImplementedError

    def last_seq(self) -> int:  # provided by SqliteStore
        raise NotImplementedError

    def _cached(self, key: str, compute: Any) -> Any:
        """``compute()``, remembered until the next write (every write takes a new seq)."""
        if not hasattr(self, "_digest_cache"):
            self._digest_cache, self._digest_lock = {}, threading.Lock()
        seq = self.last_seq()
        with self._digest_lock:
            held = self._digest_cache.get(key)
            if held is not None and held[0] == seq:
                return held[1]
        value = compute()
        with self._digest_lock:
            if len(self._digest_cache) > 64:
                self._digest_cache.clear()
            self._digest_cache[key] = (seq, value)
        return value

    def origin_digests(self, origin: str | None = None) -> dict[str, OriginDigest]:
        """Count and digest of each origin's records (or of one origin's), by origin."""
        def compute() -> dict[str, OriginDigest]:
            where, params = ("WHERE origin = ?", (origin,)) if origin is not None else ("", ())
            rows = self._reader.execute(
                f"SELECT origin, id, version, proof_value FROM records {where} "
                "ORDER BY origin, id", params)
            found: dict[str, OriginDigest] = {}
            current: str | None = None
            lines: list[tuple[str, int, str]] = []
            for row_origin, record_id, version, proof_value in [*rows, (None, "", 0, "")]:
                if row_origin != current:
                    if current is not None:
                        found[current] = OriginDigest(len(lines), lines_digest(lines))
                    current, lines = row_origin, []
                lines.append((record_id, int(version), proof_value))
            return found
        return dict(self._cached(f"origins:{origin}", compute))

    def bucket_digests(self, origin: str) -> dict[str, OriginDigest]:
        """Count and digest of an origin's records by bucket (the id's last character)."""
        def compute() -> dict[str, OriginDigest]:
            rows = self._reader.execute(
                f"SELECT {self._LAST_CHAR}, id, version, proof_value FROM records "
                f"WHERE origin = ? ORDER BY {self._LAST_CHAR}, id", (origin,))
            buckets: dict[str, list[tuple[str, int, str]]] = {}
            for bucket, record_id, version, proof_value in rows:
                buckets.setdefault(bucket, []).append((record_id, int(version), proof_value))
            return {b: OriginDigest(len(lines), lines_digest(lines))
                    for b, lines in sorted(buckets.items())}
        return dict(self._cached(f"buckets:{origin}", compute))

    def digest_index(self, origin: str, bucket: str | None, *, after: str | None,
                     limit: int) -> list[tuple[str, int, str]]:
        """(id, version, proofValue) of an origin's records (in one bucket), by id."""
        sql = "SELECT id, version, proof_value FROM records WHERE origin = ?"
        params: list[Any] = [origin]
        if bucket is not None:
            sql += f" AND {self._LAST_CHAR} = ?"
            params.append(bucket)
        if after is not None:
            sql += " AND id > ?"
            params.append(after)
        rows = self._reader.execute(sql + " ORDER BY id LIMIT ?", [*params, limit])
        return [(str(i), int(v), str(p)) for i, v, p in rows]

    def descriptor_history(self, origin: str, *, after: int, limit: int) -> list[bytes]:
        """The versions of an origin's descriptor held with version > ``after``, in order."""
        rows = self._reader.execute(
            "SELECT body FROM descriptor_history WHERE origin = ? AND version > ? "
            "ORDER BY version LIMIT ?", (origin, after, limit))
        return [bytes(body) for (body,) in rows]

    def due_retries(self, peer: str, *, now: str, limit: int) -> list[RetryEntry]:
        """Ids received damaged or unverifiable from ``peer`` whose next retry is due."""
        rows = self._reader.execute(
            "SELECT peer, record_id, origin, reason, attempts, next_at, first_at FROM sync_retry "
            "WHERE peer = ? AND next_at <= ? ORDER BY next_at LIMIT ?", (peer, now, limit))
        return [RetryEntry(*row) for row in rows]

    def pending_retries(self) -> dict[str, int]:
        """How many ids wait for a retry, by peer."""
        rows = self._reader.execute("SELECT peer, COUNT(*) FROM sync_retry GROUP BY peer")
        return {str(peer): int(count) for peer, count in rows}

    def quarantine_size(self) -> dict[str, tuple[int, int]]:
        """(rows, times received) of the quarantine, by peer."""
        rows = self._reader.execute(
            "SELECT peer, COUNT(*), SUM(times) FROM quarantine GROUP BY peer")
        return {str(peer): (int(count), int(times or 0)) for peer, count, times in rows}


class SyncWrites:
    """Write side (a mixin of the writer: ``conn`` is its transaction's connection)."""

    conn: sqlite3.Connection

    def quarantine(
        self, *, peer: str, record_id: str | None, reason: str, detail: str, body: bytes
    ) -> int:
        """See :meth:`Writer.quarantine`: the same bytes from the same peer are kept once."""
        digest = hashlib.blake2b(body, digest_size=16).digest()
        now = format_timestamp(utc_now())
        row = self.conn.execute(
            "INSERT INTO quarantine (peer, record_id, reason, detail, body, received_at, digest, "
            "times, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?) "
            "ON CONFLICT (peer, digest) DO UPDATE SET times = quarantine.times + 1, "
            "last_seen = excluded.last_seen, reason = excluded.reason, "
            "detail = excluded.detail RETURNING id",
            (peer, record_id, reason, detail, body, now, digest, now)).fetchone()
        return int(row[0])

    def trim_quarantine(self, peer: str, *, per_peer: int, total: int) -> int:
        """Drop the oldest rows past ``per_peer`` for ``peer`` and past ``total`` in all;
        return how many were dropped (their counts stay in the peers' states)."""
        dropped = 0
        count = int(self.conn.execute(
            "SELECT COUNT(*) FROM quarantine WHERE peer = ?", (peer,)).fetchone()[0])
        if count > per_peer:
            dropped += self.conn.execute(
                "DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE peer = ? "
                "ORDER BY id LIMIT ?)", (peer, count - per_peer)).rowcount
        count = int(self.conn.execute("SELECT COUNT(*) FROM quarantine").fetchone()[0])
        if count > total:
            dropped += self.conn.execute(
                "DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine "
                "ORDER BY id LIMIT ?)", (count - total,)).rowcount
        return dropped

    def schedule_retry(self, *, peer: str, record_id: str, origin: str | None, reason: str,
                       next_at: str) -> int:
        """Note an id to ask again for (or count one more attempt); return its attempts."""
        now = format_timestamp(utc_now())
        row = self.conn.execute(
            "INSERT INTO sync_retry (peer, record_id, origin, reason, attempts, next_at, "
            "first_at) VALUES (?, ?, ?, ?, 1, ?, ?) ON CONFLICT (peer, record_id) DO UPDATE "
            "SET attempts = sync_retry.attempts + 1, next_at = excluded.next_at, "
            "reason = excluded.reason "
            "RETURNING attempts", (peer, record_id, origin, reason, next_at, now)).fetchone()
        return int(row[0])

    def clear_retry(self, peer: str, record_id: str) -> None:
        """Forget an id's retry (it verified, or the attempts are used up)."""
        self.conn.execute("DELETE FROM sync_retry WHERE peer = ? AND record_id = ?",
                          (peer, record_id))

    def keep_descriptor_version(self, record: dict[str, Any], body: bytes) -> None:
        """Add a descriptor version to its origin's history (served at /node/history)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO descriptor_history (origin, version, body) VALUES (?, ?, ?)",
            (record["id"], int(record["version"]), body))


def health_json(health: dict[str, Any]) -> str:
    """A peer's health as stored (sorted keys: stable bytes)."""
    return json.dumps(health, sort_keys=True)
