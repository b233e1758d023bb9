"""A federation roster the operator trusts (docs/protocol-proofs.md, "Origin trust").

Live nodes over HTTP: a hub that holds the roster serves it at /roster, and a victim that pins
the roster key takes it from there and, by it, an origin the hub introduces while that origin
itself is unreachable. The relay is a fake peer (a real HTTP server with crafted answers): it
serves a roster it signed itself, or a genuine one it altered, or an old one; none is taken.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import requests
from werkzeug.wrappers import Request, Response

from ncc_node import (
    NodeKey,
    RosterEntry,
    dump_body,
    generate_key,
    roster_bytes,
    roster_file_for,
    sign_roster,
    utc_now,
)

from ..nodes import LiveNode
from .conftest import FakePeer, peer, publish, worker_for
from .test_origin_trust import forge, held_origin_key

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def entry(node: LiveNode) -> RosterEntry:
    """What the roster says of a live node: its IRI, country and active key."""
    identity = node.context.identity
    return RosterEntry(identity.node_iri, identity.jurisdiction,
                       (identity.active_key.public_multikey,))


def signed_roster(key: NodeKey, *entries: RosterEntry, version: int = 1, days: float = 30,
                  issued_days_ago: float = 0) -> bytes:
    issued = utc_now() - timedelta(days=issued_days_ago)
    return roster_bytes(sign_roster(entries, version=version, keys=[key], issued=issued,
                                    expires=issued + timedelta(days=days)))


def pinning(key: NodeKey, **extra: Any) -> dict[str, Any]:
    """Settings of a node that pins ``key`` as the roster key."""
    return {"roster.keys": [key.public_multikey], **extra}


def serving(roster: bytes, relay: FakePeer) -> Callable[[Request], Response | None]:
    """A fake peer's handler that serves ``roster`` at /roster (the rest as usual)."""
    def handler(request: Request) -> Response | None:
        if request.path == "/roster":
            return Response(roster, content_type="application/json")
        return None
    return handler


def introduced_by_hub(live_node: Start, make_payload: Payload, key: NodeKey,
                      ) -> tuple[LiveNode, LiveNode]:
    """DE, which the NL hub synced and which is unreachable now, and the hub."""
    germany, hub = live_node("DE"), live_node("NL", **pinning(key))
    publish(germany, make_payload, 2)
    assert worker_for(hub, peer(germany)).run_once()[0].error is None
    germany.stop()
    return germany, hub


def test_a_roster_from_a_peer_admits_an_origin_without_asking_it(
        live_node: Start, make_payload: Payload) -> None:
    key = generate_key("roster")
    germany, hub = introduced_by_hub(live_node, make_payload, key)
    roster = signed_roster(key, entry(germany), entry(hub))
    roster_file_for(hub.context.settings).install(roster)
    # without a roster, an unreachable introduced origin cannot be confirmed
    plain = live_node("EE")
    unconfirmed = worker_for(plain, peer(hub, "all"), retries=0).run_once()[0]
    assert "unconfirmed_origin" in unconfirmed.rejected
    assert plain.context.store.descriptor(germany.url + "/node") is None
    # pinning the roster key, the victim takes the hub's roster and, by it, DE
    victim = live_node("EE", **pinning(key))
    result = worker_for(victim, peer(hub, "all"), retries=0).run_once()[0]
    assert result.error is None and not result.rejected, result
    assert result.accepted == 1 + 1 + 2  # NL, DE, DE's records
    assert held_origin_key(victim, germany.url + "/node") == set(entry(germany).keys)
    held = roster_file_for(victim.context.settings).held()
    assert held is not None and held.version == 1 and held.body == roster
    # and the victim serves it on, to its own peers
    served = requests.get(victim.url + "/roster", timeout=10)
    assert served.status_code == 200 and served.content == roster


