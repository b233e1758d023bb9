"""Errors the CLI raises on purpose, and the mapping of every typed error to a message and exit."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import click

from ncc_node.errors import NccError, RecordRejected
from vocab import VocabError


class CliError(NccError):
    """A command that cannot do what it was asked (the message says why)."""

    code = "cli"


class ImportFileError(CliError):
    """An import file that cannot be read as a whole (encoding, header, JSON syntax)."""

    code = "import_file"


class ImportIncomplete(CliError):
    """An import that rejected rows; the message says whether the other rows were written."""

    code = "import_incomplete"


class CsvLayoutError(CliError):
    """A record that the CSV layout cannot carry, or a CSV cell that cannot be read."""

    code = "csv_layout"


def describe_rejection(exc: RecordRejected) -> str:
    """Return a one-line reason naming every field a :class:`RecordRejected` names, once.

    The details come innermost field first, the causing rule first at each field; the later
    findings at a field follow from the first (a date written 01.02.2021 is both no valid date
    and off the date pattern), so each field gets one message: one message per fault.
    """
    details: Sequence[Mapping[str, Any]] = exc.details
    if not details:
        return exc.message
    first: dict[str, Any] = {}
    for detail in details:
        first.setdefault(detail.get("path") or "(record)", detail.get("message"))
    return "; ".join(f"{path}: {message}" for path, message in first.items())


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # not a real file descriptor (e.g. under CliRunner)
        pass


class NccGroup(click.Group):
    """A click group that turns our typed errors into ``Error: <message>`` and exit code 1."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; expected failures never show a traceback (CONVENTIONS §5)."""
        try:
            return super().invoke(ctx)
        except (NccError, VocabError) as exc:
            raise click.ClickException(str(exc)) from exc
        except BrokenPipeError:  # `ncc export | head`: the reader left; stop quietly
            _silence_stdout()
            ctx.exit(1)
        except OSError as exc:  # unreadable/unwritable files named on the command line
            where = f": {exc.filename}" if exc.filename else ""
            raise click.ClickException(f"{exc.strerror or exc}{where}") from exc
