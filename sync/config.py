"""What the worker reads from settings: the peers (``[[peers]]``) and the ``[sync]`` options."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from ncc_node import (
    ConfigError,
    DescriptorError,
    MultikeyError,
    check_base_url,
    decode_public_key,
    is_node_iri,
    node_iri_for,
    section_values,
)

__all__ = [
    "PeerConfig",
    "SyncOptions",
    "check_origins",
    "check_peers",
    "origins_from_settings",
    "peers_from_settings",
]


PEER_SCOPES = ("own", "all")


def _check_peer(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a table with base_url, scope, keys")
    unknown = sorted(set(entry) - {"base_url", "scope", "keys"})
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(unknown)} "
                          f"(allowed: base_url, scope, keys)")
    base_url = entry.get("base_url")
    if not isinstance(base_url, str) or not base_url:
        raise ConfigError(f"{where}: base_url is required (a string)")
    try:
        base_url = check_base_url(base_url)
    except DescriptorError as exc:
        raise ConfigError(f"{where}: {exc.message}") from None
    scope = entry.get("scope", "own")
    if scope not in PEER_SCOPES:
        raise ConfigError(f"{where} ({base_url}): scope must be 'own' or 'all', got {scope!r}")
    keys = entry.get("keys", [])
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        raise ConfigError(f"{where} ({base_url}): keys must be a list of z6Mk… strings")
    for key in keys:
        try:
            decode_public_key(key)
        except MultikeyError as exc:
            raise ConfigError(f"{where} ({base_url}): key {key!r}: {exc.message}") from None
    return {"base_url": base_url, "scope": scope, "keys": list(keys)}


def check_peers(value: Any, source: str = "settings") -> list[dict[str, Any]]:
    """Validate the ``[[peers]]`` entries; ConfigError names the entry at fault."""
    if not isinstance(value, list | tuple):
        raise ConfigError(f"peers from {source}: expected a list of peer tables")
    peers = [_check_peer(entry, f"peers[{index}] from {source}")
             for index, entry in enumerate(value)]
    seen: set[str] = set()
    for index, peer in enumerate(peers):
        if peer["base_url"] in seen:
            raise ConfigError(f"peers[{index}] from {source}: {peer['base_url']} is listed twice")
        seen.add(peer["base_url"])
    return peers


@dataclass(frozen=True)
class PeerConfig:
    """One peer to pull from: its base URL, feed scope and pinned keys (empty: TOFU)."""

    base_url: str
    scope: str = "own"
    keys: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.scope not in ("own", "all"):
            raise ConfigError(f"peer {self.base_url}: scope must be 'own' or 'all'")
        object.__setattr__(self, "base_url", self.base_url.rstrip("/"))
        object.__setattr__(self, "keys", tuple(self.keys))

    @property
    def node_iri(self) -> str:
        """The peer's node IRI, ``<base>/node``."""
        return node_iri_for(self.base_url)


def peers_from_settings(settings: Mapping[str, Any]) -> list[PeerConfig]:
    """The configured peers, checked (:func:`check_peers`); this node itself is refused."""
    own = settings.get("node.base_url")
    peers = []
    for entry in check_peers(settings.get("peers") or []):
        peer = PeerConfig(str(entry["base_url"]), str(entry.get("scope", "own")),
                          tuple(entry.get("keys", ())))
        if own and peer.base_url == str(own).rstrip("/"):
            raise ConfigError(f"peers: {peer.base_url} is this node's own base URL")
        peers.append(peer)
    return peers


