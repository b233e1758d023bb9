"""``ncc export``: records as JSON-LD (signed bodies verbatim), N-Quads, Turtle or CSV."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click
from pyld import jsonld
from rdflib import Graph

from ncc_node.context import NodeContext
from ncc_node.records import payload_of
from ncc_node.store import StoredRecord
from vocab import context_terms, document_loader, to_graph

from .csv_layout import export_columns, row_of
from .node_access import config_option, opened_node

KINDS: dict[str, tuple[str, ...]] = {
    "initiative": ("Initiative",), "method": ("Method",), "all": ("Initiative", "Method")}


def selected(node: NodeContext, kind: str, scope: str) -> Iterator[StoredRecord]:
    """Yield the live records to export: initiatives, then methods, each in the order written."""
    for one_kind in KINDS[kind]:
        for record in node.store.iter_records(kind=one_kind):
            if record.deleted:
                continue
            if scope == "own" and record.origin != node.identity.node_iri:
                continue
            yield record


@contextmanager
def output_stream(output: Path | None) -> Iterator[IO[bytes]]:
    """Stdout, or a file written under a temporary name and renamed when complete."""
    if output is None:
        yield sys.stdout.buffer
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("wb") as stream:
            yield stream
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


def write_jsonld(records: Iterator[StoredRecord], out: IO[bytes], lines: bool) -> int:
    """A JSON array (or JSON Lines) of the exact stored signed bodies."""
    count = 0
    for record in records:
        if lines:
            out.write(record.body + b"\n")
        else:
            out.write((b",\n" if count else b"[\n") + record.body)
        count += 1
    if not lines:
        out.write(b"\n]\n" if count else b"[]\n")
    return count


def _relabel(dataset: dict[str, Any], prefix: str) -> dict[str, Any]:
    """Prefix a PyLD dataset's blank node labels (each record numbers its own from _:b0)."""
    def term(value: dict[str, Any]) -> dict[str, Any]:
        if value.get("type") == "blank node":
            return {**value, "value": f"_:{prefix}{value['value'][2:]}"}
        return value

    return {(f"_:{prefix}{name[2:]}" if name.startswith("_:") else name):
            [{part: term(value) for part, value in triple.items()} for triple in triples]
            for name, triples in dataset.items()}


def write_nquads(records: Iterator[StoredRecord], out: IO[bytes]) -> int:
    """N-Quads of each record, its proof in a named graph (blank nodes labelled per record)."""
    # PyLD directly, as vocab.rdf does (no base IRI, offline loader): rdflib's N-Quads writer
    # calls its own deprecated Dataset.contexts().
    options = {"documentLoader": document_loader(), "base": None}
    count = 0
    for count, record in enumerate(records, 1):
        dataset = jsonld.to_rdf(json.loads(record.body), options)
        text = jsonld.JsonLdProcessor.to_nquads(_relabel(dataset, f"r{count}"))
        out.write(text.encode("utf-8"))
    return count


def write_turtle(records: Iterator[StoredRecord], out: IO[bytes]) -> int:
    """One Turtle graph of the records' payloads (Turtle has no named graphs: no proofs)."""
    graph = Graph()
    for prefix, namespace in context_terms().items():
        if isinstance(namespace, str) and namespace.endswith(("/", "#")):
            graph.bind(prefix, namespace)
    count = 0
    for record in records:
        graph += to_graph(json.loads(record.body))
        count += 1
    out.write(graph.serialize(format="turtle", encoding="utf-8"))
    return count


def write_csv(node: NodeContext, kind: str, scope: str, out: IO[bytes]) -> int:
    """The import CSV layout; records without an identifier use their id as one."""
    columns = export_columns(payload_of(json.loads(r.body)) for r in selected(node, kind, scope))
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.DictWriter(text, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        count = 0
        for record in selected(node, kind, scope):
            payload = payload_of(json.loads(record.body))
            payload.setdefault("identifier", record.id)
            writer.writerow(row_of(record.kind, payload, columns))
            count += 1
    finally:
        text.detach()  # leave the underlying stream (maybe stdout) open
    return count


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonld", "nquads", "turtle", "csv"]),
              default="jsonld", show_default=True)
@click.option("--lines", is_flag=True, help="JSON-LD as JSON Lines, one signed record per line.")
@click.option("--kind", type=click.Choice(sorted(KINDS)), default="all", show_default=True)
@click.option("--scope", type=click.Choice(["own", "all"]), default="own", show_default=True,
              help="own: this node's records; all: also those merged from peers.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to FILE (atomically) instead of stdout.")
@config_option
def export_records(fmt: str, lines: bool, kind: str, scope: str, output: Path | None,
                   config: Path | None) -> None:
    """Export live initiatives and methods to stdout or a file."""
    if lines and fmt != "jsonld":
        raise click.UsageError("--lines applies to --format jsonld only")
    with opened_node(config) as node, output_stream(output) as out:
        records = selected(node, kind, scope)
        if fmt == "jsonld":
            count = write_jsonld(records, out, lines)
        elif fmt == "nquads":
            count = write_nquads(records, out)
        elif fmt == "turtle":
            count = write_turtle(records, out)
        else:
            count = write_csv(node, kind, scope, out)
        out.flush()
    where = f" to {output}" if output else ""
    click.echo(f"Exported {count} record(s) as {fmt}{where}.", err=True)
