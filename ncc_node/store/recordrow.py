"""The columns of a stored record, derived from its signed JSON, and back."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
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
