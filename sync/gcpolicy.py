"""Fewer garbage collections while a sync round runs (issue 5's throughput target).

A round allocates millions of small containers (each item's parsed JSON, verdicts, rows) that
live for one page, and almost none of them form reference cycles: reference counting frees them.
With CPython's default thresholds (700, 10, 10) the cyclic collector still runs a young
collection every 700 allocations and, ever so often, a full one that walks every object the
process holds — the vocabulary, the compiled shapes, the pages read ahead. Measured on
``bench/sync.py``: about 8% of the worker's CPU. During a round the thresholds are raised to
:data:`ROUND_THRESHOLDS`, and the objects that exist when the first round starts (modules,
vocabulary, configuration: they live as long as the process) are moved out of the collector's
sight with :func:`gc.freeze`. Cycles are still collected, only less often; the thresholds are
put back when the round ends, so a node serving HTTP between rounds is left as it was.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["ROUND_THRESHOLDS", "fewer_collections", "settle_process"]

#: (young, middle, old): a young collection every 20,000 net allocations instead of 700.
ROUND_THRESHOLDS = (20_000, 50, 1_000)

_lock = threading.Lock()
_frozen = False
_active = 0
_saved: tuple[int, int, int] = gc.get_threshold()


def _freeze_once() -> None:
    """Move what the process holds now out of the collector's sight, the first time (under
    ``_lock``)."""
    global _frozen
    if not _frozen:
        gc.freeze()
        _frozen = True


def settle_process() -> None:
    """Freeze what the process holds now (once) and raise the thresholds for good: for a
    process that does nothing but sync work (a checking process)."""
    with _lock:
        _freeze_once()
        gc.set_threshold(*ROUND_THRESHOLDS)


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the collector's thresholds for the duration (nested and concurrent uses count)."""
    global _active, _saved
    with _lock:
        _freeze_once()
        if _active == 0:
            _saved = gc.get_threshold()
            gc.set_threshold(*ROUND_THRESHOLDS)
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                gc.set_threshold(*_saved)
