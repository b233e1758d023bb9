"""Run sync rounds forever: one starting every ``interval_s`` plus random jitter, until stopped."""

from __future__ import annotations

import logging
import random
import threading
import time
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
    pause: Callable[[float], object] | None = None,
    lead: Callable[[], bool] | None = None,
    alongside: Callable[[Callable[[], list[PeerResult]]], list[PeerResult]] | None = None,
) -> None:
    """Loop ``worker.run_once`` until ``stop`` is set; the waits between rounds are
    ``pause(seconds)`` (push's work, :mod:`sync.push`) or else ``stop.wait`` (bounded).
    With ``alongside``, each round runs as ``alongside(round)``, which does push's work while
    the round runs (:meth:`sync.push.PushAgent.alongside`).

    With ``lead``, a round runs only while ``lead()`` is true: of several processes sharing
    one database (``ncc serve`` on two hosts), one syncs; the others ask again every interval
    and the first to ask after the leader died takes over.
    """
    wait = pause if pause is not None else stop.wait
    while not stop.is_set():
        started = time.monotonic()
        if lead is None or lead():
            try:
                if alongside is not None:
                    results = alongside(lambda: worker.run_once(stop=stop))
                else:
                    results = worker.run_once(stop=stop)
            except Exception:  # keep the daemon alive; the next round tries again
                log.exception("sync round failed")
                results = []
            if on_round is not None:
                on_round(results)
        # rounds start every interval (plus jitter), however long the last one took, so a peer
        # is polled at most interval + jitter apart; jitter keeps many nodes that started
        # together from polling their peers in lockstep
        period = max(0.0, interval_s) + random.uniform(0.0, max(0.0, jitter_s))
        wait(max(0.0, period - (time.monotonic() - started)))
