"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from .base import (
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
from .derive import Derived, derive
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query

__all__ = [
    "Derived",
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
    "derive",
    "fts_query",
    "make_etag",
]
