"""The SQLite candidate index (:class:`~ncc_node.store.CandidateIndex`): scouting's indexed reads.

Every statement is a constant: facet key ids reach SQL as JSON parameters (read with
``json_each``) and text as a bound FTS5 MATCH expression, never pasted into SQL. The criteria of
the newest records and of the full-text window are checked in memory, against the postings held
by :class:`~.posting_cache.PostingCache`, through one registered SQL function. Each read is
driven by one index (a facet key's postings, newest first, or the full-text index) or by the
held sets, and stops at its ``limit``/``window``, so what scouting scores stays bounded at any
store size. Which records to ask for, and why, is decided in :mod:`ncc_node.scout`.

Which records replicate or adapt which is not in the facets table; it is kept in memory per
store (:class:`ReplicationLinks`) and caught up by sequence number before each use, so records
written by another process (``ncc sync``, ``ncc import``) are seen as well.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
import threading
from collections.abc import Callable, Sequence
from typing import Any

from vocab import fold

from .base import CandidateIndex, Criteria, Replication, StoredRecord, TextHit, WordMatch
from .derive import facet_values
from .posting_cache import EMPTY, MEETS_FUNCTION, PostingCache, Rowids
from .recordrow import RECORD_COLUMNS, row_to_record
from .textquery import match_expression

LINK_TERMS = ("replicates", "adapts")
# at most this many records meet the required facets: the newest are picked in memory
NEWEST_IN_MEMORY = 10_000

# -- the statements (constants). Criteria are JSON parameters of facet key ids: :all, keys a
# record must all carry (one probe each); :require, groups of alternatives (arrays), one of
# each group; :exclude, keys it must not carry -----------------------------------------------
_KEYS = ("SELECT k.facet, k.value, k.id FROM json_each(?) j JOIN facet_keys k "
         "ON k.facet = json_extract(j.value, '$[0]') AND k.value = json_extract(j.value, '$[1]')")
_KIND_KEYS = "SELECT id FROM facet_keys WHERE facet = ?"
# a row (rowid :r) meets the criteria: every group has a key it carries, no excluded key
_MEETS = """NOT EXISTS (SELECT 1 FROM json_each(:all) a WHERE NOT EXISTS (
        SELECT 1 FROM facet_postings q WHERE q.key = a.value AND q.record = {r}))
    AND NOT EXISTS (SELECT 1 FROM json_each(:require) g WHERE NOT EXISTS (
        SELECT 1 FROM facet_postings q WHERE q.record = {r}
        AND q.key IN (SELECT value FROM json_each(g.value))))
    AND NOT EXISTS (SELECT 1 FROM facet_postings x WHERE x.record = {r}
        AND x.key IN (SELECT value FROM json_each(:exclude)))"""
# the newest postings of one key (or of the kind's origin keys) that meet the criteria
_NEWEST = ("SELECT p.record FROM facet_postings p WHERE p.key IN (SELECT value FROM "
           f"json_each(:drivers)) AND {MEETS_FUNCTION}(p.record) ORDER BY p.record DESC "
           "LIMIT :limit")
# text drives: FTS5 walks its doclist by rowid, newest first; each row is checked against the
# criteria in memory (posting_cache), and bm25 is computed for the rows kept only
_TEXT_WINDOW = ("SELECT rowid, bm25(record_text, :w_name, :w_description, :w_body, "
                ":w_concepts) FROM record_text WHERE record_text MATCH :match AND "
                f"{MEETS_FUNCTION}(rowid) ORDER BY rowid DESC LIMIT :window")
_TEXT_COLUMNS = ("SELECT rowid, name, description, body, concepts FROM record_text "
                 "WHERE rowid IN (SELECT value FROM json_each(?))")
_SHARING = ("SELECT p.record, count(*) AS shared FROM facet_postings p WHERE p.key IN "
            "(SELECT value FROM json_each(:drivers)) AND " + _MEETS.format(r="p.record")
            + " GROUP BY p.record ORDER BY shared DESC, p.record DESC LIMIT :limit")
_BY_ROWIDS = (f"SELECT rowid, {', '.join(RECORD_COLUMNS)} FROM records "
              "WHERE rowid IN (SELECT value FROM json_each(?))")
_ANALYSED = ("SELECT t.name, t.description, t.body, t.concepts FROM records r JOIN record_text "
             "t ON t.rowid = r.rowid WHERE r.id = ? AND r.deleted = 0")
_DOC_COUNT = "SELECT doc FROM record_terms WHERE term = ?"
_SEQ = "SELECT value FROM counters WHERE name = 'seq'"
_LIVE = "SELECT count(*) FROM records WHERE deleted = 0"
_IDS_WITH = ("SELECT r.id FROM facets f JOIN records r ON r.rowid = f.record "
             "WHERE f.facet = ? AND f.value = ?")
_LINKS = ("SELECT id, seq, deleted, CASE WHEN instr(body, '\"replicates\"') > 0 "
          "OR instr(body, '\"adapts\"') > 0 THEN body END FROM records WHERE seq > ? "
          "ORDER BY seq")


_HIDDEN = "SELECT target, scope FROM hidden"  # what moderation hides (docs/web.md)


class ReplicationLinks:
    """Which live records replicate/adapt which, caught up from the records table by seq."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seq = 0
        self._by_source: dict[str, list[tuple[str, Replication]]] = {}  # source -> (target, link)
        self._by_target: dict[str, dict[str, Replication]] = {}  # target -> source -> link

    def catch_up(self, conn: sqlite3.Connection) -> None:
        """Apply every record written since the last call (the first call reads them all)."""
        with self._lock:
            # Only bodies that mention a link term are decoded; instr() on the blob is a byte
            # search, far cheaper than parsing 100,000 JSON documents.
            rows = conn.execute(_LINKS, (self._seq,)).fetchall()
            for record_id, seq, deleted, body in rows:
                self._drop(record_id)
                if body is not None and not deleted:
                    self._add(record_id, json.loads(body))
                self._seq = max(self._seq, int(seq))

    def _drop(self, source: str) -> None:
        for target, _ in self._by_source.pop(source, []):
            links = self._by_target.get(target)
            if links is not None:
                links.pop(source, None)
                if not links:
                    del self._by_target[target]

    def _add(self, source: str, record: dict[str, object]) -> None:
        countries = tuple(v for f, v in facet_values(record) if f == "country")
        entries = []
        for relation in LINK_TERMS:
            value = record.get(relation)
            for target in value if isinstance(value, list) else [value]:
                if isinstance(target, str):
                    link = Replication(source, relation, countries)
                    entries.append((target, link))
                    self._by_target.setdefault(target, {})[source] = link
        if entries:
            self._by_source[source] = entries

    def of(self, target: str) -> list[Replication]:
        """Return the live records replicating or adapting ``target``, by id."""
        with self._lock:
            links = self._by_target.get(target, {})
            return [links[k] for k in sorted(links)]


