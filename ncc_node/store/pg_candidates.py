"""The PostgreSQL candidate index (:class:`~ncc_node.store.CandidateIndex`): scouting's reads.

The same questions as SQLite's (:mod:`.candidate_sql`), driven by the same indexes: a facet key's
postings walked newest first (B-tree on ``facet_postings (key, record)``), or the text index
(GIN on ``record_text.doc``), each stopping at its ``limit``/``window``. Criteria are bound as
arrays of facet key ids, text as a ``tsquery`` parameter; bm25 is FTS5's, in SQL over the
token arrays (:mod:`.pg_text`), so both backends score the same records the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vocab import fold

from .base import CandidateIndex, Criteria, Replication, StoredRecord, TextHit, WordMatch
from .candidate_sql import ReplicationLinks, without_hidden
from .pg_text import bm25_sql, idf, parse, phrases, to_tsquery, tokens
from .recordrow import RECORD_COLUMNS, row_to_record
from .textquery import match_expression

if TYPE_CHECKING:
    from .postgres import PostgresStore

_BY_ROWIDS = (f"SELECT rowid, {', '.join(RECORD_COLUMNS)} FROM records "
              "WHERE rowid = ANY(?::bigint[])")
_ANALYSED = ("SELECT t.name, t.description, t.body, t.concepts FROM records r JOIN record_text "
             "t ON t.rowid = r.rowid WHERE r.id = ? AND r.deleted = 0")
_IDS_WITH = ("SELECT r.id FROM facets f JOIN records r ON r.rowid = f.record "
             "WHERE f.facet = ? AND f.value = ?")


class _Keys:
    """Criteria as facet key ids, and the SQL condition "row r meets them"."""

    def __init__(self, store: PostgresStore, criteria: Criteria,
                 extra: Sequence[tuple[str, str]] = ()) -> None:
        kind = criteria.kind
        pairs = {(f"{kind}/{f}", v) for group in criteria.require for f, v in group}
        pairs |= {(f"{kind}/{f}", v) for f, v in (*criteria.exclude, *extra)}
        ordered = sorted(pairs)
        found = {(f, v): int(i) for f, v, i in store._reader.execute(
            "SELECT k.facet, k.value, k.id FROM facet_keys k JOIN unnest(?::text[], ?::text[]) "
            "AS p (facet, value) ON k.facet = p.facet AND k.value = p.value",
            ([f for f, _ in ordered], [v for _, v in ordered]))} if ordered else {}

        def ids(group: Sequence[tuple[str, str]]) -> list[int]:
            return sorted({found[p] for f, v in group if (p := (f"{kind}/{f}", v)) in found})

        self.require = [ids(group) for group in criteria.require]
        self.impossible = any(not group for group in self.require)
        self.exclude = ids(criteria.exclude)
        self.extra = ids(extra)
        self.kind = [int(r[0]) for r in store._reader.execute(
            "SELECT id FROM facet_keys WHERE facet = ?", (f"{kind}/origin",))]

    def meets(self, row: str, groups: Sequence[list[int]] | None = None
              ) -> tuple[str, list[Any]]:
        """SQL (and parameters) of "``row`` carries a key of each group and no excluded key"."""
        clauses, params = ["TRUE"], []
        for group in self.require if groups is None else groups:
            clauses.append("EXISTS (SELECT 1 FROM facet_postings q WHERE q.record = "
                           f"{row} AND q.key = ANY(?::bigint[]))")
            params.append(group)
        if self.exclude:
            clauses.append("NOT EXISTS (SELECT 1 FROM facet_postings x WHERE x.record = "
                           f"{row} AND x.key = ANY(?::bigint[]))")
            params.append(self.exclude)
        return " AND ".join(clauses), params

    def driver(self) -> tuple[int | None, list[list[int]]]:
        """A key every candidate carries (the first group of one key), and the rest."""
        for index, group in enumerate(self.require):
            if len(group) == 1:
                return group[0], self.require[:index] + self.require[index + 1:]
        return None, self.require


class PgCandidateIndex(CandidateIndex):
    """The candidate index of one PostgreSQL store."""

    def __init__(self, store: PostgresStore) -> None:
        self._store = store
        self._links = ReplicationLinks()
        self._live: tuple[int, int] | None = None

    def _records(self, rowids: Sequence[int]) -> dict[int, StoredRecord]:
        rows = self._store._reader.execute(_BY_ROWIDS, (list(rowids),))
        return {int(row[0]): row_to_record(row[1:]) for row in rows}

    def _in_order(self, rowids: Sequence[int]) -> list[StoredRecord]:
        records = self._records(rowids)
        return [records[r] for r in rowids if r in records]

    def newest(self, criteria: Criteria, *, limit: int) -> list[StoredRecord]:
        """See :meth:`CandidateIndex.newest`."""
        keys = _Keys(self._store, criteria)
        if keys.impossible:
            return []
        driver, rest = keys.driver()
        if driver is not None:
            meets, params = keys.meets("p.record", rest)
            rows = self._store._reader.execute(
                f"SELECT p.record FROM facet_postings p WHERE p.key = ? AND {meets} "
                "ORDER BY p.record DESC LIMIT ?", [driver, *params, limit])
        else:
            meets, params = keys.meets("p.record")
            rows = self._store._reader.execute(
                f"SELECT p.record FROM facet_postings p WHERE p.key = ANY(?::bigint[]) AND "
                f"{meets} ORDER BY p.record DESC LIMIT ?", [keys.kind, *params, limit])
        return self._in_order([int(r[0]) for r in rows])

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
        node = parse(match) if match is not None else None
        keys = _Keys(self._store, criteria)
        if node is None or keys.impossible:
            return []
        tsquery = to_tsquery(node)
        reader = self._store._reader
        driver, rest = keys.driver()
        if driver is not None and rest:
            meets, params = keys.meets("w.r", rest)
            found = [int(r[0]) for r in reader.execute(
                "SELECT w.r FROM (SELECT rowid AS r FROM record_text WHERE doc @@ ?::tsquery "
                "INTERSECT SELECT record FROM facet_postings WHERE key = ?) w WHERE "
                f"{meets} ORDER BY w.r DESC LIMIT ?", [tsquery, driver, *params, window])]
        else:
            drivers = [driver] if driver is not None else keys.kind
            meets, params = keys.meets("t.rowid", rest if driver is not None else None)
            found = [int(r[0]) for r in reader.execute(
                "SELECT t.rowid FROM record_text t WHERE t.doc @@ ?::tsquery AND EXISTS "
                "(SELECT 1 FROM facet_postings k WHERE k.record = t.rowid AND k.key = "
                f"ANY(?::bigint[])) AND {meets} ORDER BY t.rowid DESC LIMIT ?",
                [tsquery, drivers, *params, window])]
        if not found:
            return []
        matched = phrases(node)
        rows, avgdl = self._store._text_totals()
        idfs = [idf(rows, self._store._hits(to_tsquery(p))) for p in matched]
        score_params: list[Any] = []
        score = bm25_sql(matched, idfs, avgdl, "t", score_params, column_weights)
        scored = reader.execute(
            f"SELECT t.rowid, {score}, t.name, t.description, t.body, t.concepts "
            "FROM record_text t WHERE t.rowid = ANY(?::bigint[])", [*score_params, found])
        columns = {int(r[0]): (float(r[1]), r[2:]) for r in scored}
        # lower bm25 is better; ties: the newer record first
        best = sorted((columns[r][0], -r) for r in columns)[:limit]
        rowids = [-negated for _, negated in best]
        records = self._records(rowids)
        return [(records[r], TextHit(s, *columns[r][1])) for (s, _), r in zip(best, rowids,
                                                                              strict=True)
                if r in records]

    def document_counts(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """See :meth:`CandidateIndex.document_counts`."""
        reader = self._store._reader
        seq = self._store.last_seq()
        if self._live is None or self._live[0] != seq:
            self._live = (seq, int(reader.execute(
                "SELECT count(*) FROM records WHERE deleted = 0").fetchone()[0]))
        counts = {}
        for term in dict.fromkeys(terms):
            cut = tokens(fold(term))
            counts[term] = self._store._hits(to_tsquery(parse(f'"{cut[0]}"'))) if len(  # type: ignore[arg-type]
                cut) == 1 else 0
        return self._live[1], counts

    def analysed_text(self, record_id: str) -> TextHit | None:
        """See :meth:`CandidateIndex.analysed_text`."""
        row = self._store._reader.execute(_ANALYSED, (record_id,)).fetchone()
        return None if row is None else TextHit(0.0, row[0], row[1], row[2], row[3])

    def sharing(self, criteria: Criteria, concepts: Sequence[tuple[str, str]], *,
                limit: int) -> list[tuple[StoredRecord, int]]:
        """See :meth:`CandidateIndex.sharing`."""
        keys = _Keys(self._store, criteria, concepts)
        if keys.impossible or not keys.extra:
            return []
        meets, params = keys.meets("p.record")
        rows = self._store._reader.execute(
            "SELECT p.record, count(*) AS shared FROM facet_postings p WHERE p.key = "
            f"ANY(?::bigint[]) AND {meets} GROUP BY p.record ORDER BY shared DESC, "
            "p.record DESC LIMIT ?", [keys.extra, *params, limit]).fetchall()
        records = self._records([int(r[0]) for r in rows])
        return [(records[int(r[0])], int(r[1])) for r in rows if int(r[0]) in records]

    def replications(self, ids: Sequence[str]) -> dict[str, list[Replication]]:
        """See :meth:`CandidateIndex.replications`."""
        self._links.catch_up(self._store._reader)
        return without_hidden(self._store._reader,
                              {record_id: self._links.of(record_id) for record_id in ids})

    def ids_with(self, kind: str, facet: str, value: str) -> frozenset[str]:
        """See :meth:`CandidateIndex.ids_with`."""
        rows = self._store._reader.execute(_IDS_WITH, (f"{kind}/{facet}", value))
        return frozenset(str(r[0]) for r in rows)


__all__ = ["PgCandidateIndex"]
