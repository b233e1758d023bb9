"""What operators look at: ``ncc sync status``, ``ncc quarantine list|show`` and ``ncc digest``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from ncc_node.errors import NotFound
from ncc_node.records import digest_lines, hash_lines
from ncc_node.reports import sync_status
from ncc_node.store import QuarantineEntry, Store

from .node_access import config_option, opened_node


def _lag(seconds: int | None) -> str:
    """A lag for people: ``never``, ``42 s``, ``3 min``, ``5 h``, ``2 d``."""
    if seconds is None:
        return "never synced"
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def render_peer(peer: dict[str, Any]) -> list[str]:
    """The lines of one peer in ``ncc sync status``."""
    note = "" if peer["configured"] else "  (no longer in [[peers]])"
    rejected = peer["rejected"]
    reasons = ", ".join(f"{reason} {count}" for reason, count in rejected.items())
    error = (f"{peer['last_error']} (at {peer['last_error_at']})"
             if peer["last_error"] else "-")
    return [
        f"Peer  {peer['base_url']}  scope {peer['scope']}{note}",
        f"      node          {peer['node'] or '(not contacted yet)'}",
        f"      last success  {peer['last_success'] or '-'}  (lag {_lag(peer['lag_s'])})",
        f"      last error    {error}",
        f"      cursor        {peer['cursor'] or '(from the beginning)'}",
        f"      accepted      {peer['accepted']:,}",
        f"      rejected      {peer['rejected_total']:,}" + (f"  ({reasons})" if reasons else ""),
        f"      errors        {_errors(peer)}",
        f"      retry pending {peer['pending_retry']:,}",
        f"      anti-entropy  {_antientropy(peer['antientropy'])}",
        f"      behind        {_behind(peer['behind'])}",
        f"      quarantine    {peer['quarantine']['rows']:,} rows, "
        f"{peer['quarantine']['received']:,} received, {peer['quarantine']['dropped']:,} "
        "dropped by the caps",
    ]


def _errors(peer: dict[str, Any]) -> str:
    """Every error kind since the last success, with counts."""
    if not peer["errors"]:
        return "none since the last success"
    kinds = ", ".join(f"{kind} {count}" for kind, count in peer["errors"].items())
    return f"{kinds} (since {peer['error_since']})"


def _antientropy(check: dict[str, Any] | None) -> str:
    if not check:
        return "not checked yet"
    if check.get("unsupported"):
        return f"not served by the peer ({check['unsupported']})"
    verdict = "agrees" if check.get("agrees") else (
        f"DIFFERS ({check.get('missing', 0)} missing here, "
        f"{check.get('origins_differing', 0)} origins differ)")
    return f"{verdict}, {check.get('repaired', 0)} repaired (at {check.get('at')})"


def _behind(behind: int | None) -> str:
    return "not known (the last round did not reach the feed's end)" if behind is None else (
        f"{behind:,} records")


@click.command("status")
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def sync_status_cmd(config: Path | None, as_json: bool) -> None:
    """Per peer: last success, last error, cursor, lag, counts accepted/rejected by reason."""
    parent = click.get_current_context().parent  # `ncc sync --config FILE status` works too
    if config is None and parent is not None:
        config = parent.params.get("config")
    with opened_node(config) as node:
        info = sync_status(node.store, node.settings)
        node_iri = node.identity.node_iri
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    click.echo(f"Node  {node_iri}  (sequence {info['last_seq']}, at {info['at']})")
    if not info["peers"]:
        click.echo("No peers. Add [[peers]] tables to the config (docs/operations.md).")
    for peer in info["peers"]:
        click.echo("\n".join(render_peer(peer)))


@click.group()
def quarantine() -> None:
    """Incoming items that sync rejected, kept with their reason."""


def _entries(store: Store, *, after: int, peer: str | None, reason: str | None,
             limit: int) -> list[QuarantineEntry]:
    """Up to ``limit`` quarantined items after id ``after`` matching the filters."""
    found: list[QuarantineEntry] = []
    while len(found) < limit:
        batch = store.quarantined(limit=500, after=after)
        if not batch:
            break
        for entry in batch:
            if (peer is None or entry.peer.rstrip("/") == peer.rstrip("/")) and (
                    reason is None or entry.reason == reason):
                found.append(entry)
        after = batch[-1].id
    return found[:limit]


@quarantine.command("list")
@config_option
@click.option("--peer", help="Only items from this peer (base URL).")
@click.option("--reason", help="Only items rejected for this reason, e.g. bad_signature.")
@click.option("--after", type=click.IntRange(0), default=0, show_default=True,
              help="Start after this quarantine id (page on with the last id shown).")
@click.option("--limit", type=click.IntRange(1, 100_000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON Lines, bodies left out.")
def quarantine_list(config: Path | None, peer: str | None, reason: str | None, after: int,
                    limit: int, as_json: bool) -> None:
    """List quarantined items, oldest first: id, time, peer, reason, record id."""
    with opened_node(config) as node:
        entries = _entries(node.store, after=after, peer=peer, reason=reason, limit=limit)
    if as_json:
        for entry in entries:
            click.echo(json.dumps(_summary(entry), ensure_ascii=False))
        return
    if not entries:
        click.echo("Quarantine is empty." if not (after or peer or reason)
                   else "No quarantined items match.")
        return
    click.echo(f"{'ID':>6}  {'RECEIVED':20}  {'PEER':28}  {'REASON':24}  RECORD")
    for entry in entries:
        click.echo(f"{entry.id:>6}  {entry.received_at:20}  {entry.peer:28}  "
                   f"{entry.reason:24}  {entry.record_id or '-'}")
    if len(entries) == limit:
        click.echo(f"(more may follow: --after {entries[-1].id})", err=True)


def _summary(entry: QuarantineEntry) -> dict[str, Any]:
    return {"id": entry.id, "received_at": entry.received_at, "peer": entry.peer,
            "reason": entry.reason, "record_id": entry.record_id, "detail": entry.detail}


@quarantine.command("show")
@click.argument("entry_id", metavar="ID", type=click.IntRange(1))
@config_option
@click.option("--json", "as_json", is_flag=True, help="JSON, with the body as text.")
def quarantine_show(entry_id: int, config: Path | None, as_json: bool) -> None:
    """Show one quarantined item: why it was rejected, and the body as received."""
    with opened_node(config) as node:
        found = node.store.quarantined(limit=1, after=entry_id - 1)
    if not found or found[0].id != entry_id:
        raise NotFound(f"no quarantined item {entry_id} (see `ncc quarantine list`)")
    entry = found[0]
    text = entry.body.decode("utf-8", errors="replace")
    if as_json:
        click.echo(json.dumps({**_summary(entry), "body": text}, indent=2, ensure_ascii=False))
        return
    for label, value in (("Id", entry.id), ("Received", entry.received_at), ("Peer", entry.peer),
                         ("Record", entry.record_id or "-"), ("Reason", entry.reason),
                         ("Detail", entry.detail or "-")):
        click.echo(f"{label:9} {value}")
    click.echo(f"Body      {len(entry.body):,} bytes, as received:")
    try:
        click.echo(json.dumps(json.loads(text), indent=2, ensure_ascii=False))
    except ValueError:  # not JSON at all: show it as it came
        click.echo(text)


@click.command("digest")
@config_option
def digest_cmd(config: Path | None) -> None:
    """Print one hash over the records held (id, version, proof value): equal when nodes agree."""
    with opened_node(config) as node:
        lines = digest_lines(node.store)
        node_iri = node.identity.node_iri
    click.echo(f"{hash_lines(lines)}  {node_iri} ({len(lines):,} records)")
