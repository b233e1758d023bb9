"""Bad items survive nothing: each is quarantined with its reason and raw body, and the good
items around it are taken. Items reach the consumer through a fake relay (``scope=all``); the
records themselves are real, signed by real nodes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ncc_node import dump_body, sign

from ..nodes import LiveNode
from .conftest import FakePeer, fake_with_records, peer, publish, rotate_node, worker_for

pytestmark = pytest.mark.usefixtures("check_mode")

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def descriptor_body(node: LiveNode) -> bytes:
    """The node's stored descriptor, as its feed would carry it."""
    return node.context.store.descriptor(node.context.identity.node_iri).body


def relay_of(fake_peer: Fake, *items: bytes) -> FakePeer:
    relay = fake_peer()
    relay.items = list(items)
    return relay


def quarantine(node: LiveNode) -> list[tuple[str | None, str, bytes]]:
    return [(q.record_id, q.reason, q.body) for q in node.context.store.quarantined()]


def test_tampered_field_and_bad_signatures(live_node: Start, make_payload: Payload,
                                           fake_peer: Fake) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    good, tampered, forged, garbled = publish(origin, make_payload, 4)
    tampered_body = tampered.body.replace(b'"Initiative 1"', b'"Initiative X"')
    assert tampered_body != tampered.body
    other = json.loads(good.body)["proof"]["proofValue"]
    record = json.loads(forged.body)
    record["proof"]["proofValue"] = other  # a real signature, of another record
    forged_body = dump_body(record)
    garbled_body = garbled.body.replace(b'"proofValue":"z', b'"proofValue":"x')
    relay = relay_of(fake_peer, descriptor_body(origin), good.body, tampered_body, forged_body,
                     garbled_body)
    result = worker_for(consumer, peer(relay, "all"), page_size=2).run_once()[0]
    assert result.error is None and result.accepted == 3  # two descriptors, the good record
    assert result.rejected == {"bad_signature": 2, "malformed_proof": 1}
    assert sorted(quarantine(consumer)) == sorted([
        (tampered.id, "bad_signature", tampered_body),
        (forged.id, "bad_signature", forged_body),
        (garbled.id, "malformed_proof", garbled_body)])
    assert consumer.context.store.get(good.id).body == good.body
    for bad in (tampered, forged, garbled):
        assert consumer.context.store.get(bad.id) is None


def test_replayed_older_version_is_stale(live_node: Start, make_payload: Payload,
                                         fake_peer: Fake) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    [v1] = publish(origin, make_payload, 1)
    v2 = origin.context.publisher.update(v1.id, make_payload(name={"en": "v2"}), if_match="*")
    assert worker_for(consumer, peer(origin)).run_once()[0].accepted == 2
    relay = relay_of(fake_peer, v1.body, v2.body)
    result = worker_for(consumer, peer(origin), peer(relay, "all")).run_once()[1]
    assert result.rejected == {"stale": 1} and result.duplicates == 1
    assert quarantine(consumer) == [(v1.id, "stale", v1.body)]
    assert consumer.context.store.get(v1.id).version == 2


def test_equivocation_keeps_the_first(live_node: Start, make_payload: Payload,
                                      fake_peer: Fake) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    [first] = publish(origin, make_payload, 1)
    # the origin's own key signs a second, different version 1 of the same record
    _, second = origin.context.publisher.prepare("Initiative", make_payload(name={"en": "Twin"}),
                                                 record_id=first.id, version=1)
    worker_for(consumer, peer(origin)).run_once()
    relay = relay_of(fake_peer, second)
    result = worker_for(consumer, peer(origin), peer(relay, "all")).run_once()[1]
    assert result.rejected == {"equivocation": 1}
    assert consumer.context.store.get(first.id).body == first.body
    assert quarantine(consumer) == [(first.id, "equivocation", second)]


