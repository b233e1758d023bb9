"""Real nodes syncing over real HTTP: chain and star topologies converge, end to end verified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ncc_node import digest

from ..nodes import LiveNode
from .conftest import converge, holdings, peer, publish, rotate_node, worker_for

pytestmark = pytest.mark.usefixtures("check_mode")

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]


def test_two_nodes_pull_each_other(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 5)
    publish(ee, make_payload, 3, kind="Method")
    worker = worker_for(ee, peer(de), page_size=2)
    result = worker.sync_peer(worker.peers()[0])
    assert result.error is None, result.error
    assert result.accepted == 6  # five records and DE's descriptor
    assert result.up_to_date and result.pages == 3 and result.cursor
    assert result.rejected == {}
    worker_for(de, peer(ee)).run_once()
    assert digest(de.context.store) == digest(ee.context.store)
    # merged records keep the origin's exact bytes and their provenance
    for record in de.context.store.iter_records():
        if record.origin == ee.context.identity.node_iri:
            assert record.body == ee.context.store.get(record.id).body
            assert record.received_from == ee.url
    assert de.context.store.quarantined() == []


def test_up_to_date_peer_costs_one_request(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 3)
    worker = worker_for(ee, peer(de), page_size=2)
    first = worker.run_once()[0]
    assert first.requests == 3  # the descriptor, then two pages
    again = worker.run_once()[0]
    assert (again.requests, again.accepted, again.pages, again.up_to_date) == (1, 0, 1, True)
    assert again.cursor == first.cursor
    [state] = ee.context.store.peers()
    assert state.cursor == first.cursor and state.last_success is not None
    assert state.counts == {"accepted": 4}


def test_chain_relays_end_to_end(live_node: Start, make_payload: Payload) -> None:
    """A → B → C with scope=all: C verifies A's records under A's own key, learned via B."""
    a, b, c = live_node("DE"), live_node("EE"), live_node("NL")
    publish(a, make_payload, 4)
    publish(b, make_payload, 2)
    publish(c, make_payload, 1, kind="Method")
    workers = [worker_for(b, peer(a), peer(c)),
               worker_for(c, peer(b, "all"), page_size=3),
               worker_for(a, peer(b, "all"))]
    converge(workers, [a, b, c])
    assert digest(a.context.store) == digest(b.context.store) == digest(c.context.store)
    a_records = {r.id for r in c.context.store.iter_records()
                 if r.origin == a.context.identity.node_iri}
    assert len(a_records) == 5  # descriptor + 4, relayed by B
    for record_id in a_records:  # A's descriptor confirmed at A itself, the rest via B
        expected = a.url if record_id == a.context.identity.node_iri else b.url
        assert c.context.store.get(record_id).received_from == expected
    # updates and deletions travel the same way
    first = next(r for r in a.context.store.iter_records(kind="Initiative"))
    a.context.publisher.update(first.id, make_payload(name={"en": "Changed"}), if_match="*")
    second = [r for r in a.context.store.iter_records(kind="Initiative")][1]
    a.context.publisher.delete(second.id)
    converge(workers, [a, b, c])
    assert c.context.store.get(first.id).version == 2
    assert c.context.store.get(second.id).deleted
    for node in (a, b, c):
        assert node.context.store.quarantined() == []


def test_star_converges(live_node: Start, make_payload: Payload) -> None:
    """A hub pulls each leaf's own records; each leaf pulls everything from the hub."""
    hub = live_node("DE")
    leaves = [live_node(country) for country in ("EE", "NL", "LU")]
    publish(hub, make_payload, 2)
    for index, leaf in enumerate(leaves):
        publish(leaf, make_payload, index + 1)
    workers = [worker_for(hub, *(peer(leaf) for leaf in leaves)),
               *(worker_for(leaf, peer(hub, "all")) for leaf in leaves)]
    converge(workers, [hub, *leaves])
    assert len(holdings(hub)) == 4 + 2 + 1 + 2 + 3  # four descriptors and eight records
    assert len({digest(node.context.store) for node in [hub, *leaves]}) == 1


def test_relay_after_a_rotation_backfills(live_node: Start, make_payload: Payload) -> None:
    """After C rotates, B's feed lists C's old records before C's new descriptor: a new
    consumer of B defers them, learns the descriptor, goes back and takes them."""
    b, c, late = live_node("EE"), live_node("NL"), live_node("LU")
    publish(c, make_payload, 3)
    worker_for(b, peer(c)).run_once()
    rotate_node(c)
    publish(c, make_payload, 2)
    worker_for(b, peer(c)).run_once()
    result = worker_for(late, peer(b, "all"), page_size=2).run_once()[0]
    assert result.error is None and result.up_to_date
    c_iri = c.context.identity.node_iri
    held = {r.id for r in late.context.store.iter_records() if r.origin == c_iri}
    assert held == {r.id for r in c.context.store.iter_records()}
    assert late.context.store.descriptor(c_iri).version == 2
    assert late.context.store.quarantined() == []


def test_relayed_origin_without_descriptor_is_quarantined(
    live_node: Start, make_payload: Payload, fake_peer: Callable[..., Any]
) -> None:
    """A relay that sends an origin's records but never its descriptor: nothing is taken and
    every such item ends in quarantine as unknown_origin, once."""
    c, consumer = live_node("NL"), live_node("LU")
    records = publish(c, make_payload, 3)
    relay = fake_peer()
    relay.items = [r.body for r in records]
    result = worker_for(consumer, peer(relay, "all"), page_size=2).run_once()[0]
    assert result.error is None and result.up_to_date
    assert result.rejected == {"unknown_origin": 3}
    quarantined = consumer.context.store.quarantined()
    assert sorted(q.record_id for q in quarantined) == sorted(r.id for r in records)
    assert {q.body for q in quarantined} == {r.body for r in records}
    again = worker_for(consumer, peer(relay, "all"), page_size=2).run_once()[0]
    assert again.requests == 1 and again.rejected == {}
