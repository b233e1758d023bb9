"""The RDF view: an in-memory Oxigraph store derived from the record store (architecture §7).

One named graph per origin (graph IRI = the origin node's IRI) holds the payloads of the records
the node holds from that origin (tombstones included, as the node holds them); the ontology and
concept schemes sit in :data:`VOCABULARY_GRAPH`. The view is rebuilt when missing (first use in
a process) or inconsistent (the store's sequence went backwards), and kept current by sequence
number: :meth:`RdfView.catch_up` applies ``store.changes(after=last_seq)``, removing the old
triples of every changed record first. Why in memory, and the figures: docs/sparql.md.
"""

from __future__ import annotations

import threading
from typing import Any

from pyoxigraph import BlankNode, NamedNode, RdfFormat, Store

from vocab import is_iri, vocabulary_graph

from ..errors import NccError
from ..jsonbody import parse_json_bytes
from ..store import Store as RecordStore
from .convert import NotDirect, record_statements

VOCABULARY_GRAPH = "https://w3id.org/ncc/vocab"
CATCH_UP_BATCH = 1000


class RdfView:
    """The node's records and vocabulary as RDF, queryable with SPARQL (issue 6)."""

    def __init__(self, store: RecordStore) -> None:
        self.store = store
        self.oxigraph: Store | None = None
        self.last_seq = 0
        self._lock = threading.RLock()
        # per record id: its graph, and the IRI subjects it wrote (its own, embedded nodes')
        self._graphs: dict[str, str] = {}
        self._subjects: dict[str, tuple[str, ...]] = {}
        # per IRI subject: the records that wrote triples about it (usually one)
        self._writers: dict[str, set[str]] = {}
        #: records the view could not convert: id -> (sequence number, why); the others are
        #: queried as usual (one record never stops the view)
        self.skipped: dict[str, tuple[int, str]] = {}
        self.skips_changed = False
        # what the node's moderation hides (left out of the view) and the store's count of
        # hide/unhide changes it reflects: a change rebuilds the view (hiding is rare)
        self.moderation = -1
        self._hidden: tuple[frozenset[str], frozenset[str]] = (frozenset(), frozenset())

    def rebuild(self) -> int:
        """Build the view afresh from the store; return the number of records applied."""
        with self._lock:
            oxigraph = Store()
            oxigraph.load(vocabulary_nt(), format=RdfFormat.N_TRIPLES,
                          to_graph=NamedNode(VOCABULARY_GRAPH))
            self.oxigraph, self.last_seq = oxigraph, 0
            self.moderation = self.store.moderation_version()
            hidden = self.store.hidden()
            self._hidden = (frozenset(h.target for h in hidden if h.scope == "record"),
                            frozenset(h.target for h in hidden if h.scope == "origin"))
            self._graphs.clear()
            self._subjects.clear()
            self._writers.clear()
            self.skipped.clear()
            self.skips_changed = True
            return self._apply_all()

    def catch_up(self) -> int:
        """Apply the store's changes since the last applied sequence number; return how many.

        Rebuilds when the view is missing or the store is behind the view (a restored or
        replaced database); otherwise costs one indexed read when nothing changed.
        """
        with self._lock:
            if (self.oxigraph is None or self.store.last_seq() < self.last_seq
                    or self.store.moderation_version() != self.moderation):
                return self.rebuild()
            return self._apply_all()

    def _apply_all(self) -> int:
        applied = 0
        while True:
            changes = self.store.changes(self.last_seq, CATCH_UP_BATCH)
            if not changes:
                return applied
            self.apply(changes)
            applied += len(changes)

    def apply(self, changes: list[tuple[int, bytes]]) -> None:
        """Apply changed records (sequence number, stored body), in sequence order.

        All statements of a batch go to Oxigraph as one N-Quads document: its Rust parser
        builds the terms far faster than Python objects per term would (docs/sparql.md). A
        record that cannot be converted is left out and listed in :attr:`skipped`.
        """
        with self._lock:
            assert self.oxigraph is not None
            chunks: list[tuple[str, str]] = []
            for seq, body in changes:
                self.last_seq = seq
                try:
                    record = parse_json_bytes(body)
                    record_id = str(record.get("id"))
                except (NccError, ValueError) as exc:
                    self._skip(f"seq:{seq}", seq, f"not JSON: {exc}")
                    continue
                if record_id in self._graphs:
                    self._remove(record_id)
                if self._is_hidden(record_id, record):
                    continue
                chunk = self._convert(record_id, seq, record)
                if chunk is not None:
                    chunks.append((record_id, chunk))
            # blank labels are unique per record (s<seq>b<n>) and renamed apart by the parser
            # lenient: IRIs and language tags were checked by the converter (docs/sparql.md)
            # as UTF-8 bytes: ~10% faster to load than the same text as str, encoding included
            try:
                self.oxigraph.load("".join(c for _, c in chunks).encode(),
                                   format=RdfFormat.N_QUADS, lenient=True)
            except (SyntaxError, ValueError, OSError):
                for record_id, chunk in chunks:  # find the one Oxigraph refuses; keep the rest
                    try:
                        self.oxigraph.load(chunk.encode(), format=RdfFormat.N_QUADS,
                                           lenient=True)
                    except (SyntaxError, ValueError, OSError) as exc:
                        self._forget(record_id)
                        self._skip(record_id, self.last_seq, f"Oxigraph refuses it: {exc}")

    def _is_hidden(self, record_id: str, record: dict[str, Any]) -> bool:
        ids, origins = self._hidden
        return record.get("type") != "Node" and (
            record_id in ids or str(record.get("origin")) in origins)

    def _convert(self, record_id: str, seq: int, record: dict[str, Any]) -> str | None:
        """The record's N-Quads, registered as its statements; None (and skipped) if the
        converter cannot handle it."""
        try:
            graph = str(record.get("origin"))
            if not is_iri(graph):
                raise NotDirect(f"origin {graph!r} is not an IRI")
            statements = record_statements(record, blank_prefix=f"s{seq}b")
            chunk = statements.nquads(graph)
        # any failure of the converter or of PyLD on one record: recorded with its reason
        except Exception as exc:  # noqa: BLE001
            self._skip(record_id, seq, f"{type(exc).__name__}: {exc}"[:500])
            return None
        if self.skipped.pop(record_id, None) is not None:
            self.skips_changed = True
        self._graphs[record_id] = graph
        self._subjects[record_id] = tuple(statements.subjects)
        for subject in statements.subjects:
            self._writers.setdefault(subject, set()).add(record_id)
        return chunk

    def _skip(self, record_id: str, seq: int, reason: str) -> None:
        self.skipped[record_id] = (seq, reason)
        self.skips_changed = True

    def _forget(self, record_id: str) -> None:
        """Drop the bookkeeping of a record whose statements were never loaded."""
        self._graphs.pop(record_id, None)
        for subject in self._subjects.pop(record_id, ()):
            writers = self._writers.get(subject, set())
            writers.discard(record_id)
            if not writers:
                self._writers.pop(subject, None)

    def _remove(self, record_id: str) -> None:
        assert self.oxigraph is not None
        graph = NamedNode(self._graphs.pop(record_id))
        others: set[str] = set()
        for subject in self._subjects.pop(record_id, ()):
            self._remove_subject(NamedNode(subject), graph)
            writers = self._writers.get(subject, set())
            writers.discard(record_id)
            if not writers:
                self._writers.pop(subject, None)
            others |= writers
        # another record wrote about a shared subject (e.g. an organisation with an IRI): its
        # statements about that subject were removed too, so they are written again
        for other in sorted(others):
            stored = self.store.get(other)
            if stored is not None and other in self._graphs:
                self.oxigraph.load(record_statements(parse_json_bytes(stored.body)).nquads(
                    self._graphs[other]), format=RdfFormat.N_QUADS, lenient=True)

    def _remove_subject(self, subject: NamedNode | BlankNode, graph: NamedNode) -> None:
        assert self.oxigraph is not None
        quads = list(self.oxigraph.quads_for_pattern(subject, None, None, graph))
        for quad in quads:
            self.oxigraph.remove(quad)
        for quad in quads:  # nested organisations etc.: blank nodes of this record only
            if isinstance(quad.object, BlankNode):
                self._remove_subject(quad.object, graph)

    def snapshot(self) -> Store:
        """Catch up, then return the Oxigraph store (a query reads a consistent snapshot)."""
        self.catch_up()
        assert self.oxigraph is not None
        return self.oxigraph

    def graphs(self) -> list[str]:
        """The named graphs of the view: the vocabulary graph and one per origin."""
        return sorted(g.value for g in self.snapshot().named_graphs()
                      if isinstance(g, NamedNode))

    def __len__(self) -> int:
        with self._lock:
            return len(self.oxigraph) if self.oxigraph is not None else 0


_VOCABULARY: list[bytes] = []


def vocabulary_nt() -> bytes:
    """The ontology and concept schemes as N-Triples (serialized once per process)."""
    if not _VOCABULARY:
        _VOCABULARY.append(vocabulary_graph().serialize(format="nt", encoding="utf-8"))
    return _VOCABULARY[0]


def view_of(extensions: dict[str, Any], store: RecordStore) -> RdfView:
    """The app's view, created on first use (``app.extensions["ncc_rdfview"]``)."""
    view: RdfView | None = extensions.get("ncc_rdfview")
    if view is None:
        view = extensions.setdefault("ncc_rdfview", RdfView(store))
    return view
