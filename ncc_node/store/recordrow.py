"""The columns of a stored record, derived from its signed JSON, and back."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from .base import StoredRecord

RECORD_COLUMNS = (
    "id", "kind", "origin", "version", "modified", "deleted", "seq", "body", "etag",
    "proof_value", "identifier", "received_from", "received_at",
)


def make_etag(version: int, body: bytes) -> str:
    """A strong ETag: the version and a digest of the exact stored body."""
    return f'"{version}-{hashlib.sha256(body).hexdigest()[:20]}"'


def _proof_value(record: dict[str, Any]) -> str:
    proof = record.get("proof")
    proofs = proof if isinstance(proof, list) else [proof]
    values = [p.get("proofValue", "") for p in proofs if isinstance(p, dict)]
    return " ".join(v for v in values if isinstance(v, str))


def record_columns(record: dict[str, Any], body: bytes) -> dict[str, Any]:
    """Return the stored columns of a signed record (seq and reception are added by the store)."""
    tombstone = record.get("type") == "Tombstone"
    kind = record.get("formerType") if tombstone else record.get("type")
    identifier = record.get("identifier")
    return {
        "id": record["id"],
        "kind": kind,
        "origin": record["origin"],
        "version": int(record["version"]),
        "modified": record["modified"],
        "deleted": 1 if tombstone else 0,
        "body": body,
        "etag": make_etag(int(record["version"]), body),
        "proof_value": _proof_value(record),
        "identifier": identifier if isinstance(identifier, str) else None,
    }


def row_to_record(row: Sequence[Any]) -> StoredRecord:
    """Build a :class:`StoredRecord` from a row in :data:`RECORD_COLUMNS` order."""
    (record_id, kind, origin, version, modified, deleted, seq, body, etag, proof_value,
     identifier, received_from, received_at) = row
    return StoredRecord(record_id, kind, origin, version, modified, bool(deleted), seq,
                        bytes(body), etag, proof_value, identifier, received_from, received_at)


IN_CHUNK = 500  # values per IN list: far below SQLite's host-parameter limit


def records_in(conn: sqlite3.Connection, column: str,
               values: Sequence[Any]) -> Iterator[tuple[Any, StoredRecord]]:
    """The records whose ``column`` (``id`` or ``rowid``) is one of ``values``, each with that
    column's value, read with IN lists of at most :data:`IN_CHUNK` values."""
    columns = ", ".join(RECORD_COLUMNS)
    for start in range(0, len(values), IN_CHUNK):
        chunk = values[start:start + IN_CHUNK]
        rows = conn.execute(f"SELECT {column}, {columns} FROM records WHERE {column} IN "
                            f"({', '.join('?' for _ in chunk)})", chunk)
        for row in rows:
            yield row[0], row_to_record(row[1:])
