"""SQL of the derived views of issue 6: facet counts for the ecosystem statistics.

A mixin of :class:`~ncc_node.store.sqlite.SqliteStore` (it uses its reader connection), kept
apart so the statistics' queries have one home. The RDF view itself needs no SQL of its own:
it reads ``changes(after, limit)`` and ``last_seq()``.
"""

from __future__ import annotations

import sqlite3


class StatsSql:
    """Facet counts by origin, read from the ``facets`` index (live records only)."""

    @property
    def _reader(self) -> sqlite3.Connection:  # provided by SqliteStore
        raise NotImplementedError

    def facet_counts_by_origin(self, kind: str) -> list[tuple[str, str, str, int]]:
        """(origin IRI, facet, value, live records) for every facet of ``kind``'s records."""
        prefix = f"{kind}/"
        rows = self._reader.execute(
            """SELECT o.value, substr(f.facet, ?), f.value, count(*)
               FROM facets o JOIN facets f ON f.record = o.record
               WHERE o.facet = ? AND f.facet > ? AND f.facet < ? AND f.facet <> o.facet
               GROUP BY o.value, f.facet, f.value""",
            (len(prefix) + 1, f"{kind}/origin", prefix, prefix + "\uffff"))
        return [(str(o), str(f), str(v), int(n)) for o, f, v, n in rows]

    def records_by_origin(self, kind: str) -> list[tuple[str, int]]:
        """(origin IRI, live records) for ``kind``."""
        rows = self._reader.execute(
            "SELECT value, count(*) FROM facets WHERE facet = ? GROUP BY value",
            (f"{kind}/origin",))
        return [(str(o), int(n)) for o, n in rows]
