"""Screen the items of a large page in worker processes (architecture §6, issue 5's speed target).

Checking a record costs far more CPU than storing it: the Ed25519 verify, the JCS hashing and the
shape validation are pure functions of the item's bytes and of the origin's descriptor
(:func:`sync.rules.screen`). A pool of processes runs them for a page's records and tombstones,
and derives each passing record's index entries (analysed text, facets: ``ncc_node.index_entries``,
as pure), which the writer would otherwise compute inside its transaction; the worker's own
process keeps everything that depends on what the node holds (duplicates,
version order, own records, descriptors) and does all the writing, so the transaction boundary
and the verdicts are exactly those of checking in one process: ``tests/sync/test_checkpool.py``
compares the two over honest and hostile feeds.

Each task carries the raw bytes of its items and the bytes of the descriptors the page's key
lookups were built from; a process rebuilds a lookup once per descriptor version. Processes come
from a ``forkserver`` (never a fork of a threaded worker) and live for one sync round. A process
that dies takes nothing with it: its tasks are screened in the worker (``PendingScreen.get``).

Starting takes a fork server a quarter of a second (it imports the screening code and compiles
the accept path, :mod:`sync.checkpool_preload`, before it forks the processes). The worker
does not wait for that: the first large page asks :meth:`CheckPool.ready`, which starts the
processes in a background thread and answers False, and the worker checks the pages itself
until they are up.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from typing import Any

from ncc_node import IndexEntries, KeyLookup, index_entries, key_lookup_from_descriptor

from .feedpage import parse_item
from .gcpolicy import settle_process
from .rules import COLLECTIONS, Limits, Screened, TrustPolicy, screen

__all__ = ["NICENESS", "CheckPool", "PendingScreen"]

#: Imported by the fork server before it forks a checking process (:mod:`sync.checkpool_preload`).
PRELOAD = ["sync.checkpool_preload"]

_TASKS_PER_PROCESS = 2  # smaller tasks keep the processes evenly busy to the page's end
#: How much lower the checking processes' CPU priority is than the worker's (``nice``). The
#: worker sets the pace (it waits for the pool only on a round's first page; it decides and
#: writes every item), so when the processes outnumber the cores it must not be the one that
#: waits for a core: on 2 cores, ``bench/sync.py`` went from ~8,400 to ~9,000 records/s. A node
#: serving HTTP keeps its requests ahead of the checking too.
NICENESS = 10

_Outcome = tuple[tuple[str, str] | None, tuple[str, str] | None, IndexEntries | None]
_Task = tuple[list[bytes], dict[str, bytes], TrustPolicy, Limits, datetime]

log = logging.getLogger(__name__)
_lookups: dict[bytes, KeyLookup] = {}  # in a checking process: descriptor bytes -> its lookup


def _lookup(body: bytes) -> KeyLookup:
    if body not in _lookups:
        if len(_lookups) > 64:  # bounded: descriptors change rarely, origins are few
            _lookups.clear()
        _lookups[body] = key_lookup_from_descriptor(json.loads(body))
    return _lookups[body]


def _start_checking() -> None:
    """Run in a checking process as it starts: yield the CPU to the worker (:data:`NICENESS`),
    collect garbage less often (it does nothing but screen items, :mod:`sync.gcpolicy`), and
    exit when the worker that started it dies.

    A worker killed outright (SIGKILL, out of memory) cannot shut its pool down, and a
    process waiting for tasks would wait forever (it holds its task pipe's write end too),
    keeping the fork server alive with it. The parent's sentinel becomes readable when the
    worker is gone, however it ended.
    """
    try:
        os.nice(NICENESS)
    except OSError as exc:  # not permitted on this platform: run at the worker's priority
        log.warning("a checking process cannot lower its priority: %s", exc)
    settle_process()
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(0)

    threading.Thread(target=watch, name="end-with-worker", daemon=True).start()


def _screen_task(task: _Task) -> list[_Outcome]:
    """Run in a checking process: screen each item of one task."""
    raws, descriptors, policy, limits, now = task
    lookups = {origin: _lookup(body) for origin, body in descriptors.items()}
    outcomes: list[_Outcome] = []
    for raw in raws:
        # the worker parsed the page with NaN/Infinity refused, so these bytes are plain JSON,
        # and parse_item gives the value the worker has
        value = parse_item(raw)
        result = screen(raw, value, key_lookup=lookups.get, policy=policy, limits=limits,
                        now=now)
        # a record that passed is most likely stored: derive its index entries here, in
        # parallel with the writer, instead of in the writer's transaction
        derived = (index_entries(value) if result.early is None and result.late is None
                   and value.get("type") in COLLECTIONS else None)
        outcomes.append((result.early, result.late, derived))
    return outcomes


class PendingScreen:
    """Screening under way in the pool."""

    def __init__(self, pool: CheckPool, executor: ProcessPoolExecutor, tasks: list[_Task],
                 futures: list[Future[list[_Outcome]]]) -> None:
        self._pool = pool
        self._executor = executor
        self._tasks = tasks
        self._futures = futures

    def get(self) -> list[Screened]:
        """Wait for the outcome: one :class:`Screened` per item, in order.

        A checking process that died (killed, out of memory) breaks the pool: the tasks it
        took are screened here instead — the same pure function, so the same outcome — and the
        next screening starts new processes.
        """
        screened: list[Screened] = []
        for task, future in zip(self._tasks, self._futures, strict=True):
            try:
                outcomes = future.result()
            except (BrokenProcessPool, CancelledError):  # cancelled: by close() after a break
                log.warning("a checking process died; screening %d items in the worker itself",
                            len(task[0]))
                self._pool.discard(self._executor)
                outcomes = _screen_task(task)
            screened.extend(Screened(early, late, derived) for early, late, derived in outcomes)
        return screened


class CheckPool:
    """A pool of checking processes, started on first use; ``close`` ends them."""

    def __init__(self, processes: int, *, wait_for_start: bool = False) -> None:
        """``wait_for_start``: :meth:`ready` is always True and :meth:`screen` starts the
        processes and waits for them, so which items the pool screens does not depend on how
        fast they start (tests rely on it)."""
        if processes < 2:
            raise ValueError("a check pool needs at least 2 processes")
        self.processes = processes
        self.wait_for_start = wait_for_start
        self.screened = 0  # items sent to the processes (for status and tests)
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._pings: list[Future[int]] = []  # one per process: done once it is up

    def _new_executor(self) -> ProcessPoolExecutor:
        context: Any = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return ProcessPoolExecutor(self.processes, mp_context=context,
                                   initializer=_start_checking)

    def ready(self) -> bool:
        """Whether the processes are up to take a page at once. If they are not, start them in
        a background thread (it waits for the fork server) and answer False: the caller checks
        the items itself meanwhile, instead of waiting. With ``wait_for_start``, always True."""
        if self.wait_for_start:
            return True
        with self._lock:
            if self._executor is not None:
                return all(ping.done() for ping in self._pings)
            if self._starting is None:
                self._starting = threading.Thread(target=self._start, name="check-pool-start",
                                                  daemon=True)
                self._starting.start()
            return False

    def _start(self) -> None:
        """In the starting thread: create the processes (``submit`` spawns them, waiting for
        the fork server), one small task each to tell when they are up."""
        executor: ProcessPoolExecutor | None = None
        try:
            executor = self._new_executor()
            pings = [executor.submit(os.getpid) for _ in range(self.processes)]
        except Exception as exc:  # the next screen() tries again, in the caller's thread
            log.warning("the check pool did not start: %s", exc)
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
            executor, pings = None, []
        with self._lock:
            self._executor, self._pings, self._starting = executor, pings, None

    def _wait_for_starting(self) -> None:
        with self._lock:
            starting = self._starting
        if starting is not None:
            starting.join()

    def screen(self, raws: Sequence[bytes], descriptors: Mapping[str, bytes], *,
               policy: TrustPolicy, limits: Limits, now: datetime) -> PendingScreen:
        """Start screening ``raws`` (records and tombstones) under the descriptors given by
        origin; the processes work while the caller goes on, ``get()`` waits for the outcome."""
        self._wait_for_starting()
        if self._executor is None:
            self._executor = self._new_executor()
        executor = self._executor
        self.screened += len(raws)
        count = max(1, min(len(raws), self.processes * _TASKS_PER_PROCESS))
        size = -(-len(raws) // count)
        shipped = dict(descriptors)
        tasks: list[_Task] = [(list(raws[start:start + size]), shipped, policy, limits, now)
                              for start in range(0, len(raws), size)]
        futures = []
        for task in tasks:
            try:
                futures.append(executor.submit(_screen_task, task))
            except BrokenProcessPool:  # died since the last screening: the tasks run here
                broken: Future[list[_Outcome]] = Future()
                broken.set_exception(BrokenProcessPool("the check pool is broken"))
                futures.append(broken)
        return PendingScreen(self, executor, tasks, futures)

    def pids(self) -> list[int]:
        """The checking processes' ids (for status and tests)."""
        executor = self._executor
        processes = getattr(executor, "_processes", None) or {}
        return sorted(processes)

    def discard(self, executor: ProcessPoolExecutor) -> None:
        """End a broken set of processes, unless new ones replaced it already."""
        if executor is self._executor:
            self.close()

    def close(self) -> None:
        """End the processes (a later ``screen`` starts new ones)."""
        self._wait_for_starting()
        if self._executor is not None:
            executor, self._executor, self._pings = self._executor, None, []
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> CheckPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
