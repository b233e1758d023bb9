"""``ncc migrate --to postgresql://…``: move a node's store into a PostgreSQL database."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ncc_node.errors import StoreError
from ncc_node.records.digest import digest_lines, hash_lines
from ncc_node.store.postgres import PostgresStore, is_postgres, redacted
from ncc_node.store.transfer import copy_store, record_count

from .node_access import config_option, opened_node


@click.command("migrate")
@config_option
@click.option("--to", "target_url", required=True, metavar="URL",
              help="An empty PostgreSQL database (or schema): postgresql://user@host/dbname.")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
def migrate(config: Path | None, target_url: str, no_progress: bool) -> None:
    """Copy the node's records and state into an empty PostgreSQL database, then compare
    digests. Stop `ncc serve` and `ncc sync` first; afterwards set [node] database to URL."""
    if not is_postgres(target_url):
        raise click.UsageError(f"--to must be a postgresql:// URL, not {target_url!r}")
    hidden = no_progress or not sys.stderr.isatty()
    with opened_node(config) as node:
        source = node.store
        started = time.perf_counter()
        target = PostgresStore(target_url)
        try:
            with click.progressbar(length=record_count(source), label="Copying records",
                                   file=sys.stderr,
                                   hidden=hidden) as bar:
                copied = copy_store(source, target, bar.update)
            mine, theirs = hash_lines(digest_lines(source)), hash_lines(digest_lines(target))
            if mine != theirs or source.origin_digests() != target.origin_digests():
                raise StoreError(f"digests differ after the copy: {mine} here, {theirs} in "
                                 f"{redacted(target_url)}")
        finally:
            target.close()
    click.echo(f"Copied {copied:,} record(s) and the node's state into {redacted(target_url)} "
               f"in {time.perf_counter() - started:.1f} s; digest {mine} on both.")
    click.echo(f'Now set [node] database = "{redacted(target_url)}" (or NCC_NODE_DATABASE) '
               "and start the node again.")
