"""Real nodes syncing over real HTTP: chain and star topologies converge."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ncc_node import digest

from ..nodes import LiveNode
from .conftest import holdings, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]


def test_two_nodes_pull_each_other(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 5)
    publish(ee, make_payload, 3, kind="Method")
    result = worker_for(ee, peer(de), page_size=2).sync_peer(
        worker_for(ee, peer(de)).peers()[0])
    assert result.error is None, result.error
    assert result.accepted == 6  # five records and DE's descriptor
    assert result.up_to_date and result.pages == 3
    worker_for(de, peer(ee)).run_once()
    assert digest(de.context.store) == digest(ee.context.store)
    assert holdings(de) == holdings(ee)
