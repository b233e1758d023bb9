"""Records held for review: ``ncc review list | show | publish | reject``.

An import that runs content checks (``ncc import --mapping``) puts records that look like spam or
junk here, with the rules' reasons, instead of signing and publishing them. The queue is a SQLite
table of the node's store (the same queue the review page shows); publishing a record signs it
through the publisher like any import; rejecting it keeps the reason, so that a re-import does
not hold it again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from ncc_node.errors import NccError, RecordRejected
from ncc_node.records import Moderation
from ncc_node.store import HeldRecord

from .errors import describe_rejection
from .node_access import config_option, opened_node

OLD_QUEUE = "review.db"  # where the queue lived before it moved into the node's store


def _adopt_old_queue(node: Any) -> None:
    """Move the records of a review queue kept in ``review.db`` into the store, once."""
    path = node.settings.path("node.data_dir") / OLD_QUEUE
    if not path.exists():
        return
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT identifier, kind, payload, reasons, source, status "
                          "FROM held").fetchall()
    except sqlite3.DatabaseError:
        rows = []
    finally:
        db.close()
    with node.store.write() as writer:
        for identifier, kind, payload, reasons, source, status in rows:
            writer.hold(kind, json.loads(payload), [tuple(r) for r in json.loads(reasons)],
                        source)
            if status == "rejected":
                writer.decide_held(identifier, "rejected", decision=None, by=None)
    path.rename(path.with_name(OLD_QUEUE + ".moved"))


class ReviewQueue:
    """The held records of one node, in its store (``Store.hold``, ``Moderation``)."""

    def __init__(self, node: Any) -> None:
        self.node = node
        self.moderation = Moderation(node.store, node.publisher)
        _adopt_old_queue(node)

    def close(self) -> None:
        """Nothing to close: the node's store is closed with the node."""

    def hold(self, kind: str, payload: dict[str, Any], reasons: list[tuple[str, str]],
             source: str) -> str:
        """Hold a record; return "held", "unchanged" or "rejected" (a rejected one stays so)."""
        with self.node.store.write() as writer:
            outcome: str = writer.hold(kind, payload, reasons, source)
        return outcome

    def records(self, status: str | None = "held") -> Iterator[HeldRecord]:
        """The held (or rejected) records, oldest first."""
        yield from self.node.store.held_records(status)

    def get(self, identifier: str) -> HeldRecord | None:
        """One record of the queue, or None."""
        found: HeldRecord | None = self.node.store.held(identifier)
        return found


def review_queue(node: Any) -> ReviewQueue:
    """The review queue of an opened node."""
    return ReviewQueue(node)


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
                _find(queue, identifier)
                try:
                    outcome = queue.moderation.publish_held(identifier, by="cli:review")
                except RecordRejected as exc:
                    raise click.ClickException(
                        f"{identifier}: {describe_rejection(exc)}") from None
                except NccError as exc:
                    raise click.ClickException(f"{identifier}: {exc}") from None
                click.echo(f"{identifier}: published ({outcome})")
        finally:
            queue.close()


@review.command("reject")
@click.argument("identifiers", nargs=-1, required=True)
@click.option("--reason", default="rejected by a reviewer", show_default=True,
              help="Why (kept with the record, shown on the review page).")
@config_option
def review_reject(identifiers: tuple[str, ...], reason: str, config: Path | None) -> None:
    """Reject held records: never published, and not held again by a re-import."""
    with opened_node(config) as node:
        queue = review_queue(node)
        try:
            for identifier in identifiers:
                _find(queue, identifier)
                try:
                    queue.moderation.reject_held(identifier, reason=reason, by="cli:review")
                except NccError as exc:
                    raise click.ClickException(f"{identifier}: {exc}") from None
                click.echo(f"{identifier}: rejected")
        finally:
            queue.close()