def test_record_under_one_base_signed_by_another_key(live_node: Start, make_payload: Payload,
                                                     fake_peer: Fake) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    [real] = publish(origin, make_payload, 1)
    relay = fake_peer()
    claimed = json.loads(real.body)
    del claimed["proof"]
    claimed["version"] = 2
    _, impostor = relay.sign(claimed)  # origin DE, signed by the relay's key
    own_base = dict(claimed, origin=relay.node_iri)
    _, foreign = relay.sign(own_base)  # origin the relay, id under DE's base
    relay.items = [impostor, foreign]
    # DE first: peers are synced at the same time, and a relayed item of an origin not yet
    # held would wait for its descriptor (unknown_origin) instead of meeting DE's keys
    worker_for(consumer, peer(origin)).run_once()
    worker = worker_for(consumer, peer(origin), peer(relay, "all"))
    results = worker.run_once()
    assert [r.error for r in results] == [None, None]
    assert results[1].rejected == {"unknown_key": 1, "foreign_id": 1}
    # descriptor, feed, DE's descriptor asked for once, and the impostor asked for again by id
    # (an unknown key may be damage on the way: sync/retry.py)
    assert results[1].requests == 4
    assert sorted(r for _, r, _ in quarantine(consumer)) == ["foreign_id", "unknown_key"]
    assert consumer.context.store.get(real.id).version == 1


def test_unknown_key_refreshes_a_direct_peers_descriptor_once(
    live_node: Start, make_payload: Payload, fake_peer: Fake
) -> None:
    """The consumer holds DE's first descriptor; a relay brings records signed by DE's new key
    without DE's new descriptor: one GET DE/node (key continuity) and they are taken."""
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 1)
    worker_for(consumer, peer(origin)).run_once()
    rotate_node(origin)
    fresh = publish(origin, make_payload, 3)
    relay = relay_of(fake_peer, *(r.body for r in fresh))
    worker = worker_for(consumer, peer(origin), peer(relay, "all"), page_size=1)
    result = worker.sync_peer(worker.peers()[1])  # only the relay; DE stays a direct peer
    assert result.error is None and result.rejected == {}
    assert result.accepted == 5  # the relay's descriptor, DE's new one, three records
    assert result.requests == 1 + 3 + 1  # relay descriptor, three pages, DE/node once
    assert consumer.context.store.descriptor(origin.context.identity.node_iri).version == 2


def test_key_rotation_between_two_pages(live_node: Start, make_payload: Payload) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 2)
    worker = worker_for(consumer, peer(origin), page_size=1)
    assert worker.run_once()[0].accepted == 3
    rotate_node(origin)
    publish(origin, make_payload, 2)
    result = worker.run_once()[0]
    assert (result.error, result.accepted, result.pages, result.rejected) == (None, 3, 3, {})
    held = consumer.context.store.descriptor(origin.context.identity.node_iri)
    assert held is not None and held.version == 2


def test_never_overwrites_this_nodes_records(live_node: Start, make_payload: Payload,
                                             fake_peer: Fake) -> None:
    consumer = live_node("EE")
    [mine] = publish(consumer, make_payload, 1)
    _, newer = consumer.context.publisher.prepare(
        "Initiative", make_payload(name={"en": "Not from here"}), record_id=mine.id, version=7)
    relay = relay_of(fake_peer, mine.body, newer)
    result = worker_for(consumer, peer(relay, "all")).run_once()[0]
    assert result.rejected == {"own_record": 1} and result.duplicates == 1
    assert consumer.context.store.get(mine.id).version == 1


