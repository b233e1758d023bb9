"""Persistence: the store interface and its SQLite implementation (architecture §7)."""

from pathlib import Path

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


def open_store(location: str | Path, *, connections: int = 10) -> Store:
    """Open the store at ``location``: a ``postgresql://`` URL (a pool of up to
    ``connections``; 1: one connection, no pool threads), else a SQLite file."""
    from .postgres import PostgresStore, is_postgres

    if is_postgres(location):
        return PostgresStore(str(location), pool_size=connections)
    return SqliteStore(location)


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
    "open_store",
]
