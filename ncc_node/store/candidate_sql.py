"""The scouting reads of the SQLite store (issue 6): bounded candidate pools and replication links.

Every pool query is prefiltered on the ``facets`` index (per-kind facets: one B-tree lookup per
filter and candidate) or driven by the ``record_text`` FTS5 index, and returns at most ``size``
records, so the scoring in :mod:`ncc_node.scout` only ever sees a bounded set, whatever the size
of the store.

Which records replicate or adapt which is not in the facets table; it is kept in memory per
store (:class:`ReplicationLinks`) and caught up by sequence number before each use, so records
written by another process (``ncc sync``, ``ncc import``) are seen as well.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Sequence

from vocab import fold

from .base import Replication, StoredRecord, TextHit
from .derive import facet_values
from .recordrow import records_in
from .textquery import COLUMN_WEIGHTS, TermGroup, plan_query

LINK_TERMS = ("replicates", "adapts")
INFERABLE = ("theme", "target_group", "sdg")
TEXT_WINDOW = 3000  # the newest full-text matches that are ranked by bm25 (see scout_pool)
COMMON_SHARE = 0.2  # a query word in more than this share of records decides nothing ...
COMMON_MIN_RECORDS = 200  # ... once there are enough records to tell
LIKE_TERMS = 12  # the most distinctive terms of a record that find records like it
_BM25 = "bm25(record_text, {})".format(", ".join(str(w) for w in COLUMN_WEIGHTS))


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
            rows = conn.execute(
                "SELECT id, seq, deleted, CASE WHEN instr(body, '\"replicates\"') > 0 "
                "OR instr(body, '\"adapts\"') > 0 THEN body END FROM records WHERE seq > ? "
                "ORDER BY seq", (self._seq,)).fetchall()
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


class ScoutQueries:
    """Mixin of :class:`~ncc_node.store.SqliteStore`: the reads behind scouting (issue 6)."""

    @property
    def _reader(self) -> sqlite3.Connection:
        raise NotImplementedError  # provided by SqliteStore

    def _links(self) -> ReplicationLinks:
        links: ReplicationLinks | None = getattr(self, "_scout_links", None)
        if links is None:
            links = ReplicationLinks()
            self._scout_links = links
        links.catch_up(self._reader)
        return links

    @staticmethod
    def _filters(kind: str, facets: Sequence[tuple[str, str]],
                 exclude_countries: Sequence[str], alias: str,
                 inferred: bool = False) -> tuple[str, list[str]]:
        """SQL conditions on ``alias`` (a rowid): every facet present, no excluded country.

        Correlated EXISTS on the facets primary key: one index probe per filter and candidate,
        never a materialised set of every record carrying a common facet value. With
        ``inferred``, a concept inferred from the text satisfies a concept filter too.
        """
        clauses: list[str] = []
        params: list[str] = []
        for facet, value in facets:
            if inferred and facet in INFERABLE:
                clauses.append("(EXISTS (SELECT 1 FROM facets g WHERE g.facet = ? AND g.value "
                               f"= ? AND g.record = {alias}) OR EXISTS (SELECT 1 FROM facets g "
                               f"WHERE g.facet = ? AND g.value = ? AND g.record = {alias}))")
                params.extend((f"{kind}/{facet}", value, f"{kind}/inferred_{facet}", value))
                continue
            clauses.append("EXISTS (SELECT 1 FROM facets g WHERE g.facet = ? AND g.value = ? "
                           f"AND g.record = {alias})")
            params.extend((f"{kind}/{facet}", value))
        for country in exclude_countries:
            clauses.append("NOT EXISTS (SELECT 1 FROM facets x WHERE x.facet = ? AND "
                           f"x.value = ? AND x.record = {alias})")
            params.extend((f"{kind}/country", country))
        return "".join(f" AND {c}" for c in clauses), params

    def _by_rowids(self, rowids: Sequence[int]) -> dict[int, StoredRecord]:
        return {int(rowid): record for rowid, record in records_in(self._reader, "rowid", rowids)}

    def scout_pool(
        self,
        kind: str,
        *,
        facets: Sequence[tuple[str, str]],
        exclude_countries: Sequence[str],
        text: str | None,
        levels: Sequence[str] | None,
        size: int,
        inferred: bool = False,
    ) -> list[tuple[StoredRecord, TextHit | None]]:
        """See :meth:`Store.scout_pool`."""
        plan = plan_query(text) if text else None
        if text and plan is None:
            return []
        hits: dict[int, TextHit] = {}
        ranked: list[tuple[int, float | None]] = []
        if plan is not None:
            groups, ignored = self._deciding(plan.groups)
            hits = self._ranked(kind, " OR ".join(g.expression() for g in groups), facets,
                                exclude_countries, size, inferred, ignored)
            ranked = [(rowid, hit.rank) for rowid, hit in hits.items()]
        else:
            where, params = self._filters(kind, facets, exclude_countries, "f.record", inferred)
            share = -(-size // len(levels)) if levels else size
            steps: list[str | None] = list(levels) if levels else [None]
            for level in steps:
                if level is None:  # no ordered levels (methods): every live record of the kind
                    rows = self._reader.execute(
                        f"SELECT f.record FROM facets f WHERE f.facet = ?{where} "
                        "ORDER BY f.record DESC LIMIT ?",
                        [f"{kind}/origin", *params, share]).fetchall()
                else:
                    rows = self._reader.execute(
                        f"SELECT f.record FROM facets f WHERE f.facet = ? AND f.value = ?{where} "
                        "ORDER BY f.record DESC LIMIT ?",
                        [f"{kind}/stage", level, *params, share]).fetchall()
                ranked.extend((int(r[0]), None) for r in rows)
        records = self._by_rowids([rowid for rowid, _ in ranked])
        return [(records[rowid], hits.get(rowid)) for rowid, _ in ranked if rowid in records]

    def _live_count(self) -> int:
        """Live records with text (cached until the next write), for document frequencies."""
        seq = int(self._reader.execute("SELECT value FROM counters WHERE name = 'seq'")
                  .fetchone()[0])
        cached: tuple[int, int] | None = getattr(self, "_scout_live", None)
        if cached is None or cached[0] != seq:
            count = int(self._reader.execute(
                "SELECT count(*) FROM records WHERE deleted = 0").fetchone()[0])
            cached = (seq, count)
            self._scout_live = cached
        return cached[1]

    def _doc_freq(self, forms: Sequence[str]) -> int:
        """The most records any one of ``forms`` occurs in (fts5vocab: one ``term = ?`` probe
        per form; an IN list would make it walk the whole vocabulary)."""
        found = 0
        for form in dict.fromkeys(fold(f) for f in forms):
            row = self._reader.execute("SELECT doc FROM record_terms WHERE term = ?",
                                       (form,)).fetchone()
            found = max(found, int(row[0]) if row else 0)
        return found

    def _deciding(self, groups: Sequence[TermGroup]
                  ) -> tuple[list[TermGroup], tuple[str, ...]]:
        """Drop the words found in most records ("the", "und", "van"): they would fill the
        window with records that match nothing else. A word naming a concept always stays."""
        live = self._live_count()
        if live < COMMON_MIN_RECORDS:
            return list(groups), ()
        kept, ignored = [], []
        for group in groups:
            if group.concepts or self._doc_freq(group.forms) <= COMMON_SHARE * live:
                kept.append(group)
            else:
                ignored.append(group.word)
        if not kept:  # only common words: they are all there is to rank by
            return list(groups), ()
        return kept, tuple(ignored)

    def _ranked(self, kind: str, match: str, facets: Sequence[tuple[str, str]],
                exclude_countries: Sequence[str], size: int, inferred: bool,
                ignored: tuple[str, ...]) -> dict[int, TextHit]:
        """The ``size`` best bm25 matches of ``match`` among the newest TEXT_WINDOW matches
        passing the filters, best first, with their analysed columns."""
        where, params = self._filters(kind, facets, exclude_countries, "t.rowid", inferred)
        # bm25 costs a few microseconds per row, so ranking every match of a common word
        # (a theme label on a quarter of 100,000 records) would take ~60 ms: only the newest
        # TEXT_WINDOW matches passing the filters are ranked (FTS5 walks its doclist by
        # rowid, newest first, and stops once it has that many).
        if facets and not inferred:  # selective filters: intersect sorted sets
            sets = ["SELECT rowid FROM record_text WHERE record_text MATCH ?"]
            sets += ["SELECT record FROM facets WHERE facet = ? AND value = ?"] * len(facets)
            set_params = [match, *(x for f, v in facets for x in (f"{kind}/{f}", v))]
            minus = "".join(" EXCEPT SELECT record FROM facets WHERE facet = ? AND value = ?"
                            for _ in exclude_countries)
            set_params += [x for c in exclude_countries for x in (f"{kind}/country", c)]
            window = [r[0] for r in self._reader.execute(
                f"SELECT * FROM ({' INTERSECT '.join(sets)}{minus}) ORDER BY 1 DESC LIMIT ?",
                [*set_params, TEXT_WINDOW])]
        else:
            window = [r[0] for r in self._reader.execute(
                f"SELECT t.rowid FROM record_text t WHERE record_text MATCH ?{where} AND "
                "EXISTS (SELECT 1 FROM facets k WHERE k.record = t.rowid AND k.facet = ?) "
                "ORDER BY t.rowid DESC LIMIT ?",
                [match, *params, f"{kind}/origin", TEXT_WINDOW])]
        # the window as one JSON parameter; "+rowid" keeps FTS5 from turning the IN list
        # into one full-text lookup per member (seconds instead of milliseconds)
        rows = self._reader.execute(
            f"SELECT rowid, {_BM25} AS score, name, description, body, concepts FROM "
            "record_text WHERE record_text MATCH ? AND +rowid IN (SELECT value FROM "
            "json_each(?)) ORDER BY score, rowid LIMIT ?",
            [match, json.dumps(window), size]).fetchall()
        return {int(r[0]): TextHit(float(r[1]), r[2], r[3], r[4], r[5], ignored)
                for r in rows}

    def scout_like(
        self,
        kind: str,
        *,
        record_id: str,
        exclude_countries: Sequence[str],
        size: int,
    ) -> tuple[list[tuple[StoredRecord, TextHit]], tuple[str, ...]]:
        """See :meth:`Store.scout_like`."""
        row = self._reader.execute(
            "SELECT t.name, t.description, t.body, t.concepts FROM records r JOIN record_text t "
            "ON t.rowid = r.rowid WHERE r.id = ?", (record_id,)).fetchone()
        if row is None:
            return [], ()
        terms = list(dict.fromkeys(" ".join(row[:3]).split()))
        live = self._live_count()
        common = COMMON_SHARE * live if live >= COMMON_MIN_RECORDS else live
        scored = []
        for term in terms[:400]:
            if len(term) < 3 or term.isdigit():
                continue
            df = self._doc_freq([term])
            if 1 < df <= common:
                scored.append((df, term))
        chosen = tuple(t for _, t in sorted(scored)[:LIKE_TERMS])
        alternatives = [f'"{t}"' for t in chosen]
        alternatives += [f'concepts : "{c}"' for c in row[3].split()]
        if not alternatives:
            return [], chosen
        hits = self._ranked(kind, " OR ".join(alternatives), (), exclude_countries, size + 1,
                            False, ())
        records = self._by_rowids(list(hits))
        return [(records[r], hit) for r, hit in hits.items()
                if r in records and records[r].id != record_id][:size], chosen

    def scout_related(
        self,
        kind: str,
        *,
        concepts: Sequence[tuple[str, str]],
        exclude_countries: Sequence[str],
        exclude_id: str,
        size: int,
    ) -> list[tuple[StoredRecord, int]]:
        """See :meth:`Store.scout_related`."""
        if not concepts:
            return []
        where, params = self._filters(kind, (), exclude_countries, "f.record")
        pairs = " OR ".join("(f.facet = ? AND f.value = ?)" for _ in concepts)
        values = [x for facet, value in concepts for x in (f"{kind}/{facet}", value)]
        rows = self._reader.execute(
            f"SELECT f.record, count(*) AS shared FROM facets f WHERE ({pairs}){where} "
            "GROUP BY f.record ORDER BY shared DESC, f.record DESC LIMIT ?",
            [*values, *params, size + 1]).fetchall()
        records = self._by_rowids([int(r[0]) for r in rows])
        return [(records[int(r[0])], int(r[1])) for r in rows
                if int(r[0]) in records and records[int(r[0])].id != exclude_id][:size]

    def scout_replications(self, ids: Sequence[str]) -> dict[str, list[Replication]]:
        """See :meth:`Store.scout_replications`."""
        links = self._links()
        found = {record_id: links.of(record_id) for record_id in ids}
        # a replication this node hides (the record, or its origin) counts for nothing here
        hidden = self._reader.execute("SELECT target, scope FROM hidden").fetchall()
        if not hidden:
            return found
        records = {t for t, scope in hidden if scope == "record"}
        bases = tuple(t.removesuffix("node") for t, scope in hidden if scope == "origin")
        return {record_id: [link for link in found_links if link.id not in records
                            and not (bases and link.id.startswith(bases))]
                for record_id, found_links in found.items()}

    def scout_ids_with(self, kind: str, facet: str, value: str) -> frozenset[str]:
        """See :meth:`Store.scout_ids_with`."""
        rows = self._reader.execute(
            "SELECT r.id FROM facets f JOIN records r ON r.rowid = f.record "
            "WHERE f.facet = ? AND f.value = ?", (f"{kind}/{facet}", value))
        return frozenset(str(r[0]) for r in rows)


__all__ = ["ReplicationLinks", "ScoutQueries"]
