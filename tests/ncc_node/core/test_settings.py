"""Settings: declared once, layered, typed, documented; bad input fails at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from ncc_node.errors import ConfigError
from ncc_node.settings import SETTINGS, load_settings


def test_layers_in_order(tmp_path: Path) -> None:
    config = tmp_path / "ncc.toml"
    config.write_text('[node]\ncountry = "EE"\nname = "From TOML"\n[server]\nport = 8100\n')
    env = {"NCC_CONFIG": str(config), "NCC_SERVER_PORT": "8200", "NCC_NODE_NAME": "From env"}
    settings = load_settings({"node.name": "From mapping"}, environ=env)
    assert settings["node.country"] == "EE"  # TOML over default
    assert settings["server.port"] == 8200  # env over TOML, coerced to int
    assert settings["node.name"] == "From mapping"  # mapping over env
    assert settings["server.threads"] == 8  # packaged default
    assert settings.base_dir == tmp_path


def test_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    config = tmp_path / "conf" / "ncc.toml"
    config.parent.mkdir()
    config.write_text('[node]\ndata_dir = "state"\n')
    settings = load_settings(environ={"NCC_CONFIG": str(config)})
    assert settings.path("node.database") == tmp_path / "conf" / "state" / "node.db"
    assert settings.path("node.key_dir") == tmp_path / "conf" / "state" / "keys"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[node]\ncolour = "blue"\n', "unknown setting 'node.colour'"),
        ("[server]\nport = \"eighty\"\n", "server.port"),
        ("[server]\nport = true\n", "expected an integer"),
        ("[node\n", "not valid TOML"),
    ],
)
def test_bad_config_files_fail_clearly(tmp_path: Path, toml: str, message: str) -> None:
    config = tmp_path / "ncc.toml"
    config.write_text(toml)
    with pytest.raises(ConfigError, match=message) as info:
        load_settings(environ={"NCC_CONFIG": str(config)})
    assert str(config) in str(info.value) or "TOML" in str(info.value)


def test_bad_env_and_mapping_values() -> None:
    with pytest.raises(ConfigError, match="environment NCC_SERVER_THREADS"):
        load_settings(environ={"NCC_SERVER_THREADS": "many"})
    with pytest.raises(ConfigError, match="unknown setting 'node.colour'"):
        load_settings({"node.colour": "blue"}, environ={})
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(environ={"NCC_CONFIG": "/nonexistent/ncc.toml"})


def test_require_names_every_missing_setting() -> None:
    settings = load_settings(environ={})
    with pytest.raises(ConfigError) as info:
        settings.require("node.base_url", "node.country")
    assert "node.base_url (env NCC_NODE_BASE_URL)" in str(info.value)
    assert "node.country (env NCC_NODE_COUNTRY)" in str(info.value)


def test_every_setting_is_documented() -> None:
    keys = [s.key for s in SETTINGS]
    assert len(keys) == len(set(keys))
    operations = Path(__file__).resolve().parents[3] / "docs" / "operations.md"
    for setting in SETTINGS:
        assert setting.help.strip(), f"{setting.key} has no help text"
        assert setting.env.startswith("NCC_")
    text = operations.read_text(encoding="utf-8")
    missing = [s.key for s in SETTINGS if f"`{s.env}`" not in text]
    assert not missing, f"settings missing from docs/operations.md: {missing}"


def test_web_durations_and_counts_from_the_environment() -> None:
    settings = load_settings(environ={"NCC_WEB_SIGN_IN_ATTEMPTS": "7",
                                      "NCC_WEB_SESSION_MAX_HOURS": "0.5"})
    assert settings["web.sign_in_attempts"] == 7
    assert settings["web.session_max_hours"] == 0.5
    for name, value in (("NCC_WEB_SIGN_IN_ATTEMPTS", "0"), ("NCC_WEB_SIGN_IN_ATTEMPTS", "2.5"),
                        ("NCC_WEB_SESSION_IDLE_MINUTES", "soon")):
        with pytest.raises(ConfigError, match=name):
            load_settings(environ={name: value})
