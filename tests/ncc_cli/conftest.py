"""Fixtures for the ``ncc`` CLI: a clean environment, a runner, and nodes made by ``ncc init``."""

from __future__ import annotations

import cProfile
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from ncc_cli import main
from ncc_cli.node_access import opened_node
from ncc_node.context import NodeContext

REPO = Path(__file__).resolve().parents[2]
SAMPLE_CSV = REPO / "config" / "samples" / "example-import.csv"
Invoke = Callable[..., Result]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No NCC_* variables from the developer's shell, and a fresh working folder per test."""
    for name in list(os.environ):
        if name.startswith("NCC_"):
            monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)


@pytest.fixture
def ncc() -> Invoke:
    """Run ``ncc ARGS…`` in-process; ``input`` and ``env`` as for CliRunner.invoke."""
    runner = CliRunner()

    def invoke(*args: str | Path, **kwargs: object) -> Result:
        return runner.invoke(main, [str(a) for a in args], **kwargs)  # type: ignore[arg-type]

    return invoke


def init_node(ncc: Invoke, folder: Path, country: str = "DE",
              base_url: str = "http://127.0.0.1:8471", **kwargs: object) -> Path:
    """Run ``ncc init`` into ``folder``; return the path of its ncc.toml."""
    result = ncc("init", "--country", country, "--base-url", base_url, "--dir", folder, **kwargs)
    assert result.exit_code == 0, result.output
    return folder / "ncc.toml"


@pytest.fixture
def node_config(ncc: Invoke, tmp_path: Path) -> Path:
    """The ncc.toml of a German node made by ``ncc init``."""
    return init_node(ncc, tmp_path / "de")


def calls(profile: cProfile.Profile, function: object) -> int:
    """How often ``function`` ran while ``profile`` was on (in this process only)."""
    code = function.__code__  # type: ignore[attr-defined]
    key = (code.co_filename, code.co_firstlineno, code.co_name)
    stats = profile.getstats()
    return sum(entry.callcount for entry in stats if isinstance(entry.code, type(code))
               and (entry.code.co_filename, entry.code.co_firstlineno, entry.code.co_name) == key)


@contextmanager
def node_at(config: Path) -> Iterator[NodeContext]:
    """Open a node the way the CLI does, to inspect what a command did."""
    with opened_node(config) as node:
        yield node


def write(path: Path, *lines: str) -> Path:
    """Write lines as a UTF-8 file (newline-terminated)."""
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def stored(config: Path, identifier: str) -> dict[str, Any] | None:
    """The signed record this node holds for an identifier."""
    with node_at(config) as node:
        record = node.store.find_by_identifier(node.identity.node_iri, identifier)
        return None if record is None else json.loads(record.body)
