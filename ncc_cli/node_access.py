"""How node commands find their configuration (``--config``, ``NCC_CONFIG``, ``./ncc.toml``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ncc_node.context import NodeContext, open_node
from ncc_node.errors import ConfigError
from ncc_node.settings import Settings, load_settings
from sync import origins_from_settings, peers_from_settings

DEFAULT_CONFIG = "ncc.toml"
F = TypeVar("F", bound=Callable[..., Any])


def config_option(command: F) -> F:
    """Add ``--config FILE`` to a command that works on an initialised node."""
    return click.option(
        "--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help="The node's TOML config (default: $NCC_CONFIG, else ./ncc.toml).",
    )(command)


def config_overrides(config: Path | None) -> dict[str, Any]:
    """Return the ``load_settings`` overrides that select the config file to use."""
    if config is not None:
        return {"config_file": str(config)}
    if not os.environ.get("NCC_CONFIG") and Path(DEFAULT_CONFIG).is_file():
        return {"config_file": DEFAULT_CONFIG}
    return {}


def node_settings(config: Path | None) -> Settings:
    """Resolve the settings of an initialised node; fail with a hint when there is none."""
    overrides = config_overrides(config)
    source = overrides.get("config_file") or os.environ.get("NCC_CONFIG")
    settings = load_settings(overrides)
    if not source and not settings["node.base_url"]:
        raise ConfigError("no node configuration: pass --config FILE, set NCC_CONFIG, or run in "
                          f"a folder holding {DEFAULT_CONFIG} (create one with `ncc init`)")
    settings.require("node.base_url")
    peers_from_settings(settings)  # a bad [[peers]] or [[origins]] entry fails every command
    origins_from_settings(settings)  # at start-up
    database = settings.database()
    if isinstance(database, Path) and not database.is_file():
        where = f" (config {Path(source).resolve()})" if source else ""
        raise ConfigError(f"no database at {database}{where}: run `ncc init` first, or fix "
                          "node.data_dir / node.database")
    return settings


@contextmanager
def opened_node(config: Path | None) -> Iterator[NodeContext]:
    """Open the node's store and identity for one command, and close the store afterwards."""
    context = open_node(node_settings(config))
    try:
        yield context
    finally:
        context.store.close()
