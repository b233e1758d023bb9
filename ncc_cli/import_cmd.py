"""``ncc import FILE``: CSV, JSON Lines or JSON-LD into this node, idempotent by ``identifier``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import click

from .errors import ImportIncomplete
from .import_readers import Origin, Row, csv_rows, detect_format, jsonl_rows, jsonld_rows
from .importer import Importer, ImportReport
from .mapping import MappedSource, MappingError
from .node_access import config_option, opened_node
from .review import review_queue


class Rate:
    """Rows per second since the import started, for the progress bar and the summary."""

    def __init__(self) -> None:
        self.started = time.perf_counter()
        self.rows = 0

    def per_second(self) -> float:
        """The average rate so far."""
        return self.rows / max(time.perf_counter() - self.started, 1e-9)

    def show(self, _item: Any) -> str:
        """The text shown next to the progress bar."""
        return f"{self.rows:,} rows, {self.per_second():,.0f} rows/s"


def _rows(path: Path, fmt: str, origin: Origin, delimiter: str | None,
          bar_length: Callable[[int], Any]) -> Iterator[Row]:
    """Yield the file's rows while advancing a progress bar (bytes for line formats)."""
    if fmt == "jsonld":
        count, rows = jsonld_rows(path, origin)
        with bar_length(count) as bar:
            yield from rows(bar.update)
        return
    with bar_length(path.stat().st_size) as bar:
        if fmt == "csv":
            yield from csv_rows(path, bar.update, delimiter)
        else:
            yield from jsonl_rows(path, bar.update, origin)


SUGGESTED = 12  # concepts listed after an import


def _summary(path: Path, report: ImportReport, rate: Rate, dry_run: bool) -> str:
    counts = report.counts
    note = " (dry run: nothing written; counts are what an import would do)" if dry_run else ""
    return (f"{path}: {report.rows} row(s): {counts['created']} created, {counts['updated']} "
            f"updated, {counts['unchanged']} unchanged, {len(report.rejected)} rejected "
            f"({rate.per_second():,.0f} rows/s){note}")


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "jsonld"]),
              help="Default: from the suffix (.csv; .jsonl/.ndjson; .json/.jsonld).")
@click.option("--all-or-nothing", is_flag=True,
              help="Write nothing if any row is bad; else write all rows in one transaction.")
@click.option("--dry-run", is_flag=True, help="Check and sign every row; write nothing.")
@click.option("--batch-size", type=click.IntRange(1, 100_000), default=500, show_default=True,
              help="Rows per transaction (without --all-or-nothing).")
@click.option("--delimiter", type=click.Choice([",", ";", "tab"]),
              help="CSV delimiter (default: guessed from the header line).")
@click.option("--no-progress", is_flag=True,
              help="No progress bar (shown on stderr only when it is a terminal).")
