"""``ncc init`` and how every command finds (or fails to find) a node's configuration."""

from __future__ import annotations

import re
import stat
import tomllib
from pathlib import Path

import pytest

from ncc_cli.config_template import settings_reference
from ncc_node.settings import SETTINGS, load_settings

from .conftest import REPO, Invoke, init_node, node_at


def test_init_writes_config_key_and_database(ncc: Invoke, tmp_path: Path) -> None:
    folder = tmp_path / "de"
    result = ncc("init", "--country", "DE", "--base-url", "http://127.0.0.1:8471/", "--dir",
                 folder, "--name", "NCC Deutschland")
    assert result.exit_code == 0, result.output
    config = folder / "ncc.toml"
    key = folder / "keys" / "key-1.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert (folder / "node.db").is_file()
    assert "PRIVATE" not in result.output and key.read_text() not in result.output
    for line in (f"config      {config}", "descriptor  version 1", "NOT encrypted",
                 "http://127.0.0.1:8471/node (country:DEU, 'NCC Deutschland')"):
        assert line in result.output
    values = tomllib.loads(config.read_text())
    assert values["node"] == {"country": "DE", "name": "NCC Deutschland",
                              "base_url": "http://127.0.0.1:8471", "data_dir": "."}
    assert values["server"] == {"port": 8471}  # the base URL's port
    text = config.read_text()
    for setting in SETTINGS:  # every setting is listed, set or commented with its default
        assert f"(env {setting.env})" in text
    settings = load_settings({"config_file": str(config)}, environ={})
    with node_at(config) as node:
        assert node.identity.node_iri == "http://127.0.0.1:8471/node"
        assert node.settings.path("node.database") == settings.path("node.database")


def test_init_defaults_name_and_port(ncc: Invoke, tmp_path: Path) -> None:
    config = init_node(ncc, tmp_path / "ee", "EE", "https://ncc-ee.example.org")
    values = tomllib.loads(config.read_text())
    assert values["node"]["name"] == "National Competence Centre for Social Innovation Estonia"
    assert "server" not in values or "port" not in values["server"]
    config = init_node(ncc, tmp_path / "nl", "NLD", "https://ncc-nl.example.org")
    assert "port" not in tomllib.loads(config.read_text()).get("server", {})
    explicit = ncc("init", "--country", "LU", "--base-url", "https://x.example.org", "--dir",
                   tmp_path / "lu2", "--port", "9000")
    assert explicit.exit_code == 0
    assert tomllib.loads((tmp_path / "lu2" / "ncc.toml").read_text())["server"]["port"] == 9000


def test_init_an_eu_level_node(ncc: Invoke, tmp_path: Path) -> None:
    """An aggregator's jurisdiction is the EU itself, so it claims no member state (issue 21)."""
    config = init_node(ncc, tmp_path / "eu", "EU", "https://eu.ncc-exchange.example.org")
    values = tomllib.loads(config.read_text())
    assert values["node"]["country"] == "EU"
    assert values["node"]["name"] == ("EU-level node of the National Competence Centres for "
                                      "Social Innovation")
    with node_at(config) as node:
        assert node.identity.descriptor["jurisdiction"] == "country:EUR"
    # a country of the table that no node may claim is refused before anything is written
    for code in ("US", "CHE", "1A0"):
        refused = ncc("init", "--country", code, "--base-url", "https://a.example.org", "--dir",
                      tmp_path / code)
        assert refused.exit_code == 1, refused.output
        assert f"node.country {code!r} is not the code of an EU or EEA country" in refused.output
        assert not (tmp_path / code).exists()


def test_init_encrypts_the_key_with_the_passphrase(ncc: Invoke, tmp_path: Path) -> None:
    env = {"NCC_KEY_PASSPHRASE": "correct horse battery staple"}
    config = init_node(ncc, tmp_path / "de", env=env)
    assert "ENCRYPTED PRIVATE KEY" in (tmp_path / "de" / "keys" / "key-1.pem").read_text()
    ok = ncc("status", "--config", config, env=env)
    assert ok.exit_code == 0, ok.output
    wrong = ncc("status", "--config", config, env={"NCC_KEY_PASSPHRASE": "wrong"})
    assert wrong.exit_code == 1
    assert wrong.output.startswith("Error: ") and "wrong passphrase in NCC_KEY_PASSPHRASE" \
        in wrong.output
    assert "Traceback" not in wrong.output
    unset = ncc("status", "--config", config)
    assert unset.exit_code == 1 and "set NCC_KEY_PASSPHRASE" in unset.output
    refused = ncc("keys", "rotate", "--config", config, env={"NCC_KEY_PASSPHRASE": "wrong"})
    assert refused.exit_code == 1 and not (tmp_path / "de" / "keys" / "key-2.pem").exists()
    assert ncc("keys", "rotate", "--config", config, env=env).exit_code == 0
    assert "ENCRYPTED PRIVATE KEY" in (tmp_path / "de" / "keys" / "key-2.pem").read_text()


