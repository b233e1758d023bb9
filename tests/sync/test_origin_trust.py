"""Origin trust a relay cannot forge (docs/protocol-proofs.md, "Origin trust").

The relay here is a fake peer (a real HTTP server with crafted answers): it serves a descriptor
for the real DE node's IRI, self-signed with the relay's own key, and a record "of DE" signed
with that key. The victim must not take either; when the real DE node becomes a direct peer,
its genuine records are all accepted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ncc_node import dump_body, new_descriptor, sign
from vocab import example

from ..nodes import LiveNode
from .conftest import FakePeer, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def forge(relay: FakePeer, victim_of: LiveNode, copy_of: Any | None = None,
          jurisdiction: str = "country:DEU") -> tuple[dict[str, Any], bytes, bytes]:
    """A descriptor for ``victim_of``'s node IRI signed with the relay's key, and a record
    under its base signed with that key (the genuine record's id when ``copy_of`` is given)."""
    iri = victim_of.url + "/node"
    descriptor = new_descriptor(base_url=victim_of.url, name={"en": "NCC Germany"},
                                jurisdiction=jurisdiction, key=relay.key)
    record = example("initiative.jsonld")
    for minted in ("proof", "usesMethods", "adapts"):
        record.pop(minted, None)
    record.update(id=copy_of.id if copy_of is not None
                  else f"{victim_of.url}/initiatives/00000000-0000-4000-8000-000000000001",
                  origin=iri, version=1, name={"en": "Forged"})
    signed = sign(record, private_key=relay.key.private_key,
                  verification_method=relay.key.verification_method(iri))
    return descriptor, dump_body(descriptor), dump_body(signed)


def held_origin_key(node: LiveNode, origin: str) -> set[str]:
    stored = node.context.store.descriptor(origin)
    assert stored is not None
    return {m["publicKeyMultibase"] for m in json.loads(stored.body)["verificationMethod"]}


def test_a_relay_cannot_take_over_a_reachable_origin(live_node: Start, make_payload: Payload,
                                                      fake_peer: Fake) -> None:
    germany, victim = live_node("DE"), live_node("EE")
    genuine = publish(germany, make_payload, 3)
    relay = fake_peer()
    _, forged_descriptor, forged_record = forge(relay, germany, copy_of=genuine[0])
    relay.items = [forged_descriptor, forged_record]
    result = worker_for(victim, peer(relay, "all")).run_once()[0]
    assert result.error is None
    store = victim.context.store
    # DE's descriptor was taken from DE itself; the relay's copy and record are quarantined
    assert held_origin_key(victim, germany.url + "/node") == {
        germany.context.identity.active_key.public_multikey}
    assert store.get(genuine[0].id) is None
    reasons = {q.reason for q in store.quarantined()}
    assert "equivocation" in reasons or "rotation_rejected" in reasons
    # the genuine node as a direct peer: every genuine item is accepted, nothing quarantined
    before = len(store.quarantined())
    direct = worker_for(victim, peer(germany), peer(relay, "all")).run_once()
    assert direct[0].error is None and direct[0].accepted == 3
    assert len(store.quarantined()) == before
    assert store.get(genuine[0].id).body == genuine[0].body


def test_an_unreachable_introduced_origin_is_not_trusted(live_node: Start,
                                                        make_payload: Payload,
                                                        fake_peer: Fake) -> None:
    germany, victim = live_node("DE"), live_node("EE")
    relay = fake_peer()
    _, forged_descriptor, forged_record = forge(relay, germany)
    relay.items = [forged_descriptor, forged_record]
    germany.stop()  # its base URL no longer answers: nothing can confirm the relay's word
    result = worker_for(victim, peer(relay, "all"), retries=0).run_once()[0]
    assert result.accepted == 1  # the relay's own descriptor, nothing of DE
    store = victim.context.store
    assert store.descriptor(germany.url + "/node") is None
    reasons = {q.reason for q in store.quarantined()}
    assert "unconfirmed_origin" in reasons and "unknown_origin" in reasons


def test_a_pinned_key_admits_an_origin_without_asking_it(live_node: Start,
                                                        make_payload: Payload,
                                                        fake_peer: Fake) -> None:
    germany, hub, victim = live_node("DE"), live_node("NL"), live_node("EE")
    publish(germany, make_payload, 2)
    worker_for(hub, peer(germany)).run_once()
    key = germany.context.identity.active_key.public_multikey
    germany.stop()
    origins = [{"node": germany.url + "/node", "keys": [key]}]
    result = worker_for(victim, peer(hub, "all"), origins=origins).run_once()[0]
    assert result.error is None and result.accepted == 1 + 1 + 2  # NL, DE, DE's records
    # pinned, but not the key the relay's copy is signed with: refused
    relay = fake_peer()
    other = live_node("EE")
    _, forged_descriptor, _ = forge(relay, germany)
    relay.items = [forged_descriptor]
    refused = worker_for(other, peer(relay, "all"), origins=origins).run_once()[0]
    assert refused.accepted == 1 and "pin_mismatch" in refused.rejected  # the relay's own


def test_one_node_per_country(live_node: Start, make_payload: Payload) -> None:
    germany, second, hub, victim = (live_node("DE"), live_node("DE"), live_node("NL"),
                                    live_node("EE"))
    publish(germany, make_payload, 1)
    publish(second, make_payload, 1)
    worker_for(hub, peer(germany)).run_once()
    worker_for(hub, peer(second)).run_once()
    result = worker_for(victim, peer(hub, "all")).run_once()[0]
    assert result.rejected.get("country_taken") == 1
    held = {r.origin for r in victim.context.store.iter_records(kind="Node")}
    assert len([o for o in held if o in (germany.url + "/node", second.url + "/node")]) == 1
    # the operator may allow it
    again = live_node("EE")
    allowed = worker_for(again, peer(hub, "all"), one_node_per_country=False).run_once()[0]
    assert "country_taken" not in allowed.rejected


def test_a_direct_peer_contradicting_a_relayed_descriptor_wins_loudly(
        live_node: Start, make_payload: Payload, fake_peer: Fake) -> None:
    """An operator who turned confirmation off took a relay's forgery; adding the genuine node
    as a direct peer replaces it, says so, and takes every genuine record."""
    germany, victim = live_node("DE"), live_node("EE")
    genuine = publish(germany, make_payload, 3)
    relay = fake_peer()
    _, forged_descriptor, forged_record = forge(relay, germany, copy_of=genuine[0])
    relay.items = [forged_descriptor, forged_record]
    worker_for(victim, peer(relay, "all"), confirm_introduced=False).run_once()
    store = victim.context.store
    assert held_origin_key(victim, germany.url + "/node") == {relay.key.public_multikey}
    assert store.get(genuine[0].id) is not None  # the forgery, taken
    result = worker_for(victim, peer(germany), confirm_introduced=False).run_once()[0]
    assert result.rejected.get("origin_key_conflict") == 1
    state = next(s for s in store.peers() if s.base_url == germany.url)
    assert state.last_error is not None and state.last_error.startswith("origin_key_conflict")
    assert held_origin_key(victim, germany.url + "/node") == {
        germany.context.identity.active_key.public_multikey}
    assert result.accepted == 3 and not (set(result.rejected) - {"origin_key_conflict"})
    for record in genuine:
        assert store.get(record.id).body == record.body
    assert any(q.reason == "origin_key_conflict" for q in store.quarantined())
