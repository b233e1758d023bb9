"""Import rows into the node: check each, write in batches through ``Publisher.upsert_many``.

Happy path: each row is validated and signed once, inside ``upsert_many``. Only a batch that
``upsert_many`` rejects is checked row by row (``Publisher.prepare``) to name every bad row,
and its good rows are written without them (or, with all-or-nothing, nothing is written).
A row's index entries (analysed texts, inferred concepts) are derived once, by the reader's
worker processes or here, and serve both the import's suggestions and the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ncc_node.context import NodeContext
from ncc_node.errors import RecordRejected
from ncc_node.records import Upsert
from ncc_node.scout import inferred_in
from ncc_node.store import IndexEntries, index_entries
from vocab import Violation

from .errors import ImportFileError, describe_rejection
from .import_readers import Row

# (line, kind, payload, its index entries if kept for the store)
Admitted = tuple[int, str, dict[str, Any], IndexEntries | None]


def _ignore(count: int) -> None:
    """Progress callback that does nothing."""


@dataclass
class ImportReport:
    """What an import did: rows read, rows rejected (line, reason), and outcomes by kind."""

    rows: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    # the validator's findings behind a rejected line's reason (vocab.Violation: each keeps its
    # template, so the import page can say them in the reader's language)
    findings: dict[int, list[Violation]] = field(default_factory=dict)
    counts: dict[str, int] = field(
        default_factory=lambda: {"created": 0, "updated": 0, "unchanged": 0})
    written: bool = False
    # concepts suggested from the rows' texts (themes, target groups, SDGs the row's own tags
    # lack): compact IRI -> rows; the operator decides, nothing is added to a record
    suggestions: dict[str, int] = field(default_factory=dict)

    @property
    def accepted(self) -> int:
        """Rows that were (or, in a dry run, would be) created, updated or left unchanged."""
        return sum(self.counts.values())


class Importer:
    """Admit rows of one import and write them; never writes a row it has rejected."""

    def __init__(self, node: NodeContext, *, batch_size: int = 500, all_or_nothing: bool = False,
                 dry_run: bool = False, max_rows: int | None = None,
                 on_signed: Callable[[int], None] = _ignore, actor: str = "cli:import") -> None:
        self.node = node
        self.actor = actor  # who, for the audit log (an editor, importing in the browser)
        self.batch_size = batch_size
        self.all_or_nothing = all_or_nothing
        self.dry_run = dry_run
        self.max_rows = max_rows if max_rows is not None else node.settings[
            "limits.import_max_rows"]
        self.on_signed = on_signed
        self.report = ImportReport()
        self._seen: dict[str, int] = {}

    def run(self, rows: Iterable[Row]) -> ImportReport:
        """Import every row; return the report (rejected rows sorted by line)."""
        pending: list[Admitted] = []
        for row in rows:
            self.report.rows += 1
            if self.report.rows > self.max_rows:
                written = self.report.accepted if self.report.written else 0
                raise ImportFileError(
                    f"the file has more than {self.max_rows} rows (limits.import_max_rows); "
                    f"stopped, {written} row(s) were written before")
            admitted = self._admit(row)
            if admitted is not None:
                pending.append(admitted)
            if len(pending) >= self.batch_size and not self.all_or_nothing:
                self._write(pending)
                pending = []
        if self.all_or_nothing and self.report.rejected:
            # nothing is written; name the rows only the shapes reject too
            self._keep_publishable(pending)
        else:
            self._write(pending)
        self.report.rejected.sort()
        return self.report

    # -- checks before writing ---------------------------------------------------------------
    def _reject(self, line: int, reason: str) -> None:
        self.report.rejected.append((line, reason))

    def _admit(self, row: Row) -> Admitted | None:
        """Return the row ready to write, or record why it is rejected and return None."""
        if row.error is not None or row.payload is None:
            self._reject(row.line, row.error or "no record")
            return None
        identifier = row.payload.get("identifier")
        if not isinstance(identifier, str) or not identifier.strip():
            self._reject(row.line, "identifier: required (re-imports find the record by it)")
            return None
        first = self._seen.setdefault(identifier, row.line)
        if first != row.line:
            self._reject(row.line, f"identifier {identifier!r} is already used on line {first}")
            return None
        reason = self._conflict(row, identifier)
        if reason is not None:
            self._reject(row.line, reason)
            return None
        derived = row.derived if row.derived is not None else index_entries(row.payload)
        for concept in inferred_in(derived):
            self.report.suggestions[concept] = self.report.suggestions.get(concept, 0) + 1
        # an all-or-nothing import or a dry run holds every row to the end: keeping the
        # entries would double what it holds (the store derives them again, or never needs them)
        keep = not (self.all_or_nothing or self.dry_run)
        return row.line, row.kind, row.payload, derived if keep else None

    def _conflict(self, row: Row, identifier: str) -> str | None:
        """Why the row cannot be the stored record its identifier (or id) names, if it cannot."""
        store, node_iri = self.node.store, self.node.identity.node_iri
        current = store.find_by_identifier(node_iri, identifier)
        if current is not None and not current.deleted and current.kind != row.kind:
            return (f"identifier {identifier!r} belongs to {current.kind} {current.id}; "
                    "an import cannot change a record's kind")
        if row.record_id is None:
            return None
        if current is not None and current.id != row.record_id:
            return f"identifier {identifier!r} belongs to {current.id}, not {row.record_id}"
        stored = store.get(row.record_id) if current is None else None
        if stored is not None and not stored.deleted:
            return (f"{row.record_id} is stored without identifier {identifier!r}; import "
                    "matches records by identifier only (update it through the API)")
        return None

    # -- writing -----------------------------------------------------------------------------
    def _counting_signed(self, batch: list[Admitted]) -> Iterator[Upsert]:
        for _, kind, payload, derived in batch:
            yield Upsert(kind, payload, derived)
            self.on_signed(1)

    def _keep_publishable(self, batch: list[Admitted]) -> list[Admitted]:
        """Check each row as the publisher would; reject the bad ones, return the good ones."""
        good = []
        for line, kind, payload, derived in batch:
            try:
                self.node.publisher.prepare(kind, payload)
            except RecordRejected as exc:
                self._reject(line, describe_rejection(exc))
                if exc.violations:
                    self.report.findings[line] = exc.violations
            else:
                good.append((line, kind, payload, derived))
        return good

    def _write(self, batch: list[Admitted]) -> None:
        if not batch:
            return
        if self.dry_run:
            self._tally(self._keep_publishable(batch))
            return
        try:
            counts = self.node.publisher.upsert_many(self._counting_signed(batch),
                                                     actor=self.actor)
        except RecordRejected:
            good = self._keep_publishable(batch)
            if self.all_or_nothing or not good:
                return
            counts = self.node.publisher.upsert_many(
                (Upsert(kind, p, derived) for _, kind, p, derived in good), actor=self.actor)
        self.report.written = True
        for outcome, count in counts.items():
            self.report.counts[outcome] += count

    def _tally(self, good: list[Admitted]) -> None:
        """Count what a real import would do with rows that passed the checks (dry run)."""
        for outcome, *_ in self.node.publisher.plan((kind, p) for _, kind, p, _ in good):
            self.report.counts[outcome] += 1
