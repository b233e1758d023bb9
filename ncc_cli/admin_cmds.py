"""Operator commands on a node: tokens, key rotation, status and reindexing."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import click

from ncc_node.context import NodeContext
from ncc_node.errors import NotFound
from ncc_node.identity import (
    SCOPE_ALLOWS,
    SCOPES,
    create_token,
    descriptor_keys,
    roster_file_for,
    rotate_identity,
)
from ncc_node.store import RecordFilter
from ncc_node.timestamps import format_timestamp, utc_now
from vocab import COLLECTIONS, concept_index

from .node_access import config_option, opened_node

KINDS = tuple(COLLECTIONS)


@click.group()
def token() -> None:
    """Operator tokens for the HTTP API (Authorization: Bearer …)."""


@token.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, type=click.Choice(sorted(SCOPES)),
              default=("write",), show_default=True,
              help="Repeatable. " + "; ".join(f"{scope}: {allows}"
                                              for scope, allows in SCOPE_ALLOWS.items()) + ".")
@config_option
def token_create(name: str, scopes: tuple[str, ...], config: Path | None) -> None:
    """Create a token and print its secret once."""
    with opened_node(config) as node:
        created, secret = create_token(node.store, name, scopes, actor="cli:token")
    click.echo(secret)
    click.echo(f"Token {created.name!r} created with scope(s) {', '.join(sorted(created.scopes))}."
               " Store the secret above now: it is not shown again.", err=True)


@token.command("list")
@config_option
def token_list(config: Path | None) -> None:
    """List tokens (names, scopes, use); secrets are never stored, so never shown."""
    with opened_node(config) as node:
        tokens = node.store.tokens()
    if not tokens:
        click.echo("No tokens. Create one with `ncc token create NAME`.")
        return
    click.echo(f"{'NAME':24} {'SCOPES':12} {'CREATED':21} {'LAST USED':21} STATUS")
    for item in tokens:
        status = f"revoked {item.revoked}" if item.revoked else "live"
        click.echo(f"{item.name:24} {','.join(sorted(item.scopes)):12} {item.created:21} "
                   f"{item.last_used or '-':21} {status}")


@token.command("revoke")
@click.argument("name")
@config_option
def token_revoke(name: str, config: Path | None) -> None:
    """Revoke a token: requests carrying it fail from now on."""
    with opened_node(config) as node:
        if not node.store.revoke_token(name, actor="cli:token"):
            raise NotFound(f"no live token named {name!r} (see `ncc token list`)")
    click.echo(f"Token {name!r} revoked.")


@click.group()
def keys() -> None:
    """The node's signing keys."""


@keys.command("rotate")
@config_option
def keys_rotate(config: Path | None) -> None:
    """Retire the active key, create the next one, publish the descriptor signed by both."""
    with opened_node(config) as node:
        old = node.identity.active_key.key_id
        rotated = rotate_identity(node.settings, node.store, node.identity)
        new = rotated.active_key
        click.echo(f"Retired {old}; new active key {new.key_id} (public {new.public_multikey}).")
        click.echo(f"Published descriptor version {rotated.descriptor['version']} of "
                   f"{rotated.node_iri}, signed by {old} and {new.key_id}.")
        click.echo("Running servers and commands of this node sign with it from now on.")
        _repair(node)


def _repair(node: NodeContext) -> None:
    def show(record_id: str, old: int, new: int) -> None:
        click.echo(f"  re-signed {record_id}: version {old} -> {new}")

    repaired = node.publisher.repair_signatures(progress=show)
    if repaired:
        click.echo(f"Re-signed and re-published {len(repaired)} record(s) that were signed "
                   "with a key after its retirement.")


@click.command()
@config_option
def repair(config: Path | None) -> None:
    """Re-sign and re-publish own records signed with a key after its retirement."""
    with opened_node(config) as node:
        _repair(node)
    click.echo("Every own record is signed with a key valid at its proof's time.")


