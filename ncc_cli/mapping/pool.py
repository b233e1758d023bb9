"""Map and check a large source in worker processes while the importing process signs and stores.

Mapping a row (HTML to text, language detection, value maps, dates) and the content rules cost
about as much CPU as validating, signing and storing it, and depend on nothing the node holds:
they are pure functions of the mapping, the rules and the record. So a large source is read in
the importing process, sent in chunks to worker processes that each build their own
:class:`~.checker.Checker` from the same paths, and the judged rows come back in the source's
order; all counting, holding and writing stays in the importing process, so the outcome is that
of checking in one process (``tests/ncc_cli/test_import_pool.py`` compares the two).

At most ``AHEAD`` chunks per process are in flight (memory stays bounded for any source size).
Processes come from a ``forkserver`` (never a fork of a process holding a database connection).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from sync import FORKSERVER_PRELOAD

from .checker import Checker, Judged

POOL_MIN_ROWS = 5_000  # below this, starting processes (langid's model, ~1 s) does not pay
CHUNK = 200  # rows per task: large enough that pickling is a small part of a task
AHEAD = 4  # chunks in flight per process
MAX_WORKERS = 4

_checker: Checker | None = None  # in a worker process: built once, by _start


def pool_workers() -> int:
    """Worker processes for a large source: one per core beyond the importing process's."""
    return max(0, min(MAX_WORKERS, (os.cpu_count() or 1) - 1))


def _start(mapping_path: Path, source: Path, rules_path: Path | None) -> None:
    global _checker
    _checker = Checker(mapping_path, source, rules_path)


def _judge(chunk: list[tuple[int, Any]]) -> list[Judged]:
    assert _checker is not None, "the pool's initializer builds the checker"
    return [_checker.judge(line, record) for line, record in chunk]


def judged_in_pool(records: Iterable[tuple[int, Any]],
                   start: tuple[Path, Path, Path | None], workers: int) -> Iterator[Judged]:
    """Every record judged by ``workers`` processes, in the order of ``records``."""
    context = multiprocessing.get_context("forkserver")
    # a process has one fork server, started by whichever pool comes first: it preloads what
    # the sync's check pool needs, so a sync in this process still forks warm processes
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=start) as executor:
        pending: deque[Future[list[Judged]]] = deque()
        chunk: list[tuple[int, Any]] = []
        for item in records:
            chunk.append(item)
            if len(chunk) == CHUNK:
                pending.append(executor.submit(_judge, chunk))
                chunk = []
                while len(pending) >= AHEAD * workers:
                    yield from pending.popleft().result()
        if chunk:
            pending.append(executor.submit(_judge, chunk))
        while pending:
            yield from pending.popleft().result()
