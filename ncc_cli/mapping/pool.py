"""Map and check a large source in worker processes while the importing process signs and stores.

Mapping a row (HTML to text, language detection, value maps, dates) and the content rules cost
about as much CPU as validating, signing and storing it, and depend on nothing the node holds:
they are pure functions of the mapping, the rules and the record. So a large source is read in
the importing process, sent in chunks to worker processes that each build their own
:class:`~.checker.Checker` from the same paths, and the judged rows come back in the source's
order; all counting, holding and writing stays in the importing process, so the outcome is that
of checking in one process (``tests/ncc_cli/test_import_pool.py`` compares the two).

The importing process's own share (validate, sign, store) is now the smaller one, so it does not
wait idle for the workers: whenever the oldest chunk is not back yet, it judges the next chunk
of the source itself (with its own checker, ``local``), which takes its turn in the same order.
The workers' start (imports, the language model: about a second) is covered that way too.

At most ``AHEAD`` chunks per process, and ``AHEAD`` judged in the importing process, are held at
once (memory stays bounded for any source size). Processes come from a ``forkserver`` (never a
fork of a process holding a database connection).
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
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
                   start: tuple[Path, Path, Path | None], workers: int,
                   local: Callable[[int, Any], Judged] | None = None) -> Iterator[Judged]:
    """Every record judged by ``workers`` processes, in the order of ``records``; with
    ``local`` (this process's :meth:`Checker.judge`), this process judges a chunk itself
    whenever it would otherwise wait for the oldest one."""
    context = multiprocessing.get_context("forkserver")
    # a process has one fork server, started by whichever pool comes first: it preloads what
    # the sync's check pool needs, so a sync in this process still forks warm processes
    context.set_forkserver_preload(FORKSERVER_PRELOAD)
    source = iter(records)
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start,
                             initargs=start) as executor:
        # chunks in the source's order, each a Future: sent to a worker, or judged here (done
        # already; an error it raised is raised in its turn, as a worker's would be)
        pending: deque[tuple[bool, Future[list[Judged]]]] = deque()  # (judged here, chunk)
        sent = here = 0  # of pending
        more = True
        while True:
            while more and sent < AHEAD * workers:
                chunk = list(islice(source, CHUNK))
                more = len(chunk) == CHUNK
                if chunk:
                    pending.append((False, executor.submit(_judge, chunk)))
                    sent += 1
            if not pending:
                return
            local_head, head = pending[0]
            if not head.done() and local is not None and more and here < AHEAD:
                chunk = list(islice(source, CHUNK))
                more = len(chunk) == CHUNK
                if chunk:
                    pending.append((True, _judged_here(local, chunk)))
                    here += 1
                continue
            pending.popleft()
            if local_head:
                here -= 1
            else:
                sent -= 1
            yield from head.result()


def _judged_here(local: Callable[[int, Any], Judged],
                 chunk: list[tuple[int, Any]]) -> Future[list[Judged]]:
    """A chunk judged in this process, as a Future that is done already."""
    done: Future[list[Judged]] = Future()
    try:
        done.set_result([local(line, record) for line, record in chunk])
    except Exception as exc:  # raised when the chunk's turn comes (head.result())
        done.set_exception(exc)
    return done
