"""The operator CLI, ``ncc``: one click group, commands registered from one module each."""

from __future__ import annotations

import click

from .admin_cmds import keys, reindex, repair, status, token
from .demo_cmd import demo
from .errors import NccGroup
from .export_cmd import export_records
from .import_cmd import import_records
from .init_cmd import init
from .migrate_cmd import migrate
from .moderation_cmds import hidden, hide, unhide
from .review import review
from .roster_cmds import roster
from .serve_cmd import serve
from .sync_cmds import sync_group
from .sync_view_cmds import digest_cmd, quarantine
from .user_cmds import user
from .vocab_cmds import vocab


@click.group(cls=NccGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ncc-exchange", prog_name="ncc")
def main() -> None:
    """NCC Exchange: run a national competence centre node and work with its records."""


for command in (init, serve, status, token, keys, import_records, export_records, reindex,
                repair, vocab, sync_group, quarantine, digest_cmd, demo, review, roster, user,
                hide, unhide, hidden, migrate):
    main.add_command(command)

__all__ = ["main"]
