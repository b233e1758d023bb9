"""``ncc roster``: the federation roster (docs/protocol-proofs.md §12, "Origin trust").

Whoever runs the federation makes a roster key (``keygen``) and signs the list of its nodes
(``sign``); operators pin the roster key's public part in ``[roster] keys``, install a roster
(``install``; later versions also come from peers, at ``/roster``) and look at it (``show``).
"""

from __future__ import annotations

import sys
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from ncc_node import (
    ConfigError,
    RosterEntry,
    RosterRejected,
    generate_key,
    load_key,
    roster_bytes,
    roster_file_for,
    save_key,
    sign_roster,
    utc_now,
)
from ncc_node.identity import country_concept

from .errors import CliError
from .node_access import config_option, node_settings


@click.group()
def roster() -> None:
    """The federation roster: node IRIs, countries and keys, signed by the roster keys."""


@roster.command("keygen")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def roster_keygen(path: Path) -> None:
    """Create a roster signing key at PATH (PEM, mode 0600) and print its public key."""
    if path.exists():
        raise CliError(f"{path} exists; a roster key is never overwritten")
    key = generate_key("roster")
    save_key(key, path)
    click.echo(key.public_multikey)
    click.echo(f"Saved the private key to {path}; operators pin the line above in "
               "[roster] keys.", err=True)


@roster.command("sign")
@click.argument("nodes", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", "keys", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              multiple=True, required=True, help="A roster key's PEM file (repeatable).")
@click.option("--version", "number", type=click.IntRange(min=1), required=True,
              help="The roster's version: higher than every version published before.")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Days until the roster expires.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the signed roster here (default: stdout).")
def roster_sign(nodes: Path, keys: tuple[Path, ...], number: int, days: int,
                out: Path | None) -> None:
    """Sign the roster of NODES (TOML: [[nodes]] tables of node, country and keys)."""
    try:
        table = tomllib.loads(nodes.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CliError(f"{nodes}: not valid TOML: {exc}") from None
    listed = table.get("nodes")
    if not isinstance(listed, list) or not listed:
        raise CliError(f"{nodes}: expected [[nodes]] tables of node, country and keys")
    entries = []
    for index, item in enumerate(listed):
        if not isinstance(item, dict) or sorted(item) != ["country", "keys", "node"]:
            raise CliError(f"{nodes}: nodes[{index}]: expected node, country and keys")
        try:
            country = country_concept(str(item["country"]).removeprefix("country:"))
        except ConfigError as exc:
            raise CliError(f"{nodes}: nodes[{index}]: {exc.message}") from None
        entries.append(RosterEntry(str(item["node"]), country, tuple(item["keys"] or ())))
    now = utc_now()
    signed = sign_roster(entries, version=number, expires=now + timedelta(days=days),
                         keys=[load_key(path, key_id="roster") for path in keys], issued=now)
    body = roster_bytes(signed)
    if out is None:
        sys.stdout.buffer.write(body + b"\n")
        return
    out.write_bytes(body)
    click.echo(f"Signed roster version {number} of {len(entries)} node(s), expiring "
               f"{signed['expires']}, to {out}.", err=True)


@roster.command("install")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
def roster_install(path: Path, config: Path | None) -> None:
    """Verify a roster against the pinned roster keys and hold it (newer versions only)."""
    held = roster_file_for(node_settings(config))
    try:
        taken, changed = held.install(path.read_bytes())
    except RosterRejected as exc:
        raise CliError(f"{path}: {exc.reason}: {exc.message}") from None
    now = datetime.now(UTC)
    click.echo(("Installed roster " if changed else "Already held: roster ")
               + taken.summary(now) + ".")


@roster.command("show")
@config_option
def roster_show(config: Path | None) -> None:
    """The roster this node holds and the nodes it lists."""
    held = roster_file_for(node_settings(config))
    if not held.configured:
        click.echo("No roster key pinned ([roster] keys): no roster is used.")
        return
    taken = held.held()
    if taken is None:
        click.echo(f"No roster held at {held.path}.")
        return
    click.echo(f"Roster {taken.summary(datetime.now(UTC))}:")
    for entry in taken.nodes.values():
        click.echo(f"  {entry.node}  {entry.country}  {', '.join(entry.keys)}")