class _Keys:
    """Criteria as facet key ids, the shape the statements read."""

    def __init__(self, conn: sqlite3.Connection, criteria: Criteria,
                 extra: Sequence[tuple[str, str]] = ()) -> None:
        kind = criteria.kind
        pairs = {(f"{kind}/{f}", v) for group in criteria.require for f, v in group}
        pairs |= {(f"{kind}/{f}", v) for f, v in (*criteria.exclude, *extra)}
        found = {(f, v): int(i) for f, v, i in conn.execute(
            _KEYS, (json.dumps(sorted(pairs)),))}

        def ids(group: Sequence[tuple[str, str]]) -> list[int]:
            return sorted({found[p] for f, v in group if (p := (f"{kind}/{f}", v)) in found})

        self.require = [ids(group) for group in criteria.require]
        # a group none of whose pairs any record carries: no record can meet the criteria
        self.impossible = any(not group for group in self.require)
        self.exclude = ids(criteria.exclude)
        self.extra = ids(extra)
        self.kind = [int(r[0]) for r in conn.execute(_KIND_KEYS, (f"{kind}/origin",))]

    def params(self) -> dict[str, str]:
        """The :all, :require and :exclude parameters."""
        return {"all": json.dumps([g[0] for g in self.require if len(g) == 1]),
                "require": json.dumps([g for g in self.require if len(g) > 1]),
                "exclude": json.dumps(self.exclude)}

    def meeting(self, conn: sqlite3.Connection, cache: PostingCache
                ) -> tuple[Rowids, Rowids]:
        """The records meeting every required group (of the kind, when none is required:
        facet keys are per kind, so a required key implies it), and those excluded."""
        groups = sorted((cache.union(conn, group) for group in self.require), key=len)
        base = groups[0] if groups else cache.union(conn, self.kind)
        for other in groups[1:]:
            base = base & other
        return base, cache.union(conn, self.exclude)


