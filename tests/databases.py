"""The database a test's store lives in: a SQLite file, or a PostgreSQL schema of its own.

With ``NCC_TEST_DATABASE=postgresql://…`` set, every test node and store fixture gets a fresh
schema in that database (``CREATE SCHEMA``, then ``search_path`` in the URL), named after the
test's folder and this run, so a node reopened from the same folder finds its data again and no
two tests (or runs) share one. The schemas of a run are dropped at its end (tests/conftest.py).
Unset, stores are SQLite files in the test's folder, as always.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest

TEST_DATABASE = os.environ.get("NCC_TEST_DATABASE") or None
# one token per run, inherited by the processes a test starts (they compute the same schema)
RUN = os.environ.setdefault("NCC_TEST_RUN", uuid.uuid4().hex[:10])
SCHEMA_PREFIX = f"ncc_test_{RUN}_"

#: Skips a test that looks inside SQLite itself (its files, pragmas, locks).
sqlite_only = pytest.mark.skipif(TEST_DATABASE is not None,
                                 reason="checks SQLite itself (NCC_TEST_DATABASE is set)")
#: Skips a test that needs a PostgreSQL server (NCC_TEST_DATABASE unset).
postgres_only = pytest.mark.skipif(TEST_DATABASE is None,
                                   reason="needs NCC_TEST_DATABASE=postgresql://…")


def with_schema(url: str, schema: str) -> str:
    """``url`` with ``search_path`` set to ``schema``."""
    return f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"


def create_schema(name: str) -> str:
    """Create a schema in the test server (if missing) and return the URL that uses it."""
    import psycopg

    assert TEST_DATABASE is not None
    with psycopg.connect(TEST_DATABASE, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
    return with_schema(TEST_DATABASE, name)


def test_database(folder: Path, name: str = "node.db") -> str | Path:
    """Where a store for ``folder`` lives: ``folder/name``, or a PostgreSQL schema of its own."""
    if TEST_DATABASE is None:
        return folder / name
    digest = hashlib.blake2b(f"{folder.resolve()}/{name}".encode(), digest_size=8).hexdigest()
    return create_schema(SCHEMA_PREFIX + digest)


def drop_schemas() -> None:
    """Drop every schema this run created."""
    import psycopg

    if TEST_DATABASE is None:
        return
    with psycopg.connect(TEST_DATABASE, autocommit=True) as conn:
        names = [r[0] for r in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE starts_with(nspname, %s)",
            (SCHEMA_PREFIX,))]
        for schema in names:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


test_database.__test__ = False  # type: ignore[attr-defined]  # not a test, despite its name