@click.command()
@config_option
def reindex(config: Path | None) -> None:
    """Rebuild the derived indexes (full text, facets, keys) from the stored records."""
    with opened_node(config) as node:
        started = time.perf_counter()
        count = node.store.reindex()
    click.echo(f"Reindexed {count} record(s) in {time.perf_counter() - started:.2f} s.")


def node_status(node: NodeContext) -> dict[str, Any]:
    """Collect what `ncc status` shows: identity, keys, descriptor, counts by kind and origin."""
    identity, store = node.identity, node.store
    records = {}
    for kind in KINDS:
        live = store.count(RecordFilter(kind=kind))
        own = store.count(RecordFilter(kind=kind, origin=identity.node_iri))
        every = store.count(RecordFilter(kind=kind, include_deleted=True))
        records[kind] = {"own": own, "from_peers": live - own, "deleted": every - live}
    tokens = store.tokens()
    skipped, first_skips = store.view_skips(limit=20)
    held = roster_file_for(node.settings)
    roster = held.held() if held.configured else None
    return {
        "node": identity.node_iri,
        "name": identity.descriptor.get("name", {}),
        "country": identity.jurisdiction,
        "base_url": identity.base_url,
        "database": node.settings.database_label(),
        "last_seq": store.last_seq(),
        "descriptor_version": identity.descriptor["version"],
        "descriptor_modified": identity.descriptor["modified"],
        "keys": [{"id": key.key_id, "status": key.status, "created": format_timestamp(key.created),
                  "retired": format_timestamp(key.retired) if key.retired else None,
                  "publicKeyMultibase": key.public_key_multibase}
                 for key in descriptor_keys(identity.descriptor).values()],
        "active_key": identity.active_key.key_id,
        "records": records,
        "tokens": {"live": sum(1 for t in tokens if not t.revoked),
                   "revoked": sum(1 for t in tokens if t.revoked)},
        "peers": len(store.peers()),
        "roster": (None if not held.configured else "none held" if roster is None
                   else roster.summary(utc_now())),
        "view_skips": {"count": skipped,
                       "first": [{"id": record_id, "seq": seq, "reason": reason}
                                 for record_id, seq, reason in first_skips]},
    }


@click.command()
@config_option
@click.option("--json", "as_json", is_flag=True, help="Print the status as JSON.")
def status(config: Path | None, as_json: bool) -> None:
    """Show the node's identity, keys, descriptor version and record counts."""
    with opened_node(config) as node:
        info = node_status(node)
    if as_json:
        click.echo(json.dumps(info, indent=2, ensure_ascii=False))
        return
    country = concept_index().label(info["country"], "en")
    name = info["name"].get("en") or next(iter(info["name"].values()), "")
    click.echo(f"Node        {info['node']}")
    click.echo(f"Name        {name}")
    click.echo(f"Country     {info['country']} ({country})")
    click.echo(f"Database    {info['database']} (sequence {info['last_seq']})")
    click.echo(f"Descriptor  version {info['descriptor_version']}, "
               f"modified {info['descriptor_modified']}")
    for key in info["keys"]:
        since = f"retired {key['retired']}" if key["retired"] else f"since {key['created']}"
        click.echo(f"Key         {key['id']:10} {key['status']:8} {since}  "
                   f"{key['publicKeyMultibase']}")
    click.echo(f"Records     {'kind':12} {'own':>8} {'from peers':>11} {'deleted':>8}")
    for kind, counts in info["records"].items():
        click.echo(f"            {kind:12} {counts['own']:8} {counts['from_peers']:11} "
                   f"{counts['deleted']:8}")
    click.echo(f"Tokens      {info['tokens']['live']} live, {info['tokens']['revoked']} revoked")
    click.echo(f"Peers       {info['peers']}")
    if info["roster"] is not None:
        click.echo(f"Roster      {info['roster']}")
    skips = info["view_skips"]
    if skips["count"]:
        click.echo(f"SPARQL      {skips['count']} record(s) left out: the RDF view cannot "
                   "convert them")
        for skip in skips["first"]:
            click.echo(f"            {skip['id']} (seq {skip['seq']}): {skip['reason']}")
