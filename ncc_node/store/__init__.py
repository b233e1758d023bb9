"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from .base import (
    CandidateIndex,
    Criteria,
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
    WordMatch,
    Writer,
)
from .derive import IndexEntries, index_entries
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query

__all__ = [
    "CandidateIndex",
    "Criteria",
    "IndexEntries",
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
    "WordMatch",
    "Writer",
    "fts_query",
    "index_entries",
    "make_etag",
]
