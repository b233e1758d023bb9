"""Run sync rounds forever: every ``interval_s`` plus random jitter, until asked to stop."""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable

from .results import PeerResult
from .worker import SyncWorker

__all__ = ["run_daemon"]

log = logging.getLogger(__name__)


def run_daemon(
    worker: SyncWorker,
    *,
    interval_s: float,
    jitter_s: float,
    stop: threading.Event,
    on_round: Callable[[list[PeerResult]], None] | None = None,
) -> None:
    """Loop ``worker.run_once`` until ``stop`` is set; waits are ``stop.wait`` (bounded)."""
    while not stop.is_set():
        try:
            results = worker.run_once(stop=stop)
        except Exception:  # keep the daemon alive; the next round tries again
            log.exception("sync round failed")
            results = []
        if on_round is not None:
            on_round(results)
        # jitter keeps many nodes that started together from polling their peers in lockstep
        stop.wait(max(0.0, interval_s) + random.uniform(0.0, max(0.0, jitter_s)))
