"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from .base import (
    AuditEntry,
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
    User,
    Writer,
)
from .derive import Derived, derive
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query

__all__ = [
    "AuditEntry",
    "Derived",
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
    "User",
    "Writer",
    "derive",
    "fts_query",
    "make_etag",
]
