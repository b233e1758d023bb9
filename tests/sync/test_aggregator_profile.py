"""The aggregator profile (config/aggregator/eu.toml) loads and peers with every country."""

from __future__ import annotations

from pathlib import Path

from ncc_node.settings import load_settings
from sync import peers_from_settings

PROFILE = Path(__file__).resolve().parents[2] / "config" / "aggregator" / "eu.toml"


def test_the_aggregator_profile_peers_with_every_country() -> None:
    settings = load_settings({"config_file": str(PROFILE), "node.country": "EU",
                              "node.name": "EU aggregator",
                              "node.base_url": "https://eu.ncc-exchange.example.org"},
                             environ={})
    peers = peers_from_settings(settings)
    codes = {p.base_url.removeprefix("https://ncc-").removesuffix(".example.org").upper()
             for p in peers}
    assert len(peers) == len(codes) == 30  # the 27 member states, Iceland, Liechtenstein, Norway
    assert codes >= {"DE", "EE", "NL", "LU", "IS", "LI", "NO"}
    assert {p.scope for p in peers} == {"own"}
    assert settings["sync.in_serve"] and settings["push.enabled"]