def test_a_relay_cannot_forge_a_roster(live_node: Start, make_payload: Payload,
                                       fake_peer: Fake) -> None:
    key = generate_key("roster")
    germany = live_node("DE")
    publish(germany, make_payload, 1)
    relay = fake_peer()
    forged_descriptor, forged_bytes, forged_record = forge(relay, germany)
    impostor = RosterEntry(germany.url + "/node", "country:DEU", (relay.key.public_multikey,))
    genuine = json.loads(signed_roster(key, entry(germany)))
    altered = dict(genuine, nodes=[{"node": impostor.node, "country": impostor.country,
                                    "keys": list(impostor.keys)}])
    attempts = {
        "roster_forged": signed_roster(relay.key, impostor),  # signed by the relay's own key
        "altered": dump_body(altered),  # the genuine proof over other nodes
    }
    germany.stop()  # nothing but a roster could vouch for the relay's DE
    for name, roster in attempts.items():
        victim = live_node("EE", **pinning(key))
        relay.handler = serving(roster, relay)
        relay.items = [forged_bytes, forged_record]
        result = worker_for(victim, peer(relay, "all"), retries=0).run_once()[0]
        assert result.rejected.get("roster_forged") == 1, (name, result)
        assert roster_file_for(victim.context.settings).held() is None
        assert victim.context.store.descriptor(germany.url + "/node") is None, name
        assert result.accepted == 1  # the relay's own descriptor, nothing of DE
        reasons = {q.reason for q in victim.context.store.quarantined()}
        assert {"roster_forged", "unconfirmed_origin"} <= reasons, reasons
    # the genuine roster, relayed with the relay's forged descriptor for DE: refused by it
    victim = live_node("EE", **pinning(key))
    relay.handler = serving(roster_bytes(genuine), relay)
    result = worker_for(victim, peer(relay, "all"), retries=0).run_once()[0]
    assert roster_file_for(victim.context.settings).held() is not None
    assert result.rejected.get("roster_mismatch") == 1, result
    assert victim.context.store.descriptor(germany.url + "/node") is None
    assert forged_descriptor["id"] == germany.url + "/node"


def test_a_stale_or_rolled_back_roster_is_refused(live_node: Start, make_payload: Payload,
                                                  fake_peer: Fake) -> None:
    key = generate_key("roster")
    germany, hub = introduced_by_hub(live_node, make_payload, key)
    victim = live_node("EE", **pinning(key))
    current = signed_roster(key, entry(germany), entry(hub), version=2)
    taken, changed = roster_file_for(victim.context.settings).install(current)
    assert changed and taken.version == 2
    relay = fake_peer()
    offers = {
        # validly signed, but older than the one held: a replay of what the federation
        # has since changed
        "roster_rollback": signed_roster(key, entry(germany), version=1),
        # newer, validly signed, but past its expiry
        "roster_expired": signed_roster(key, entry(germany), version=3, days=1,
                                        issued_days_ago=2),
        # the version held, other content
        "roster_equivocation": signed_roster(key, entry(germany), version=2),
    }
    for reason, roster in offers.items():
        relay.handler = serving(roster, relay)
        result = worker_for(victim, peer(relay, "all"), retries=0).run_once()[0]
        assert result.rejected.get(reason) == 1, (reason, result)
        held = roster_file_for(victim.context.settings).held()
        assert held is not None and held.body == current, reason
    assert {q.reason for q in victim.context.store.quarantined()} >= set(offers)
    # while it is valid, the held roster vouches for DE (which is unreachable)
    result = worker_for(victim, peer(hub, "all"), retries=0).run_once()[0]
    assert not result.rejected, result
    assert held_origin_key(victim, germany.url + "/node") == set(entry(germany).keys)
    # once it has expired, it vouches for nothing
    late = live_node("EE", **pinning(key))
    roster_file_for(late.context.settings).install(current)
    worker = worker_for(late, peer(hub, "all"), retries=0)
    worker.clock = lambda: utc_now() + timedelta(days=31)
    result = worker.run_once()[0]
    assert "unconfirmed_origin" in result.rejected, result
    assert late.context.store.descriptor(germany.url + "/node") is None


def test_the_roster_decides_who_serves_a_country(live_node: Start, make_payload: Payload,
                                                 ) -> None:
    """A reachable second "Germany" would be confirmed by its own base URL; the roster gives
    the country to the node it lists, whichever the hub relays first."""
    key = generate_key("roster")
    impostor, germany, hub = (live_node("DE"), live_node("DE"), live_node("NL", **pinning(key)))
    publish(impostor, make_payload, 1)
    publish(germany, make_payload, 1)
    worker_for(hub, peer(impostor)).run_once()
    worker_for(hub, peer(germany)).run_once()
    roster_file_for(hub.context.settings).install(
        signed_roster(key, entry(germany), entry(hub)))
    victim = live_node("EE", **pinning(key))
    result = worker_for(victim, peer(hub, "all")).run_once()[0]
    assert result.rejected.get("country_taken") == 1, result
    held = {r.origin for r in victim.context.store.iter_records(kind="Node")}
    assert germany.url + "/node" in held and impostor.url + "/node" not in held
    # roster.only: an origin the roster does not list is not taken at all
    strict = live_node("EE", **pinning(key, **{"roster.only": True}))
    result = worker_for(strict, peer(hub, "all"), one_node_per_country=False).run_once()[0]
    assert result.rejected.get("not_in_roster") == 1, result
