"""What the operator sees of sync (issue 5): per peer health, cursor, lag and counts.

Used by ``GET /sync/status`` and ``ncc sync status``. **Lag** is the time since the last
successful sync round with a peer, in seconds: a successful round reads the peer's feed until
the peer reports nothing more, so everything the peer published before ``last_success`` is held
here, and nothing published since. It is ``None`` until the first success.

**Health** tells what went wrong since then: every error kind with its count (``errors``), the
ids waiting for a retry from their source (``pending_retry``), whether the last anti-entropy
check found the same digests as the peer (``antientropy``), and how many records the peer holds
that this node lacks (``behind``: 0 after a round that read the feed to its end, counted by the
anti-entropy check, ``None`` when not known). The quarantine's rows, items received, and rows
dropped by its caps are shown per peer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from ..settings import Settings
from ..store import PeerState, Store
from ..timestamps import format_timestamp, parse_timestamp, utc_now

ACCEPTED = "accepted"


def split_counts(counts: Mapping[str, Any]) -> tuple[int, dict[str, int]]:
    """Split a peer's stored counts into accepted and rejected-by-reason."""
    accepted = 0
    rejected: dict[str, int] = {}
    for key, value in counts.items():
        if key == ACCEPTED:
            accepted += int(value)
        elif isinstance(value, Mapping):  # {"rejected": {reason: n}}
            for reason, count in value.items():
                rejected[str(reason)] = rejected.get(str(reason), 0) + int(count)
        else:
            rejected[key] = rejected.get(key, 0) + int(value)
    return accepted, dict(sorted(rejected.items()))


def configured_peers(settings: Settings) -> list[dict[str, Any]]:
    """The ``[[peers]]`` tables of the node's settings (none when the setting is absent)."""
    peers = settings.get("peers") or []
    return [dict(peer) for peer in peers if isinstance(peer, Mapping)]


def lag_seconds(last_success: str | None, now: datetime) -> int | None:
    """Whole seconds since ``last_success`` (never negative), or None if never synced."""
    if not last_success:
        return None
    return max(0, int((now - parse_timestamp(last_success)).total_seconds()))


def _entry(state: PeerState, configured: Mapping[str, Any] | None, now: datetime,
           pending: int, quarantine: tuple[int, int]) -> dict[str, Any]:
    accepted, rejected = split_counts(state.counts)
    health = state.health
    return {
        "base_url": state.base_url,
        "configured": configured is not None,
        "scope": str(configured.get("scope", state.scope)) if configured else state.scope,
        "node": state.node_iri,
        "cursor": state.cursor,
        "last_success": state.last_success,
        "last_error": state.last_error,
        "last_error_at": state.last_error_at,
        "lag_s": lag_seconds(state.last_success, now),
        "accepted": accepted,
        "rejected": rejected,
        "rejected_total": sum(rejected.values()),
        "errors": dict(health.get("errors", {})),
        "error_since": health.get("error_since"),
        "pending_retry": pending,
        "antientropy": health.get("antientropy"),
        "behind": health.get("behind"),
        "repaired": int(health.get("repaired_total", 0)),
        "quarantine": {"rows": quarantine[0], "received": quarantine[1],
                       "dropped": int(health.get("quarantine_dropped", 0))},
    }


def peer_status(store: Store, settings: Settings, *,
                now: datetime | None = None) -> list[dict[str, Any]]:
    """Every configured or known peer's status, configured ones first, each by base URL."""
    moment = now or utc_now()
    configured = {str(p["base_url"]).rstrip("/"): p for p in configured_peers(settings)
                  if p.get("base_url")}
    states = {s.base_url.rstrip("/"): s for s in store.peers()}
    order: Iterable[str] = [*sorted(configured), *sorted(set(states) - set(configured))]
    pending = store.pending_retries()
    quarantine = store.quarantine_size()
    return [_entry(states.get(url) or PeerState(base_url=url), configured.get(url), moment,
                   pending.get(url, 0), quarantine.get(url, (0, 0)))
            for url in order]


def sync_status(store: Store, settings: Settings, *,
                now: datetime | None = None) -> dict[str, Any]:
    """The whole operator view: this node, its sequence, when this was taken, and its peers."""
    moment = now or utc_now()
    return {"at": format_timestamp(moment), "last_seq": store.last_seq(),
            "peers": peer_status(store, settings, now=moment)}