@click.option("--mapping", "mapping_path",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read FILE (any CSV or JSON) through this mapping (config/mappings/).")
@click.option("--rules", "rules_path",
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Content rules for --mapping (default: the shipped content-rules.toml).")
@config_option
def import_records(file: Path, fmt: str | None, all_or_nothing: bool, dry_run: bool,
                   batch_size: int, delimiter: str | None, no_progress: bool,
                   mapping_path: Path | None, rules_path: Path | None,
                   config: Path | None) -> None:
    """Import initiatives and methods; re-importing the same rows changes nothing."""
    if mapping_path is not None:
        _import_mapped(file, mapping_path, rules_path, all_or_nothing, dry_run, batch_size,
                       no_progress, config)
        return
    if rules_path is not None:
        raise click.UsageError("--rules goes with --mapping")
    fmt = detect_format(file, fmt)
    rate, signed = Rate(), Rate()  # rows read; rows signed (the --all-or-nothing second bar)
    hidden = no_progress or not sys.stderr.isatty()  # click would still print the label

    def bar(length: int, label: str = "Importing", shown: Rate = rate) -> Any:
        return click.progressbar(length=length, label=label, file=sys.stderr,
                                 item_show_func=shown.show, hidden=hidden)

    with opened_node(config) as node, ExitStack() as bars:
        origin = Origin(node.identity.node_iri, node.identity.base_url)
        signing: Any = None
        importer = Importer(node, batch_size=batch_size, all_or_nothing=all_or_nothing,
                            dry_run=dry_run)
        rows = _rows(file, fmt, origin, "\t" if delimiter == "tab" else delimiter, bar)

        def counted() -> Iterator[Row]:
            for row in rows:
                rate.rows += 1
                yield row

        if all_or_nothing and not dry_run:
            # the one transaction is prepared after reading: show signing as a second bar
            def on_signed(count: int) -> None:
                nonlocal signing
                if signing is None:
                    signed.started = time.perf_counter()
                    signing = bars.enter_context(bar(rate.rows, "Signing", signed))
                signed.rows += count
                signing.update(count)

            importer.on_signed = on_signed
        rate.started = time.perf_counter()  # rows/s of the import, not of opening the node
        report = importer.run(counted())
    for line, reason in report.rejected:
        click.echo(f"{file}:{line}: {reason}", err=True)
    click.echo(_summary(file, report, rate, dry_run))
    if report.suggestions:
        top = sorted(report.suggestions.items(), key=lambda kv: (-kv[1], kv[0]))[:SUGGESTED]
        click.echo("suggested from the texts (not added; tag the rows to publish them): "
                   + ", ".join(f"{concept} ({rows} row(s))" for concept, rows in top))
    if report.rejected:
        bad = len(report.rejected)
        if dry_run:
            raise ImportIncomplete(f"{bad} row(s) would be rejected")
        if report.written:
            raise ImportIncomplete(f"{bad} row(s) rejected; the other {report.accepted} "
                                   "were imported")
        where = " (--all-or-nothing)" if all_or_nothing else ""
        raise ImportIncomplete(f"{bad} row(s) rejected; nothing was imported{where}")


def _import_mapped(file: Path, mapping_path: Path, rules_path: Path | None,
                   all_or_nothing: bool, dry_run: bool, batch_size: int, no_progress: bool,
                   config: Path | None) -> None:
    """``--mapping``: map, check content, hold what looks like spam, import the rest."""
    try:
        source = MappedSource(mapping_path, file, rules_path)
    except MappingError as exc:
        raise click.ClickException(str(exc)) from None
    rate = Rate()
    hidden = no_progress or not sys.stderr.isatty()
    with opened_node(config) as node:
        importer = Importer(node, batch_size=batch_size, all_or_nothing=all_or_nothing,
                            dry_run=dry_run)
        try:
            total = source.count()  # counted first, so the bar shows how far along it is
        except MappingError as exc:
            raise click.ClickException(str(exc)) from None
        with click.progressbar(length=total, label="Importing", file=sys.stderr, show_pos=True,
                               item_show_func=rate.show, hidden=hidden) as bar:
            def counted() -> Iterator[Row]:
                for row in source.rows(bar.update):
                    rate.rows += 1
                    yield row

            rate.started = time.perf_counter()
            try:
                report = importer.run(counted())
            except MappingError as exc:
                raise click.ClickException(str(exc)) from None
        stats = source.stats
        held_counts = {"held": 0, "unchanged": 0, "rejected": 0}
        if not dry_run and stats.held:
            queue = review_queue(node)
            try:
                for held in stats.held:
                    held_counts[queue.hold(held.kind, held.payload, held.reasons,
                                           source.mapping.source_name)] += 1
            finally:
                queue.close()
    _mapped_report(file, source, report, rate, dry_run, held_counts)
    if report.rejected:
        bad = len(report.rejected)
        verb = "would be" if dry_run else "were"
        raise ImportIncomplete(f"{bad} row(s) {verb} refused (each with its reasons above); "
                               f"{report.accepted} {verb} imported, {len(stats.held)} held")


def _mapped_report(file: Path, source: MappedSource, report: ImportReport, rate: Rate,
                   dry_run: bool, held_counts: dict[str, int]) -> None:
    stats = source.stats
    click.echo("Fields filled (rows):")
    for fill in stats.fill_lines():
        click.echo(fill)
    for line, reason in report.rejected:
        click.echo(f"{file}:{line}: {reason}", err=True)
    for kept in stats.held:
        why = "; ".join(f"{rule}: {text}" for rule, text in kept.reasons)
        click.echo(f"{file}:{kept.line}: held for review: {why}", err=True)
    for at, rule, why in stats.flagged:
        click.echo(f"{file}:{at}: note ({rule}): {why}", err=True)
    for warning in stats.warnings:
        click.echo(f"{file}:{warning.row}: note: {warning}", err=True)
    detected = sum(stats.detected.values())
    fallback = sum(stats.fallback.values())
    if detected or fallback:
        langs = ", ".join(f"{k} {v}" for k, v in stats.detected.most_common(8))
        click.echo(f"languages detected: {detected} text(s) ({langs}); "
                   f"{fallback} too short to tell, given the mapping's fallback language")
    counts = report.counts
    note = " (dry run: nothing written)" if dry_run else ""
    held = len(stats.held)
    click.echo(f"{file}: {stats.rows} row(s): {counts['created']} created, {counts['updated']} "
               f"updated, {counts['unchanged']} unchanged, {held} held for review"
               + ("" if dry_run else f" ({held_counts['held']} new, {held_counts['rejected']} "
                  "rejected before)")
               + f", {len(report.rejected)} refused ({rate.per_second():,.0f} rows/s){note}")
