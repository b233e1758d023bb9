"""The app ``ncc serve`` runs: the node's app plus what only the composition root can give it.

The import page (``ncc_node.web.imports``) needs the readers, mappings and content checks of
``ncc import``, which live here, above the node: :func:`create_app` registers them on the app
as an :class:`~ncc_node.web.ImportRunner`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from flask import Flask

from ncc_node.app import create_app as create_node_app
from ncc_node.context import NodeContext
from ncc_node.rdfview import VIEW_SOCKET_ENV, PoolLimits, RemotePool
from ncc_node.web import ImportOutcome, RowError, register_import_runner
from vocab import Violation

from .errors import ImportFileError
from .import_readers import Origin, Row, csv_rows, detect_format, jsonl_rows, jsonld_rows
from .importer import Importer
from .mapping import MappedSource, MappingError

__all__ = ["CliImportRunner", "create_app", "row_errors", "split_reason"]


def split_reason(reason: str) -> list[tuple[str, str]]:
    """A rejected row's reason as (column, message) pairs: ``"countries: required; name.de:
    too long"`` -> two pairs; a reason naming no field has the column ``""``."""
    out = []
    for part in (p.strip() for p in reason.split("; ") if p.strip()):
        column, colon, message = part.partition(": ")
        if colon and " " not in column:
            out.append((column, message))
        else:
            out.append(("", part))
    return out


def row_errors(line: int, reason: str, findings: Sequence[Violation] | None) -> list[RowError]:
    """A rejected row's errors for the import page: the validator's findings (one per field,
    as the reason has them), each with its template so the page says it in the reader's
    language; else the reason's parts, in English."""
    if not findings:
        return [(line, column, message, "", ()) for column, message in split_reason(reason)]
    first: dict[str, Violation] = {}
    for finding in findings:
        first.setdefault(finding.path or "(record)", finding)
    return [(line, column, v.message, v.template, v.args) for column, v in first.items()]


class CliImportRunner:
    """Runs ``ncc import`` (with or without ``--mapping``) for the import page."""

    def __init__(self, context: NodeContext) -> None:
        self.context = context

    def _folder(self) -> Path:
        return self.context.settings.path("web.import_mappings")

    def mappings(self) -> list[str]:
        """The ``*.toml`` mappings in ``web.import_mappings``, by name."""
        folder = self._folder()
        return sorted(p.stem for p in folder.glob("*.toml")) if folder.is_dir() else []

    def run(self, path: Path, mapping: str | None, *, dry_run: bool, actor: str,
            progress: Callable[[int], None]) -> ImportOutcome:
        """Import (or check) ``path``; see :class:`ncc_node.web.ImportRunner`."""
        outcome = ImportOutcome()
        importer = Importer(self.context, dry_run=dry_run, actor=actor)
        source: MappedSource | None = None
        try:
            if mapping is not None:
                source = MappedSource(self._folder() / f"{mapping}.toml", path)
                rows = source.rows(lambda _: None)
            else:
                rows = self._rows(path)
            report = importer.run(_counted(rows, progress))
        except (ImportFileError, MappingError) as exc:
            outcome.problem = str(exc)
            return outcome
        outcome.rows, outcome.counts = report.rows, dict(report.counts)
        outcome.errors = [error for line, reason in report.rejected
                          for error in row_errors(line, reason, report.findings.get(line))]
        if source is not None:
            outcome.filled = source.stats.fill_lines()
            outcome.held = len(source.stats.held)
            if not dry_run and source.stats.held:
                with self.context.store.write() as writer:
                    for held in source.stats.held:
                        writer.hold(held.kind, held.payload, held.reasons,
                                    source.mapping.source_name)
        return outcome

    def _rows(self, path: Path) -> Iterator[Row]:
        identity = self.context.identity
        origin = Origin(identity.node_iri, identity.base_url)
        fmt = detect_format(path, None)
        if fmt == "jsonld":
            _, rows = jsonld_rows(path, origin)
            yield from rows(lambda _: None)
        elif fmt == "csv":
            yield from csv_rows(path, lambda _: None)
        else:
            yield from jsonl_rows(path, lambda _: None, origin)


def _counted(rows: Iterator[Row], progress: Callable[[int], None]) -> Iterator[Row]:
    for count, row in enumerate(rows, 1):
        if count % 50 == 1:
            progress(count)
        yield row


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The node's app with the import page's runner (what ``ncc serve`` serves)."""
    app = create_node_app(config)
    register_import_runner(app, CliImportRunner(app.extensions["ncc"]))
    view_socket = os.environ.get(VIEW_SOCKET_ENV)
    if view_socket:  # a granian worker: SPARQL goes to the host's one view process
        limits = PoolLimits.from_settings(app.extensions["ncc"].settings)
        app.extensions["ncc_sparql_pool"] = RemotePool(view_socket, limits)
    return app
