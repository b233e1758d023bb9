"""An EU-level node (jurisdiction ``country:EUR``) relays every country and claims none of them.

Issue 21: the aggregator of the star claimed its host country (BE), so the Belgian node's
descriptor, relayed by the aggregator, was refused everywhere as ``country_taken`` and its
records stayed ``unknown_origin``. Real nodes over real HTTP, as the star of bench/federation.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from ncc_node import digest

from ..nodes import LiveNode
from .conftest import converge, holdings, peer, publish, worker_for

pytestmark = pytest.mark.usefixtures("check_mode")

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]


def origin_records(node: LiveNode, origin: LiveNode) -> set[str]:
    """The ids ``node`` holds whose origin is ``origin`` (its descriptor included)."""
    iri = origin.context.identity.node_iri
    return {r.id for r in node.context.store.iter_records() if r.origin == iri}


def test_a_country_reaches_a_third_node_through_the_eu_aggregator(
        live_node: Start, make_payload: Payload) -> None:
    belgium, eu, estonia = live_node("BE"), live_node("EU"), live_node("EE")
    assert eu.context.identity.jurisdiction == "country:EUR"
    publish(belgium, make_payload, 4)
    publish(estonia, make_payload, 2)
    publish(eu, make_payload, 1, kind="Method")  # the aggregator's own record
    workers = [worker_for(eu, peer(belgium), peer(estonia)),
               worker_for(estonia, peer(eu, "all")),
               worker_for(belgium, peer(eu, "all"))]
    converge(workers, [belgium, eu, estonia])
    # Estonia took Belgium's descriptor and records through the aggregator, verified under
    # Belgium's own key (the descriptor confirmed at Belgium itself)
    held = origin_records(estonia, belgium)
    assert held == origin_records(belgium, belgium) and len(held) == 5
    for record_id in held - {belgium.context.identity.node_iri}:
        assert estonia.context.store.get(record_id).received_from == eu.url
    # and the aggregator's own record, which validates like any other
    assert len(origin_records(estonia, eu)) == 2 and len(origin_records(belgium, eu)) == 2
    assert len(holdings(estonia)) == 3 + 4 + 2 + 1  # three descriptors, seven records
    assert len({digest(n.context.store) for n in (belgium, eu, estonia)}) == 1
    for node in (belgium, eu, estonia):
        assert node.context.store.quarantined() == []


def test_the_eu_level_exempts_no_country_and_is_one_of_a_kind(
        live_node: Start, make_payload: Payload) -> None:
    """Through the aggregator, a second node for a country already served and a second
    EU-level node are both refused; the first of each is taken."""
    belgium, second_belgium, eu, second_eu, estonia = (
        live_node("BE"), live_node("BE"), live_node("EU"), live_node("EU"), live_node("EE"))
    for node in (belgium, second_belgium, second_eu):
        publish(node, make_payload, 1)
    aggregator = worker_for(eu, peer(belgium), peer(second_belgium), peer(second_eu))
    aggregator.run_once()
    result = worker_for(estonia, peer(eu, "all")).run_once()[0]
    assert result.error is None and result.rejected.get("country_taken") == 2, result
    held = {r.origin for r in estonia.context.store.iter_records(kind="Node")}
    belgian = {belgium.context.identity.node_iri, second_belgium.context.identity.node_iri}
    assert len(held & belgian) == 1  # whichever the feed brought first
    assert eu.context.identity.node_iri in held  # the direct peer
    assert second_eu.context.identity.node_iri not in held
    # the operator who wants several may say so
    allowed = worker_for(live_node("EE"), peer(eu, "all"), one_node_per_country=False)
    assert "country_taken" not in allowed.run_once()[0].rejected
