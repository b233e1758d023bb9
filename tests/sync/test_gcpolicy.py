"""The garbage collector runs less often during a sync round, and is put back after it; checking
processes run at a lower CPU priority than the worker."""

from __future__ import annotations

import gc
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from ncc_node import utc_now
from sync.checkpool import NICENESS, CheckPool
from sync.gcpolicy import ROUND_THRESHOLDS, fewer_collections
from sync.rules import Limits, TrustPolicy

from ..nodes import LiveNode
from .conftest import peer, publish, worker_for


def test_thresholds_are_raised_while_any_user_is_inside() -> None:
    before = gc.get_threshold()
    assert before != ROUND_THRESHOLDS
    inside = threading.Event()
    leave = threading.Event()

    def other_round() -> None:
        with fewer_collections():
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other_round)
    with fewer_collections():
        assert gc.get_threshold() == ROUND_THRESHOLDS
        thread.start()
        assert inside.wait(10)
    assert gc.get_threshold() == ROUND_THRESHOLDS  # the other round still runs
    leave.set()
    thread.join(10)
    assert gc.get_threshold() == before
    try:
        with fewer_collections():
            raise KeyError("a round that fails")
    except KeyError:
        pass
    assert gc.get_threshold() == before


def test_a_sync_round_runs_with_the_round_thresholds(
    live_node: Callable[..., LiveNode], make_payload: Callable[..., dict[str, Any]]
) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 3)
    worker = worker_for(ee, peer(de), page_size=2)
    seen: list[tuple[int, int, int]] = []
    before = gc.get_threshold()
    [result] = worker.run_once(progress=lambda base_url, done: seen.append(gc.get_threshold()))
    assert result.error is None and result.accepted == 4
    assert seen and set(seen) == {ROUND_THRESHOLDS}
    assert gc.get_threshold() == before


def test_checking_processes_keep_the_round_thresholds_and_yield_the_cpu() -> None:
    with CheckPool(2) as pool:
        screening = pool.screen([b"[]"], {}, policy=TrustPolicy("http://x/node"),
                                limits=Limits(), now=utc_now())
        assert screening.get()[0].early is not None  # not an object: the pool has started
        executor = pool._executor
        assert isinstance(executor, ProcessPoolExecutor)
        assert executor.submit(gc.get_threshold).result(timeout=60) == ROUND_THRESHOLDS
        worker_niceness = os.nice(0)
        assert executor.submit(os.nice, 0).result(timeout=60) == min(19, worker_niceness
                                                                      + NICENESS)
