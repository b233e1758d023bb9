"""One hash over what a node holds, so operators and tests can check that nodes agree (issue 5).

``digest(store)`` is the hex SHA-256 over the sorted lines ``<id>\\t<version>\\t<proofValue>\\n``,
one per record the node holds: its own and merged records, tombstones and node descriptors.
Two nodes that hold the same signed states of the same records have the same digest, whatever
order they received them in.
"""

from __future__ import annotations

import hashlib

from ..store import Store


def digest_lines(store: Store) -> list[str]:
    """The sorted ``id\\tversion\\tproofValue`` lines the digest is computed over."""
    return sorted(f"{r.id}\t{r.version}\t{r.proof_value}" for r in store.iter_records())


def hash_lines(lines: list[str]) -> str:
    """Hex SHA-256 over ``lines``, each followed by a newline."""
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line.encode("utf-8") + b"\n")
    return hasher.hexdigest()


def digest(store: Store) -> str:
    """Hex SHA-256 over the sorted ``id\\tversion\\tproofValue`` lines of every stored record."""
    return hash_lines(digest_lines(store))
