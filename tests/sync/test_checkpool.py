"""The check pool: records screened in other processes get the verdicts of checking in one.

The hostile-item and topology tests run in both modes (``check_mode``); these tests make sure
the pool really does the checking there, and that its processes end with the round.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import time
from collections.abc import Callable
from typing import Any

import pytest

from ncc_node import dump_body, utc_now
from sync.checkpool import CheckPool
from sync.rules import Limits, TrustPolicy
from vocab.validation.known_valid import known_valid_check

from ..nodes import LiveNode
from .conftest import FakePeer, holdings, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def foreign(node: LiveNode) -> set[tuple[str, int, str]]:
    """What the node holds, but for its own descriptor."""
    return {held for held in holdings(node) if not held[0].startswith(node.url)}


Rows = tuple[set[tuple[str, str, str]], set[tuple[str, str]]]


def index_rows(node: LiveNode, origin: str) -> Rows:
    """The facet entries and search texts a node's indexes hold for one origin's records."""
    conn = node.context.store._reader
    facets = conn.execute("SELECT r.id, f.facet, f.value FROM facets f JOIN records r "
                          "ON r.rowid = f.record WHERE r.origin = ? AND r.kind != 'Node'",
                          (origin,)).fetchall()
    texts = conn.execute("SELECT r.id, t.name, t.description, t.body, t.concepts FROM "
                         "record_text t JOIN records r "
                         "ON r.rowid = t.rowid WHERE r.origin = ? AND r.kind != 'Node'",
                         (origin,)).fetchall()
    return set(facets), set(texts)


def test_large_pages_are_screened_in_the_pool(live_node: Start, make_payload: Payload,
                                               fake_peer: Fake) -> None:
    origin, pooled, alone = live_node("DE"), live_node("EE"), live_node("NL")
    records = publish(origin, make_payload, 40)
    bad = json.loads(records[5].body)
    bad["name"] = {"en": "Tampered"}
    relay = fake_peer()
    descriptor = origin.context.store.descriptor(origin.context.identity.node_iri)
    relay.items = [descriptor.body, *(r.body for r in records[:5]), dump_body(bad),
                   *(r.body for r in records[6:])]
    with_pool = worker_for(pooled, peer(relay, "all"), check_workers=2, check_min_items=8,
                           page_size=20)
    in_process = worker_for(alone, peer(relay, "all"), check_workers=1, page_size=20)
    first = with_pool.run_once()[0]
    assert with_pool.checks is not None and with_pool.checks.screened >= 39
    assert in_process.checks is None
    second = in_process.run_once()[0]
    for result in (first, second):
        assert result.error is None and result.accepted == 41  # 2 descriptors, 39 records
        assert result.rejected == {"bad_signature": 1}
    assert foreign(pooled) == foreign(alone) and len(foreign(pooled)) == 41
    assert [(q.record_id, q.reason) for q in pooled.context.store.quarantined()] == \
        [(records[5].id, "bad_signature")]
    # the index entries the checking processes derived are those the store derives itself
    node_iri = origin.context.identity.node_iri
    facets, texts = index_rows(pooled, node_iri)
    assert len(facets) > 39 * 5 and len(texts) == 39
    assert (facets, texts) == index_rows(alone, node_iri)
    published = index_rows(origin, node_iri)
    assert facets == {row for row in published[0] if row[0] != records[5].id}
    assert texts == {row for row in published[1] if row[0] != records[5].id}


def test_the_pool_ends_with_the_round(live_node: Start, make_payload: Payload) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 12)
    before = set(multiprocessing.active_children())
    worker = worker_for(consumer, peer(origin), check_workers=2, check_min_items=4, page_size=6)
    result = worker.run_once()[0]
    assert result.error is None and result.accepted == 13
    # pages: the descriptor and 5 records, 6 records (both screened), 1 record (checked here)
    assert worker.checks is not None and worker.checks.screened == 11
    assert set(multiprocessing.active_children()) <= before  # nothing left running


def test_a_checking_process_that_dies_loses_nothing(live_node: Start, make_payload: Payload,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 30)
    worker = worker_for(consumer, peer(origin), check_workers=2, check_min_items=2, page_size=5)
    assert worker.checks is not None
    killed: list[int] = []

    def kill_one(base_url: str, done: int) -> None:
        if not killed and worker.checks is not None and worker.checks.pids():
            killed.append(worker.checks.pids()[0])
            os.kill(killed[0], signal.SIGKILL)  # as the kernel's OOM killer would

    with caplog.at_level(logging.WARNING, logger="sync.checkpool"):
        result = worker.run_once(progress=kill_one)[0]
    assert killed, "the pool never started"
    assert result.error is None and result.accepted == 31 and not result.rejected
    assert holdings(origin) <= holdings(consumer)
    assert "a checking process died" in caplog.text


def test_a_starting_pool_is_not_waited_for() -> None:
    """ready() starts the processes in the background and says False until they are up; a
    screen() or close() meanwhile waits for the start, and close() leaves nothing running."""
    before = set(multiprocessing.active_children())
    pool = CheckPool(2)
    try:
        started = time.monotonic()
        assert pool.ready() is False  # answers at once: the fork server is still starting
        assert time.monotonic() - started < 0.1
        deadline = time.monotonic() + 60
        while not pool.ready():
            assert time.monotonic() < deadline, "the check pool never came up"
            time.sleep(0.01)
        assert len(pool.pids()) == 2
        # forked from a fork server that compiled the accept path (sync.checkpool_preload): warm
        assert pool._executor is not None
        compiled = pool._executor.submit(eval, "known_valid_check.cache_info().currsize",
                                         {"known_valid_check": known_valid_check})
        assert compiled.result() == 1
    finally:
        pool.close()
    assert pool.pids() == []
    assert set(multiprocessing.active_children()) <= before
    assert CheckPool(2, wait_for_start=True).ready() is True  # tests: no background start


def test_close_and_screen_while_the_pool_starts(live_node: Start, make_payload: Payload) -> None:
    origin = live_node("DE")
    records = publish(origin, make_payload, 6)
    descriptor = origin.context.store.descriptor(origin.context.identity.node_iri)
    assert descriptor is not None
    node_iri = origin.context.identity.node_iri
    policy = TrustPolicy(node_iri + "-not", {node_iri: ()})
    before = set(multiprocessing.active_children())
    with CheckPool(2) as pool:
        assert pool.ready() is False
        pool.close()  # while the starting thread waits for the fork server
        assert pool.pids() == [] and set(multiprocessing.active_children()) <= before
        assert pool.ready() is False  # starts again
        bad = json.loads(records[0].body)
        bad["name"] = {"en": "Tampered"}
        outcome = pool.screen([dump_body(bad), *(r.body for r in records[1:])],
                              {node_iri: descriptor.body}, policy=policy, limits=Limits(),
                              now=utc_now()).get()
    assert [s.late[0] if s.late else None for s in outcome] == ["bad_signature"] + [None] * 5
    assert set(multiprocessing.active_children()) <= before


def test_pages_checked_while_the_pool_starts_converge(live_node: Start,
                                                      make_payload: Payload) -> None:
    """Without wait_for_start the first pages are checked in the worker and later ones in the
    pool once it is up: the same holdings either way."""
    origin, consumer = live_node("DE"), live_node("EE")
    publish(origin, make_payload, 60)
    worker = worker_for(consumer, peer(origin), check_workers=2, check_min_items=2, page_size=4)
    assert worker.checks is not None
    worker.checks.wait_for_start = False
    result = worker.run_once()[0]
    assert result.error is None and result.accepted == 61 and not result.rejected
    assert holdings(origin) <= holdings(consumer)
    assert worker.checks.screened <= 60 - 3  # the first page's 3 records were checked here
    assert worker.checks.pids() == []  # ended with the round
