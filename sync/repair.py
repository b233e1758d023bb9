"""Anti-entropy: compare digests with a peer and pull only what differs (protocol.md §6.1).

A feed consumer that lost a record (quarantined it for damage, skipped it in a crash window of
another implementation, restored an old backup) would never ask for it again: the cursor has
moved past it. Every ``sync.anti_entropy_every`` rounds, after the feed was read to its end:

1. ``GET /feed/digest?scope=<scope>``: count and digest of each origin the peer serves; the
   origins whose digest equals this node's are done (one request when all agree);
2. for each other origin, ``GET /feed/digest?origin=<iri>``: its sixteen-odd bucket digests
   (records by the last character of their id); equal buckets are done;
3. for each differing bucket, ``GET /feed/index?origin=&bucket=``: the ``(id, version,
   proofValue)`` lines; an id this node lacks or holds at a lower version is wanted;
4. the wanted ids (descriptors first) are fetched with ``GET /feed/items`` and go through the
   acceptance rules like any feed item.

The outcome is kept in the peer's health: whether the digests agree after the repair, how many
records were repaired, and how many the peer holds that this node still lacks (``behind``).
"""

from __future__ import annotations

from typing import Any

from ncc_node import format_timestamp

from .client import MAX_IDS
from .decided import Round
from .errors import BadResponse
from .feedpage import FeedPage

__all__ = ["anti_entropy"]

INDEX_PAGE = 1000
MAX_WANTED = 20_000  # ids pulled per peer and round at most; the next check pulls the rest


def _digests(value: Any, peer: str, member: str) -> dict[str, tuple[int, str | None]]:
    """``{key: {"count", "digest"}}`` checked into ``{key: (count, digest)}``."""
    table = value.get(member) if isinstance(value, dict) else None
    if not isinstance(table, dict):
        raise BadResponse(peer, f"/feed/digest has no {member!r} object")
    out = {}
    for key, entry in table.items():
        if (isinstance(entry, dict) and type(entry.get("count")) is int
                and isinstance(entry.get("digest"), str | None)):
            out[str(key)] = (entry["count"], entry["digest"])
    return out


def anti_entropy(run: Round) -> None:
    """Compare with the peer and repair; record the outcome in the run's result and health."""
    client = run.client_for(run.peer.base_url)
    peer = run.peer.base_url
    remote = _digests(client.get_digest(run.peer.scope), peer, "origins")
    remote.pop(run.policy.own_node, None)  # this node's own records are its own business
    local = {o: (d.count, d.digest) for o, d in run.store.origin_digests().items()}
    differing = sorted(o for o, d in remote.items() if local.get(o) != d)
    wanted: list[str] = []
    for origin in differing:
        buckets = _digests(client.get_digest(run.peer.scope, origin), peer, "buckets")
        held_buckets = {b: (d.count, d.digest)
                        for b, d in run.store.bucket_digests(origin).items()}
        for bucket in sorted(b for b, d in buckets.items() if held_buckets.get(b) != d):
            wanted += _wanted(run, origin, bucket)
            if len(wanted) >= MAX_WANTED:
                break
    wanted = sorted(set(wanted), key=lambda i: (not i.endswith("/node"), i))[:MAX_WANTED]
    before = run.result.accepted
    for start in range(0, len(wanted), MAX_IDS):
        page = client.get_items(wanted[start:start + MAX_IDS])
        asked = set(wanted[start:start + MAX_IDS])
        run.apply_items(FeedPage([i for i in page.items if isinstance(i.value, dict)
                                  and i.value.get("id") in asked], "", False), source=peer)
    run.result.repaired = run.result.accepted - before
    after = {o: (d.count, d.digest) for o, d in run.store.origin_digests().items()}
    agrees = all(after.get(o) == d for o, d in remote.items())
    behind = sum(max(0, d[0] - after.get(o, (0, None))[0]) for o, d in remote.items())
    run.result.antientropy = "agrees" if agrees else "differs"
    run.result.behind = behind if not agrees else 0
    run.health["antientropy"] = {
        "at": format_timestamp(run.clock()), "agrees": agrees,
        "origins_differing": sum(1 for o, d in remote.items() if after.get(o) != d),
        "repaired": run.result.repaired, "missing": len(wanted) - run.result.repaired,
    }
    run.health["repaired_total"] = int(run.health.get("repaired_total", 0)) + run.result.repaired


def _wanted(run: Round, origin: str, bucket: str) -> list[str]:
    """The ids of one bucket that the peer holds at a higher version than this node (or that
    this node lacks)."""
    client = run.client_for(run.peer.base_url)
    wanted: list[str] = []
    after: str | None = None
    while len(wanted) < MAX_WANTED:
        page = client.get_index(origin, bucket, after, INDEX_PAGE)
        entries = page.get("entries")
        if not isinstance(entries, list):
            raise BadResponse(run.peer.base_url, "/feed/index has no 'entries' list")
        lines = [e for e in entries if isinstance(e, list) and len(e) == 3
                 and isinstance(e[0], str) and type(e[1]) is int]
        held = run.store.get_many([line[0] for line in lines])
        for record_id, version, _ in lines:
            stored = held.get(record_id)
            if stored is None or stored.version < version:
                wanted.append(record_id)
        if page.get("more") is not True or not lines or lines[-1][0] == after:
            break
        after = lines[-1][0]
    return wanted
