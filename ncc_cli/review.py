"""Records held for review: ``ncc review list | show | publish | reject``.

An import that runs content checks (``ncc import --mapping``) puts records that look like spam or
junk here, with the rules' reasons, instead of signing and publishing them. The queue is a SQLite
file next to the node's database (``review.db``); publishing a record signs it through the
publisher like any import; rejecting it keeps a note, so that a re-import does not hold it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from ncc_node.errors import RecordRejected

from .errors import describe_rejection
from .node_access import config_option, opened_node

SCHEMA = """
CREATE TABLE IF NOT EXISTS held (
    identifier TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    reasons TEXT NOT NULL,
    source TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'held',
    held_at TEXT NOT NULL
)
"""


@dataclass
class HeldRecord:
    identifier: str
    kind: str
    payload: dict[str, Any]
    reasons: list[tuple[str, str]]
    source: str
    status: str
    held_at: str


class ReviewQueue:
    """The held records of one node."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path)
        self.db.execute(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def hold(self, kind: str, payload: dict[str, Any], reasons: list[tuple[str, str]],
             source: str) -> str:
        """Hold a record; return "held", "unchanged" or "rejected" (a rejected one stays so)."""
        identifier = str(payload["identifier"])
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        row = self.db.execute("SELECT payload, status FROM held WHERE identifier = ?",
                              (identifier,)).fetchone()
        if row is not None and (row[1] == "rejected" or row[0] == text):
            return "rejected" if row[1] == "rejected" else "unchanged"
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.db:
            self.db.execute(
                "INSERT INTO held (identifier, kind, payload, reasons, source, status, held_at) "
                "VALUES (?, ?, ?, ?, ?, 'held', ?) ON CONFLICT(identifier) DO UPDATE SET "
                "kind = excluded.kind, payload = excluded.payload, reasons = excluded.reasons, "
                "source = excluded.source, held_at = excluded.held_at",
                (identifier, kind, text, json.dumps(reasons), source, now))
        return "held"

    def records(self, status: str | None = "held") -> Iterator[HeldRecord]:
        query = "SELECT * FROM held" + (" WHERE status = ?" if status else "") + \
            " ORDER BY held_at, identifier"
        for row in self.db.execute(query, (status,) if status else ()):
            yield self._record(row)

    def get(self, identifier: str) -> HeldRecord | None:
        row = self.db.execute("SELECT * FROM held WHERE identifier = ?",
                              (identifier,)).fetchone()
        return None if row is None else self._record(row)

    def remove(self, identifier: str) -> None:
        with self.db:
            self.db.execute("DELETE FROM held WHERE identifier = ?", (identifier,))

    def reject(self, identifier: str) -> None:
        with self.db:
            self.db.execute("UPDATE held SET status = 'rejected' WHERE identifier = ?",
                            (identifier,))

    @staticmethod
    def _record(row: tuple[Any, ...]) -> HeldRecord:
        identifier, kind, payload, reasons, source, status, held_at = row
        return HeldRecord(identifier, kind, json.loads(payload),
                          [tuple(r) for r in json.loads(reasons)], source, status, held_at)


def review_queue(node: Any) -> ReviewQueue:
    """The review queue of an opened node."""
    return ReviewQueue(node.settings.path("node.data_dir") / "review.db")


def _name(payload: dict[str, Any]) -> str:
    names = payload.get("name") or {}
    return next(iter(names.values()), "") if isinstance(names, dict) else str(names)


@click.group("review")
def review() -> None:
    """Records held for review by the content checks of an import."""


@review.command("list")
@click.option("--rejected", is_flag=True, help="List rejected records instead of held ones.")
@config_option
def review_list(rejected: bool, config: Path | None) -> None:
    """List held records: identifier, the rules they tripped, name."""
    with opened_node(config) as node:
        queue = review_queue(node)
        count = 0
        for record in queue.records("rejected" if rejected else "held"):
            count += 1
            rules = ",".join(rule for rule, _ in record.reasons)
            click.echo(f"{record.identifier}\t{rules}\t{_name(record.payload)[:70]}")
        queue.close()
    click.echo(f"{count} record(s) {'rejected' if rejected else 'held for review'}", err=True)


def _find(queue: ReviewQueue, identifier: str) -> HeldRecord:
    record = queue.get(identifier)
    if record is None:
        raise click.ClickException(f"no record {identifier!r} is held for review "
                                   "(see `ncc review list`)")
    return record


@review.command("show")
@click.argument("identifier")
@config_option
def review_show(identifier: str, config: Path | None) -> None:
    """Show a held record: why it is held, where it came from, and its payload."""
    with opened_node(config) as node:
        queue = review_queue(node)
        record = _find(queue, identifier)
        queue.close()
    click.echo(f"{record.identifier} ({record.kind}, {record.status} since {record.held_at})")
    click.echo(f"source: {record.source}")
    for rule, why in record.reasons:
        click.echo(f"held by {rule}: {why}")
    click.echo(json.dumps(record.payload, ensure_ascii=False, indent=2))


@review.command("publish")
@click.argument("identifiers", nargs=-1, required=True)
@config_option
def review_publish(identifiers: tuple[str, ...], config: Path | None) -> None:
    """Sign and publish held records (a reviewer found them fine)."""
    with opened_node(config) as node:
        queue = review_queue(node)
        try:
            for identifier in identifiers:
                record = _find(queue, identifier)
                try:
                    counts = node.publisher.upsert_many([(record.kind, record.payload)],
                                                         actor="cli:review")
                except RecordRejected as exc:
                    raise click.ClickException(
                        f"{identifier}: {describe_rejection(exc)}") from None
                queue.remove(identifier)
                outcome = next((k for k, v in counts.items() if v), "unchanged")
                click.echo(f"{identifier}: published ({outcome})")
        finally:
            queue.close()


@review.command("reject")
@click.argument("identifiers", nargs=-1, required=True)
@config_option
def review_reject(identifiers: tuple[str, ...], config: Path | None) -> None:
    """Reject held records: never published, and not held again by a re-import."""
    with opened_node(config) as node:
        queue = review_queue(node)
        try:
            for identifier in identifiers:
                _find(queue, identifier)
                queue.reject(identifier)
                click.echo(f"{identifier}: rejected")
        finally:
            queue.close()
