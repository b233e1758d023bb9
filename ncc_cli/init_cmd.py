"""``ncc init``: a node's config file (TOML), first signing key and database with its descriptor."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import click

from ncc_node.errors import ConfigError
from ncc_node.identity import EU_LEVEL, check_base_url, country_concept, init_identity
from ncc_node.settings import load_settings
from ncc_node.store import open_store
from vocab import concept_index

from .config_template import render_config
from .node_access import DEFAULT_CONFIG


def _default_port(base_url: str) -> int | None:
    """A base URL with an explicit port (a local node) is served on that port by default."""
    return urlsplit(base_url).port


@click.command()
@click.option("--country", required=True,
              help="The NCC's country: ISO alpha-2 (DE) or alpha-3; EU for an EU-level node.")
@click.option("--base-url", required=True,
              help="Public base URL, e.g. https://ncc-de.example.org (http only on loopback).")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path),
              default=Path("."), show_default=True, help="Folder for config, database and keys.")
@click.option("--name", help="Display name in English (default: from the country).")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port `ncc serve` listens on (default: the base URL's port, else 8000).")
def init(country: str, base_url: str, directory: Path, name: str | None,
         port: int | None) -> None:
    """Create a node: ncc.toml, signing key (mode 0600), database and signed descriptor."""
    directory = directory.resolve()
    config_path = directory / DEFAULT_CONFIG
    if config_path.exists():
        raise ConfigError(f"{config_path} already exists: a node is initialised there; "
                          "refusing to overwrite it")
    jurisdiction = country_concept(country)  # fail before any file is written
    base_url = check_base_url(base_url)
    if name is None and jurisdiction == EU_LEVEL:
        name = "EU-level node of the National Competence Centres for Social Innovation"
    elif name is None:
        place = concept_index().label(jurisdiction, "en")
        name = f"National Competence Centre for Social Innovation {place}"
    values: dict[str, object] = {"node.country": country.strip().upper(), "node.name": name,
                                 "node.base_url": base_url, "node.data_dir": "."}
    port = port if port is not None else _default_port(base_url)
    if port is not None:
        values["server.port"] = port
    directory.mkdir(parents=True, exist_ok=True)
    # environ={}: the file written below is the whole configuration of the new node
    settings = load_settings({**values, "node.data_dir": str(directory)}, environ={})
    store = open_store(settings.database())
    try:
        identity = init_identity(settings, store)
    finally:
        store.close()
    config_path.write_text(render_config(values), encoding="utf-8")
    key = identity.active_key
    passphrase_env = settings["node.key_passphrase_env"]
    protection = (f"encrypted with the passphrase in ${passphrase_env}"
                  if os.environ.get(passphrase_env) else
                  f"NOT encrypted (set ${passphrase_env} before `ncc init` to encrypt it)")
    click.echo(f"Initialised node {identity.node_iri} ({jurisdiction}, {name!r})")
    click.echo(f"  config      {config_path}")
    click.echo(f"  database    {settings.database_label()}")
    click.echo(f"  signing key {settings.path('node.key_dir') / (key.key_id + '.pem')} "
               f"({key.key_id}, public {key.public_multikey}), {protection}")
    click.echo(f"  descriptor  version {identity.descriptor['version']}")
    click.echo(f"Next: ncc serve --config {config_path}")