def without_hidden(conn: Any, found: dict[str, list[Replication]]
                   ) -> dict[str, list[Replication]]:
    """The replications less those this node hides (the record, or its origin): a hidden
    replication counts for nothing here (``conn``: either store's reader)."""
    hidden = conn.execute(_HIDDEN).fetchall()
    if not hidden:
        return found
    records = {t for t, scope in hidden if scope == "record"}
    bases = tuple(t.removesuffix("node") for t, scope in hidden if scope == "origin")
    return {record_id: [link for link in links if link.id not in records
                        and not (bases and link.id.startswith(bases))]
            for record_id, links in found.items()}


class SqliteCandidateIndex(CandidateIndex):
    """The candidate index of one SQLite store; reads on the calling thread's connection."""

    def __init__(self, reader: Callable[[], sqlite3.Connection]) -> None:
        self._reader = reader
        self._links = ReplicationLinks()
        self._live: tuple[int, int] | None = None  # (seq, live records) until the next write
        self._postings = PostingCache()
        self._local = threading.local()  # per reading thread: its connection's criteria

    def _records(self, rowids: Sequence[int]) -> dict[int, StoredRecord]:
        rows = self._reader().execute(_BY_ROWIDS, (json.dumps(list(rowids)),))
        return {int(row[0]): row_to_record(row[1:]) for row in rows}

    def _in_order(self, rowids: Sequence[int]) -> list[StoredRecord]:
        records = self._records(rowids)
        return [records[r] for r in rowids if r in records]

    def _meets(self, conn: sqlite3.Connection, keys: _Keys) -> tuple[Rowids, Rowids]:
        """The criteria in memory, and set as what :data:`MEETS_FUNCTION` tells on ``conn``."""
        self._postings.refresh(conn)
        base, excluded = keys.meeting(conn, self._postings)
        if excluded and len(base) <= NEWEST_IN_MEMORY:
            base, excluded = base - excluded, EMPTY  # one probe per row, not two
        held: list[Rowids] | None = getattr(self._local, "meets", None)
        if held is None or getattr(self._local, "conn", None) is not conn:
            # once per connection: the function reads the criteria of the thread's query
            held = [EMPTY, EMPTY]
            conn.create_function(MEETS_FUNCTION, 1,
                                 lambda r: r in held[0] and r not in held[1])
            self._local.conn, self._local.meets = conn, held
        held[:] = base, excluded
        return base, excluded

    def newest(self, criteria: Criteria, *, limit: int) -> list[StoredRecord]:
        """See :meth:`CandidateIndex.newest`."""
        conn = self._reader()
        keys = _Keys(conn, criteria)
        if keys.impossible:
            return []
        base, excluded = self._meets(conn, keys)
        if len(keys.require) > 1 or len(base) <= NEWEST_IN_MEMORY:
            rowids = heapq.nlargest(limit, base - excluded if excluded else base)
        else:
            # many records to choose from: a key every one carries drives, newest first, and
            # the walk stops at the limit (most rows walked meet the criteria)
            single = [group for group in keys.require if len(group) == 1]
            drivers = single[0] if single else keys.kind
            rowids = [int(r[0]) for r in conn.execute(_NEWEST, {
                "drivers": json.dumps(drivers), "limit": limit})]
        return self._in_order(rowids)

    def text_matches(
        self,
        criteria: Criteria,
        words: Sequence[WordMatch],
        *,
        window: int,
        limit: int,
        column_weights: tuple[float, float, float, float],
    ) -> list[tuple[StoredRecord, TextHit]]:
        """See :meth:`CandidateIndex.text_matches`."""
        match = match_expression(words)
        conn = self._reader()
        keys = _Keys(conn, criteria)
        if match is None or keys.impossible:
            return []
        base, _ = self._meets(conn, keys)
        if not base:
            return []
        name, description, body, concepts = column_weights
        window_rows = conn.execute(_TEXT_WINDOW, {
            "match": match, "window": window, "w_name": name, "w_description": description,
            "w_body": body, "w_concepts": concepts})
        # lower bm25 is better; ties: the newer record first
        best = sorted(((float(score), -int(rowid)) for rowid, score in window_rows))[:limit]
        rowids = [-negated for _, negated in best]
        columns = {int(r[0]): r[1:] for r in conn.execute(_TEXT_COLUMNS,
                                                           (json.dumps(rowids),))}
        records = self._records(rowids)
        return [(records[r], TextHit(score, *columns[r])) for (score, _), r in zip(best, rowids,
                                                                                 strict=True)
                if r in records and r in columns]

    def document_counts(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """See :meth:`CandidateIndex.document_counts`."""
        conn = self._reader()
        seq = int(conn.execute(_SEQ).fetchone()[0])
        if self._live is None or self._live[0] != seq:
            self._live = (seq, int(conn.execute(_LIVE).fetchone()[0]))
        counts = {}
        # one ``term = ?`` probe per term: an IN list would make fts5vocab walk everything
        for term in dict.fromkeys(terms):
            row = conn.execute(_DOC_COUNT, (fold(term),)).fetchone()
            counts[term] = int(row[0]) if row else 0
        return self._live[1], counts

    def analysed_text(self, record_id: str) -> TextHit | None:
        """See :meth:`CandidateIndex.analysed_text`."""
        row = self._reader().execute(_ANALYSED, (record_id,)).fetchone()
        return None if row is None else TextHit(0.0, row[0], row[1], row[2], row[3])

    def sharing(self, criteria: Criteria, concepts: Sequence[tuple[str, str]], *,
                limit: int) -> list[tuple[StoredRecord, int]]:
        """See :meth:`CandidateIndex.sharing`."""
        conn = self._reader()
        keys = _Keys(conn, criteria, concepts)
        if keys.impossible or not keys.extra:
            return []
        rows = conn.execute(_SHARING, {"drivers": json.dumps(keys.extra), "limit": limit,
                                       **keys.params()}).fetchall()
        records = self._records([int(r[0]) for r in rows])
        return [(records[int(r[0])], int(r[1])) for r in rows if int(r[0]) in records]

    def replications(self, ids: Sequence[str]) -> dict[str, list[Replication]]:
        """See :meth:`CandidateIndex.replications`."""
        conn = self._reader()
        self._links.catch_up(conn)
        return without_hidden(conn, {record_id: self._links.of(record_id) for record_id in ids})

    def ids_with(self, kind: str, facet: str, value: str) -> frozenset[str]:
        """See :meth:`CandidateIndex.ids_with`."""
        rows = self._reader().execute(_IDS_WITH, (f"{kind}/{facet}", value))
        return frozenset(str(r[0]) for r in rows)


__all__ = ["ReplicationLinks", "SqliteCandidateIndex", "without_hidden"]
