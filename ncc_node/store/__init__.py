"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from .base import (
    Draft,
    HeldRecord,
    Hidden,
    OriginDigest,
    PeerState,
    QuarantineEntry,
    RecordFilter,
    Replication,
    RetryEntry,
    Store,
    StoredRecord,
    TextHit,
    Token,
    Writer,
)
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query

__all__ = [
    "Draft",
    "HeldRecord",
    "Hidden",
    "OriginDigest",
    "PeerState",
    "QuarantineEntry",
    "RecordFilter",
    "Replication",
    "RetryEntry",
    "SqliteStore",
    "Store",
    "StoredRecord",
    "TextHit",
    "Token",
    "Writer",
    "fts_query",
    "make_etag",
]