def test_shape_context_and_limits(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    relay = fake_peer()
    base = relay.url
    envelope = {"@context": "https://w3id.org/ncc/context/v1", "type": "Initiative",
                "origin": relay.node_iri, "version": 1, "modified": "2026-01-01T00:00:00Z"}
    _, invalid = relay.sign({**envelope, "id": f"{base}/initiatives/1b4e28ba-2fa1-41d2-883f-"
                                                 "0016d3cca427"})  # no name, no description
    _, remote = relay.sign({**envelope, "@context": ["https://w3id.org/ncc/context/v1",
                                                     "https://evil.example/ctx"],
                            "id": f"{base}/initiatives/6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b"})
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    _, nested = relay.sign({**envelope, "id": f"{base}/initiatives/00000000-0000-4000-8000-"
                                               "000000000001", "deep": deep})
    huge = b'{"pad":"' + b"x" * 300_000 + b'"}'
    relay.items = [dump_body(relay.descriptor), invalid, remote, nested, huge, b"[1,2]",
                   b'{"@context":"https://w3id.org/ncc/context/v1","id":"x"}']
    result = worker_for(consumer, peer(relay, "all")).run_once()[0]
    assert result.error is None and result.accepted == 1
    assert result.rejected == {"invalid_record": 1, "bad_context": 1, "too_deep": 1,
                               "too_large": 1, "not_object": 1, "malformed": 1}
    stored_huge = [q for q in consumer.context.store.quarantined() if q.reason == "too_large"]
    assert len(stored_huge[0].body) == 256 * 1024  # kept, cut at the record limit


@pytest.mark.parametrize("trust_introduced", [True, False])
def test_trust_introduced(live_node: Start, make_payload: Payload,
                          trust_introduced: bool) -> None:
    a, b, c = live_node("DE"), live_node("EE"), live_node("NL")
    publish(a, make_payload, 2)
    publish(b, make_payload, 1)
    worker_for(b, peer(a)).run_once()
    result = worker_for(c, peer(b, "all"), trust_introduced=trust_introduced).run_once()[0]
    a_held = [r for r in c.context.store.iter_records()
              if r.origin == a.context.identity.node_iri]
    if trust_introduced:
        assert len(a_held) == 3 and result.rejected == {}
    else:
        assert a_held == [] and result.rejected == {"untrusted_origin": 3}
        assert result.accepted == 2  # B itself: descriptor and record


def test_pinned_keys(live_node: Start, make_payload: Payload, fake_peer: Fake) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 1)
    wrong = fake_peer().key.public_multikey
    result = worker_for(consumer, peer(origin, keys=(wrong,))).run_once()[0]
    assert result.error is not None and result.error.startswith("peer_rejected: ")
    assert "pin_mismatch" in result.error and result.accepted == 0
    assert consumer.context.store.descriptor(origin.context.identity.node_iri) is None
    right = origin.context.identity.active_key.public_multikey
    result = worker_for(consumer, peer(origin, keys=(right,))).run_once()[0]
    assert result.error is None and result.accepted == 2
    # pinned later, to a key the held descriptor never listed: refused before any request
    result = worker_for(consumer, peer(origin, keys=(wrong,))).run_once()[0]
    assert result.error is not None and "pin_mismatch" in result.error
    assert result.requests == 0


def test_signed_with_the_relays_key_but_claiming_a_foreign_descriptor(
    live_node: Start, fake_peer: Fake
) -> None:
    """A descriptor for node X signed by someone else's key does not verify on its own."""
    consumer, victim = live_node("EE"), live_node("DE")
    relay = fake_peer()
    forged = json.loads(descriptor_body(victim))
    del forged["proof"]
    forged["version"] = 2
    forged_body = dump_body(sign(forged, private_key=relay.key.private_key,
                                 verification_method=victim.context.identity.node_iri
                                 + "#key-1"))
    relay.items = [forged_body]
    result = worker_for(consumer, peer(relay, "all")).run_once()[0]
    assert result.rejected == {"bad_descriptor": 1}


def test_a_direct_peer_that_is_down_is_asked_once_per_round(live_node: Start,
                                                            fake_peer: Fake) -> None:
    """A relay brings records of a direct peer whose descriptor is not held, and that peer is
    down: one attempt to fetch its descriptor, then its items are quarantined."""
    consumer = live_node("EE")
    origin = fake_with_records(fake_peer, 3)
    origin.server.shutdown()
    origin.server.server_close()
    relay = relay_of(fake_peer, *origin.items)
    worker = worker_for(consumer, peer(origin), peer(relay, "all"), retries=0)
    result = worker.sync_peer(worker.peers()[1])
    assert result.error is None and result.rejected == {"unknown_origin": 3}
    # the relay's descriptor, its feed, the origin once, the feed again to quarantine
    assert result.requests == 4


def test_a_relay_cannot_pose_as_a_direct_peer(live_node: Start, make_payload: Payload,
                                              fake_peer: Fake) -> None:
    """A relay offers a self-signed descriptor under DE's id before the consumer ever talked to
    DE: the consumer asks DE itself, keeps DE's real descriptor, and quarantines the forgery."""
    origin, consumer = live_node("DE"), live_node("EE")
    records = publish(origin, make_payload, 2)
    relay = fake_peer()
    forged = json.loads(descriptor_body(origin))
    del forged["proof"]
    forged["verificationMethod"][0]["publicKeyMultibase"] = relay.key.public_multikey
    forged_body = dump_body(sign(forged, private_key=relay.key.private_key,
                                 verification_method=forged["verificationMethod"][0]["id"]))
    relay.items = [forged_body, *(r.body for r in records)]
    worker = worker_for(consumer, peer(origin), peer(relay, "all"))
    result = worker.sync_peer(worker.peers()[1])  # the relay first; DE is configured
    assert result.error is None
    assert result.rejected == {"equivocation": 1} and result.accepted == 1 + 1 + 2
    held = consumer.context.store.descriptor(origin.context.identity.node_iri)
    assert held is not None and held.body == descriptor_body(origin)
    assert held.received_from == origin.url