def check_origins(value: Any, source: str = "settings") -> list[dict[str, Any]]:
    """Validate the ``[[origins]]`` entries (node IRI and pinned keys); ConfigError names one."""
    if not isinstance(value, list | tuple):
        raise ConfigError(f"origins from {source}: expected a list of origin tables")
    origins: list[dict[str, Any]] = []
    for index, entry in enumerate(value):
        where = f"origins[{index}] from {source}"
        if not isinstance(entry, Mapping) or sorted(entry) != ["keys", "node"]:
            raise ConfigError(f"{where}: expected a table with node (a node IRI <base>/node) "
                              "and keys (a list of z6Mk… keys)")
        iri, keys = entry["node"], entry["keys"]
        if not is_node_iri(iri):
            raise ConfigError(f"{where}: node must be a node IRI <base>/node, got {iri!r}")
        if (not isinstance(keys, list | tuple) or not keys
                or not all(isinstance(k, str) for k in keys)):
            raise ConfigError(f"{where} ({iri}): keys must be a non-empty list of z6Mk… keys")
        for key in keys:
            try:
                decode_public_key(key)
            except MultikeyError as exc:
                raise ConfigError(f"{where} ({iri}): key {key!r}: {exc.message}") from None
        if any(o["node"] == iri for o in origins):
            raise ConfigError(f"{where}: {iri} is listed twice")
        origins.append({"node": iri, "keys": list(keys)})
    return origins


def origins_from_settings(settings: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """``[[origins]]``: the origins the operator vouches for, node IRI -> pinned keys."""
    return {str(entry["node"]): tuple(entry["keys"])
            for entry in check_origins(settings.get("origins") or [])}


@dataclass(frozen=True)
class SyncOptions:
    """The ``[sync]`` settings, typed, plus the limits the acceptance rules share with the API."""

    interval_s: float = 60.0
    jitter_s: float = 10.0
    page_size: int = 500
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 30.0
    max_response_bytes: int = 16 * 1024 * 1024
    max_record_bytes: int = 256 * 1024
    retries: int = 3
    backoff_s: float = 0.5
    trust_introduced: bool = True
    confirm_introduced: bool = True
    one_node_per_country: bool = True
    max_json_depth: int = 32
    max_future_skew: timedelta = timedelta(minutes=5)
    check_workers: int = 0  # 0: one per CPU; 1: check in the worker's own process
    check_min_items: int = 32  # smaller pages: the round trip to the pool costs more
    request_deadline_s: float = 60.0
    page_deadline_s: float = 120.0
    peer_budget_s: float = 600.0
    peer_concurrency: int = 4
    max_pages_per_round: int = 2000
    max_bytes_per_round: int = 1024 * 1024 * 1024
    quarantine_max_per_peer: int = 5000
    quarantine_max: int = 50000
    retry_limit: int = 8
    retry_backoff_s: float = 60.0
    anti_entropy_every: int = 10

    @property
    def checking_processes(self) -> int:
        """How many processes screen large pages (1: none besides the worker itself)."""
        return self.check_workers if self.check_workers > 0 else os.cpu_count() or 1

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> SyncOptions:
        """Read the options from resolved settings (missing keys keep their defaults)."""
        values = section_values(settings, "sync", cls)
        for name, least in AT_LEAST.items():
            if name in values:
                values[name] = max(least, values[name])
        depth = settings.get("limits.max_json_depth")
        skew = settings.get("proofs.max_future_skew_s")
        if depth is not None:
            values["max_json_depth"] = int(depth)
        if skew is not None:
            values["max_future_skew"] = timedelta(seconds=int(skew))
        return cls(**values)


#: The least value each option takes, whatever the setting says (a deadline of 0 would end
#: every request at once; a page of 0 items would never advance).
AT_LEAST: dict[str, float] = {
    "page_size": 1, "retries": 0, "backoff_s": 0.0, "check_workers": 0, "check_min_items": 1,
    "request_deadline_s": 0.001, "page_deadline_s": 0.001, "peer_budget_s": 0.001,
    "peer_concurrency": 1, "max_pages_per_round": 1, "max_bytes_per_round": 1,
    "quarantine_max_per_peer": 1, "quarantine_max": 1, "retry_limit": 0,
    "retry_backoff_s": 0.0, "anti_entropy_every": 0,
}
