"""Facet postings held in memory, for the SQLite candidate index's criteria checks.

Checking scouting's criteria inside SQL, per full-text match, took correlated subqueries on
``facet_postings`` for every row walked (a facet key each, and the JSON parameters parsed again
each time), several times what walking the match itself costs. Here the postings of the facet
keys that queries ask about are held as sets of record rowids: a record meets the criteria when
it is in the intersection of the required groups and not among the excluded, which one
registered SQL function (:data:`MEETS_FUNCTION`) tells the full-text walk per row.

The sets are keyed on the store's counters. A higher ``seq`` is caught up: every record written
since is looked up again, and each held set it touches is replaced (never changed in place, so
a query running on another thread keeps the sets it began with). A change of ``moderation``
(hiding or unhiding re-derives postings) or ``reindex`` (:meth:`Store.reindex` re-derives them
all), both without a new sequence number, or a ``seq`` that went back, drops every set.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence

import orjson

#: the SQL function telling whether a rowid meets the criteria of the running query
MEETS_FUNCTION = "ncc_meets"
CATCH_UP_MAX = 2000  # more records written since the sets were read: read them afresh

#: run by every rebuild of derived index entries that hands out no sequence number
REINDEXED = "UPDATE counters SET value = value + 1 WHERE name = 'reindex'"
_COUNTERS = "SELECT name, value FROM counters WHERE name IN ('seq', 'moderation', 'reindex')"
# one JSON array per key: decoding it is about twice as fast as fetching a row per record
_POSTINGS = "SELECT json_group_array(record) FROM facet_postings WHERE key = ?"
_CHANGED = "SELECT rowid FROM records WHERE seq > ? LIMIT ?"
_CHANGED_POSTINGS = ("SELECT key, record FROM facet_postings WHERE record IN "
                     "(SELECT value FROM json_each(?))")

Rowids = frozenset[int]
EMPTY: Rowids = frozenset()


class PostingCache:
    """The postings of facet keys as rowid sets, current as of the store's counters."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state: tuple[int, int, int] | None = None  # seq, moderation, reindex
        self._sets: dict[int, Rowids] = {}
        self._unions: dict[tuple[int, ...], Rowids] = {}

    def refresh(self, conn: sqlite3.Connection) -> None:
        """Bring the held sets up to the store's counters (one small read when unchanged)."""
        with self._lock:
            counters = {str(name): int(value) for name, value in conn.execute(_COUNTERS)}
            state = (counters.get("seq", 0), counters.get("moderation", 0),
                     counters.get("reindex", 0))
            old, self._state = self._state, state
            if old == state:
                return
            self._unions.clear()
            if old is None or old[1:] != state[1:] or state[0] < old[0] or not self._sets:
                self._sets.clear()
                return
            changed = [int(r[0]) for r in conn.execute(_CHANGED, (old[0], CATCH_UP_MAX + 1))]
            if len(changed) > CATCH_UP_MAX:
                self._sets.clear()
                return
            # a record written since may have lost postings (its old ones are gone from the
            # table), so each is taken out of every held set and put back where it is now
            gone = frozenset(changed)
            now: dict[int, set[int]] = {}
            for key, record in conn.execute(_CHANGED_POSTINGS, (json.dumps(changed),)):
                if key in self._sets:
                    now.setdefault(int(key), set()).add(int(record))
            for key, held in list(self._sets.items()):
                added = now.get(key, set())
                if added - held or gone & held - added:
                    self._sets[key] = (held - gone) | added

    def _postings(self, conn: sqlite3.Connection, key: int) -> Rowids:
        held = self._sets.get(key)
        if held is None:
            held = self._sets[key] = frozenset(
                orjson.loads(conn.execute(_POSTINGS, (key,)).fetchone()[0]))
        return held

    def union(self, conn: sqlite3.Connection, keys: Sequence[int]) -> Rowids:
        """The records carrying any of ``keys`` (kept until the next change)."""
        group = tuple(sorted(set(keys)))
        with self._lock:
            found = self._unions.get(group)
            if found is None:
                if not group:
                    found = EMPTY
                elif len(group) == 1:
                    found = self._postings(conn, group[0])
                else:
                    found = frozenset().union(*(self._postings(conn, k) for k in group))
                self._unions[group] = found
            return found


__all__ = ["CATCH_UP_MAX", "EMPTY", "MEETS_FUNCTION", "REINDEXED", "PostingCache", "Rowids"]
