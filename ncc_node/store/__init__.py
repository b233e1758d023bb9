"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from .base import (
    PeerState,
    QuarantineEntry,
    RecordFilter,
    Replication,
    Store,
    StoredRecord,
    Token,
    Writer,
)
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query

__all__ = [
    "PeerState",
    "QuarantineEntry",
    "RecordFilter",
    "Replication",
    "SqliteStore",
    "Store",
    "StoredRecord",
    "Token",
    "Writer",
    "fts_query",
    "make_etag",
]
