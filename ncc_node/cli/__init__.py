"""The operator CLI, ``ncc``: one click group, commands registered from one module each."""

from __future__ import annotations

import click

from .vocab_cmds import vocab


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ncc-exchange", prog_name="ncc")
def main() -> None:
    """NCC Exchange: run a national competence centre node and work with its records."""


main.add_command(vocab)

__all__ = ["main"]
