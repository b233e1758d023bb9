"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from pathlib import Path

from .base import (
    AuditEntry,
    CandidateIndex,
    Criteria,
    Draft,
    HeldRecord,
    Hidden,
    OriginDigest,
    PeerState,
    PushSubscriber,
    QuarantineEntry,
    RecordFilter,
    Replication,
    RetryEntry,
    Store,
    StoredRecord,
    TextHit,
    Token,
    User,
    WordMatch,
    Writer,
)
from .derive import IndexEntries, index_entries
from .recordrow import make_etag
from .sqlite import SqliteStore, fts_query


def open_store(location: str | Path, *, connections: int = 10) -> Store:
    """Open the store at ``location``: a ``postgresql://`` URL (a pool of up to
    ``connections``; 1: one connection, no pool threads), else a SQLite file."""
    from .postgres import PostgresStore, is_postgres

    if is_postgres(location):
        return PostgresStore(str(location), pool_size=connections)
    return SqliteStore(location)


__all__ = [
    "AuditEntry",
    "CandidateIndex",
    "Criteria",
    "Draft",
    "HeldRecord",
    "Hidden",
    "IndexEntries",
    "OriginDigest",
    "PeerState",
    "PushSubscriber",
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
    "WordMatch",
    "Writer",
    "fts_query",
    "index_entries",
    "make_etag",
    "open_store",
]
