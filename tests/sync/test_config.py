"""The [sync] settings and [[peers]]: typed, layered, checked at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest

from ncc_node import generate_key
from ncc_node.errors import ConfigError
from ncc_node.settings import load_settings
from sync import PeerConfig, SyncOptions, peers_from_settings


def test_toml_peers_and_sync_section(tmp_path: Path) -> None:
    key = generate_key("key-1").public_multikey
    config = tmp_path / "ncc.toml"
    config.write_text(f"""
[node]
base_url = "https://ncc-de.example.org"
[sync]
interval_s = 30
backoff_s = 0.25
trust_introduced = false
page_size = 200
[[peers]]
base_url = "https://ncc-ee.example.org/"
scope = "all"
keys = ["{key}"]
[[peers]]
base_url = "http://127.0.0.1:8002"
""")
    settings = load_settings(environ={"NCC_CONFIG": str(config), "NCC_SYNC_IN_SERVE": "yes"})
    assert peers_from_settings(settings) == [
        PeerConfig("https://ncc-ee.example.org", "all", (key,)),
        PeerConfig("http://127.0.0.1:8002", "own", ())]
    options = SyncOptions.from_settings(settings)
    assert (options.interval_s, options.backoff_s, options.page_size) == (30.0, 0.25, 200)
    assert options.trust_introduced is False and settings["sync.in_serve"] is True
    assert options.max_response_bytes == 16 * 1024 * 1024
    assert options.max_record_bytes == 256 * 1024
    assert PeerConfig("https://ncc-ee.example.org").node_iri == "https://ncc-ee.example.org/node"


def test_defaults() -> None:
    settings = load_settings(environ={})
    assert settings["peers"] == [] and peers_from_settings(settings) == []
    assert SyncOptions.from_settings(settings) == SyncOptions()


@pytest.mark.parametrize(("peers", "message"), [
    ([{"base_url": "http://ncc-ee.example.org"}], r"peers\[0\].*https"),
    ([{"base_url": "https://a.example.org"}, {"base_url": "https://b.example.org",
                                               "scope": "everything"}],
     r"peers\[1\] .*\(https://b.example.org\): scope must be 'own' or 'all'"),
    ([{"base_url": "https://a.example.org", "key": []}], r"peers\[0\].*unknown key\(s\) key"),
    ([{"base_url": "https://a.example.org", "keys": ["z6MkNotAKey"]}], r"peers\[0\].*key"),
    ([{"scope": "all"}], r"peers\[0\].*base_url is required"),
    ([{"base_url": "https://a.example.org"}, {"base_url": "https://a.example.org/"}],
     r"peers\[1\].*listed twice"),
    ("https://a.example.org", "expected list"),
    ({"base_url": "https://a.example.org"}, "expected a list of peer tables"),
])
def test_bad_peers_fail_at_start_up(peers: object, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        peers_from_settings(load_settings({"peers": peers}, environ={}))


def test_peers_from_the_environment_as_json() -> None:
    settings = load_settings(environ={
        "NCC_PEERS": '[{"base_url": "https://ncc-nl.example.org", "scope": "all"}]'})
    assert peers_from_settings(settings) == [PeerConfig("https://ncc-nl.example.org", "all")]
    with pytest.raises(ConfigError, match="NCC_PEERS"):
        load_settings(environ={"NCC_PEERS": "not json"})
    with pytest.raises(ConfigError, match="NCC_SYNC_TRUST_INTRODUCED"):
        load_settings(environ={"NCC_SYNC_TRUST_INTRODUCED": "perhaps"})


def test_a_node_does_not_peer_with_itself() -> None:
    settings = load_settings({"node.base_url": "https://ncc-de.example.org",
                              "peers": [{"base_url": "https://ncc-de.example.org/"}]},
                             environ={})
    with pytest.raises(ConfigError, match="own base URL"):
        peers_from_settings(settings)
    with pytest.raises(ConfigError, match="scope"):
        PeerConfig("https://ncc-ee.example.org", "some")
