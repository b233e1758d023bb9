"""Moderation from the shell: ``ncc hide``, ``ncc unhide``, ``ncc hidden`` (docs/web.md).

The same as the admins' moderation page: a peer's record, or every record of an origin, is
hidden on this node with a reason (still stored, verifiable and, unless ``--no-relay``,
relayed); ``unhide`` shows it again.
"""

from __future__ import annotations

from pathlib import Path

import click

from ncc_node.errors import NccError
from ncc_node.records import Moderation

from .node_access import config_option, opened_node

ACTOR = "cli:moderation"


@click.command("hide")
@click.argument("target")
@click.option("--reason", required=True, help="Why (kept with the entry, shown to admins).")
@click.option("--origin", "whole_origin", is_flag=True,
              help="TARGET is an origin's node IRI: hide every record of it.")
@click.option("--no-relay", is_flag=True, help="Also leave it out of this node's feed.")
@config_option
def hide(target: str, reason: str, whole_origin: bool, no_relay: bool,
         config: Path | None) -> None:
    """Hide a peer's record (or with --origin every record of an origin) on this node."""
    with opened_node(config) as node:
        moderation = Moderation(node.store, node.publisher)
        action = moderation.hide_origin if whole_origin else moderation.hide_record
        try:
            count = action(target, reason=reason, relay=not no_relay, by=ACTOR)
        except NccError as exc:
            raise click.ClickException(f"{target}: {exc.message}") from None
    click.echo(f"{target}: hidden ({count} record(s)"
               + (", not relayed)" if no_relay else ", still relayed)"))


@click.command("unhide")
@click.argument("target")
@config_option
def unhide(target: str, config: Path | None) -> None:
    """Show a hidden record or origin again."""
    with opened_node(config) as node:
        try:
            count = Moderation(node.store, node.publisher).unhide(target, by=ACTOR)
        except NccError as exc:
            raise click.ClickException(f"{target}: {exc.message}") from None
    click.echo(f"{target}: shown again ({count} record(s))")


@click.command("hidden")
@config_option
def hidden(config: Path | None) -> None:
    """List what this node hides: scope, target, relayed or not, by whom, why."""
    with opened_node(config) as node:
        entries = node.store.hidden()
    for entry in entries:
        relay = "relayed" if entry.relay else "not-relayed"
        click.echo(f"{entry.scope}\t{entry.target}\t{relay}\t{entry.hidden_by or '-'}\t"
                   f"{entry.hidden_at}\t{entry.reason}")
    click.echo(f"{len(entries)} hidden", err=True)