def test_init_refuses_to_overwrite_a_node(ncc: Invoke, tmp_path: Path) -> None:
    config = init_node(ncc, tmp_path / "de")
    before = config.read_bytes(), (tmp_path / "de" / "keys" / "key-1.pem").read_bytes()
    again = ncc("init", "--country", "EE", "--base-url", "https://other.example.org", "--dir",
                tmp_path / "de")
    assert again.exit_code == 1
    assert f"Error: {config} already exists" in again.output
    assert before == (config.read_bytes(), (tmp_path / "de" / "keys" / "key-1.pem").read_bytes())
    # without the config file, the database still refuses a second descriptor
    config.unlink()
    database = ncc("init", "--country", "DE", "--base-url", "http://127.0.0.1:8471", "--dir",
                   tmp_path / "de")
    assert database.exit_code == 1 and "already initialised" in database.output


def test_init_checks_country_and_base_url_before_writing(ncc: Invoke, tmp_path: Path) -> None:
    country = ncc("init", "--country", "XX", "--base-url", "https://a.example.org", "--dir",
                  tmp_path / "a")
    assert country.exit_code == 1 and "node.country 'XX'" in country.output
    insecure = ncc("init", "--country", "DE", "--base-url", "http://ncc.example.org", "--dir",
                   tmp_path / "b")
    assert insecure.exit_code == 1 and "must use https" in insecure.output
    # ids minted under these would fail the shapes on every node, this one included
    for index, (base, reason) in enumerate([
            ("http://LOCALHOST:8471", "must be written https://<host>"),
            ("http://[::1]:8471", "http only on loopback: 127.0.0.1 or localhost"),
            ("https://NCC.example.org", "with the host in lower case"),
            ("https://ncc.example.org/d%C3%A9", "path segments of letters, digits")]):
        refused = ncc("init", "--country", "DE", "--base-url", base,
                      "--dir", tmp_path / f"c{index}")
        assert refused.exit_code == 1 and reason in refused.output, base
        assert not (tmp_path / f"c{index}").exists()
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()
    missing = ncc("init", "--base-url", "https://a.example.org")
    assert missing.exit_code == 2 and "--country" in missing.output


def test_config_is_found_by_option_env_or_working_folder(
        ncc: Invoke, node_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert ncc("status", "--config", node_config).exit_code == 0
    assert ncc("status", env={"NCC_CONFIG": str(node_config)}).exit_code == 0
    nowhere = ncc("status")
    assert nowhere.exit_code == 1
    assert "no node configuration: pass --config FILE, set NCC_CONFIG" in nowhere.output
    monkeypatch.chdir(node_config.parent)
    assert ncc("status").exit_code == 0


def test_config_errors_name_the_file_and_key(ncc: Invoke, tmp_path: Path,
                                             node_config: Path) -> None:
    absent = ncc("status", "--config", tmp_path / "nope.toml")
    assert absent.exit_code == 1
    assert f"config file {tmp_path / 'nope.toml'} does not exist" in absent.output
    broken = tmp_path / "broken.toml"
    broken.write_text("[node\n")
    assert f"config file {broken} is not valid TOML" in ncc("status", "--config", broken).output
    unknown = tmp_path / "unknown.toml"
    unknown.write_text(node_config.read_text() + "\n[extra]\nworkers = 4\n")
    out = ncc("status", "--config", unknown).output
    assert "unknown setting 'extra.workers'" in out and str(unknown) in out
    typed = tmp_path / "typed.toml"
    typed.write_text('[server]\nport = "eighty"\n')
    assert "server.port from" in ncc("status", "--config", typed).output
    bad_env = ncc("status", "--config", node_config, env={"NCC_SERVER_THREADS": "many"})
    assert bad_env.exit_code == 1 and "environment NCC_SERVER_THREADS" in bad_env.output
    elsewhere = tmp_path / "elsewhere" / "ncc.toml"
    elsewhere.parent.mkdir()
    elsewhere.write_text(node_config.read_text())
    moved = ncc("status", "--config", elsewhere)
    assert moved.exit_code == 1
    assert f"no database at {elsewhere.parent / 'node.db'} (config {elsewhere})" in moved.output
    assert not (elsewhere.parent / "node.db").exists()  # no stray empty database


def test_operations_doc_lists_every_setting() -> None:
    doc = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    assert settings_reference() in doc, (
        "docs/operations.md is missing the current settings table; paste the output of\n"
        "python -c 'from ncc_cli.config_template import settings_reference as s; "
        "print(s())'")


def test_written_config_loads_with_every_setting_uncommented(tmp_path: Path) -> None:
    # Uncomment every default line (what an operator does when editing ncc.toml): it must load.
    from ncc_cli.config_template import render_config
    from ncc_node.settings import load_settings

    text = render_config({"node.country": "EE", "node.base_url": "http://127.0.0.1:8811",
                          "node.name": "NCC EE"})
    body, _, _ = text.partition("# [[peers]]")  # the commented example table stays as it is
    setting_line = re.compile(r"^# [a-z_]+ = (?!\(required)")
    uncommented = [line[2:] if setting_line.match(line) else line for line in body.splitlines()]
    config = tmp_path / "ncc.toml"
    config.write_text("\n".join(uncommented) + '\n[[peers]]\nbase_url = "http://127.0.0.1:8812"\n'
                      'scope = "all"\nkeys = []\n', encoding="utf-8")
    settings = load_settings(environ={"NCC_CONFIG": str(config)})
    assert settings["sync.backoff_s"] == 0.5
    assert settings["peers"][0]["base_url"] == "http://127.0.0.1:8812"
