"""The aggregator profile (config/aggregator/eu.toml) loads and peers with every country."""

from __future__ import annotations

from pathlib import Path

from ncc_node.settings import load_settings
from sync import peers_from_settings
from vocab import concept_index

PROFILE = Path(__file__).resolve().parents[2] / "config" / "aggregator" / "eu.toml"


def test_the_aggregator_profile_peers_with_every_country() -> None:
    settings = load_settings({"config_file": str(PROFILE), "node.country": "BE",
                              "node.name": "EU aggregator",
                              "node.base_url": "https://eu.ncc-exchange.example.org"},
                             environ={})
    peers = peers_from_settings(settings)
    countries = concept_index().concepts("country")
    assert len(peers) == len(countries) == 30
    assert {p.scope for p in peers} == {"own"}
    assert settings["sync.in_serve"] and settings["push.enabled"]
