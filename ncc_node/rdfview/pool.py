"""SPARQL in query processes: a query's time and memory are bounded for real.

Oxigraph cannot cancel a running query from Python, and a blocking operator (ORDER BY over a
cross product) can grow without bound. So queries never run in the processes that serve the
API, the feed and the pages: each serving process keeps a small pool of query processes
(:mod:`ncc_node.rdfview.worker`), each with its own copy of the RDF view kept current from the
record store by sequence number, an address-space limit (``resource.setrlimit(RLIMIT_AS)``) and a
lower CPU priority. A query that outlives ``[sparql] timeout_seconds`` is answered 503 and its
process is killed and replaced; one that exceeds ``[sparql] memory_mb`` dies of it and is
answered 503 too. At most ``workers + queue`` queries are admitted at once; beyond that a query is
refused with 503 and ``Retry-After``. Figures and settings: docs/sparql.md.
"""

from __future__ import annotations

import queue
import socket
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ..settings import section_values
from .query import QueryBusy, QueryMemory, QueryTimeout, SparqlError, error_from_wire

__all__ = ["PoolLimits", "QueryPool", "QueryAnswer"]


@dataclass(frozen=True)
class PoolLimits:
    """The ``[sparql]`` settings the pool applies."""

    workers: int = 1
    queue: int = 4
    timeout_seconds: float = 10.0
    memory_mb: int = 1024
    max_results: int = 10_000
    start_timeout_seconds: float = 120.0

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> PoolLimits:
        """The ``[sparql]`` settings (missing ones keep their defaults)."""
        return cls(**section_values(settings, "sparql", cls))


@dataclass(frozen=True)
class QueryAnswer:
    """A rendered result: its media type and bytes."""

    mimetype: str
    body: bytes


class _Process:
    """One query process (``python -m ncc_node.rdfview.worker``) and the parent's end of its
    socket: a fresh interpreter, not a fork of a threaded server, and not multiprocessing's
    spawn either, which would import the server's ``__main__`` again."""

    def __init__(self, database: str, limits: PoolLimits) -> None:
        ours, theirs = socket.socketpair()
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ncc_node.rdfview.worker", str(theirs.fileno()),
                 database, str(limits.memory_mb * 1024 * 1024)],
                pass_fds=(theirs.fileno(),), stdin=subprocess.DEVNULL, close_fds=True)
        finally:
            theirs.close()
        self.conn = Connection(ours.detach())

    def wait(self, timeout: float) -> Any:
        """The next message, or raise TimeoutError / EOFError."""
        if not self.conn.poll(max(0.0, timeout)):
            raise TimeoutError
        return self.conn.recv()

    def kill(self) -> None:
        """Kill the process at once (a query cannot be stopped otherwise) and reap it."""
        if self.process.poll() is None:
            self.process.kill()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:  # a zombie for the OS to reap; nothing to wait for
            pass
        self.conn.close()


class QueryPool:
    """A few query processes shared by the threads of one serving process."""

    def __init__(self, database: str, limits: PoolLimits) -> None:
        self.database = database
        self.limits = limits
        self._idle: queue.Queue[_Process] = queue.Queue()
        self._admitted = threading.BoundedSemaphore(limits.workers + limits.queue)
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self.restarts = 0

    def _start(self) -> None:
        with self._lock:
            if self._started:
                return
            for _ in range(self.limits.workers):
                self._idle.put(self._spawn())
            self._started = True

    def run(self, query: str, graphs: dict[str, list[str] | None],
            mimetypes: dict[str, str | None]) -> QueryAnswer:
        """Run ``query`` in a query process; ``mimetypes`` maps a result form to the media
        type to render it in (None: the client accepts none of them, a 406)."""
        if self._closed:
            raise QueryBusy("the node is shutting down")
        if not self._admitted.acquire(blocking=False):
            raise QueryBusy("too many SPARQL queries are running or waiting; try again "
                            "shortly ([sparql] workers, queue)")
        try:
            self._start()
            try:
                worker = self._idle.get(timeout=self.limits.timeout_seconds)
            except queue.Empty:
                raise QueryBusy("every SPARQL query process stayed busy for "
                                f"{self.limits.timeout_seconds:g} s; try again shortly") from None
            healthy = False
            try:
                outcome = self._ask(worker, query, graphs, mimetypes)
                healthy = True
            finally:
                if not healthy:
                    worker.kill()  # the only way to stop a query (or reap a dead process)
                    self.restarts += 1
                if self._closed:
                    worker.kill()
                else:
                    self._idle.put(worker if healthy else self._spawn())
        finally:
            self._admitted.release()
        if isinstance(outcome, SparqlError):
            raise outcome
        return outcome

    def _ask(self, worker: _Process, query: str, graphs: dict[str, list[str] | None],
             mimetypes: dict[str, str | None]) -> QueryAnswer | SparqlError:
        """The answer, or the refusal a healthy process reported; raise (and so have the
        process replaced) when it ran out of time or died."""
        limits = self.limits
        try:
            worker.conn.send(("query", query, graphs, mimetypes, limits.max_results))
            # the view catches up first: maintenance, timed by start_timeout, not the query's
            message = worker.wait(limits.start_timeout_seconds)
            if message[0] == "running":
                message = worker.wait(limits.timeout_seconds)
        except TimeoutError:
            raise QueryTimeout(f"the query ran longer than {limits.timeout_seconds:g} s and was "
                               "stopped ([sparql] timeout_seconds); narrow it or add a LIMIT"
                               ) from None
        except (EOFError, OSError):
            raise QueryMemory(f"the query's process stopped, most likely at its memory limit "
                              f"of {limits.memory_mb} MB ([sparql] memory_mb); narrow the "
                              "query or add a LIMIT") from None
        if message[0] == "answer":
            return QueryAnswer(message[1], message[2])
        error = error_from_wire(message[1], message[2])
        if isinstance(error, QueryMemory):
            raise error  # the process exits after it: replaced
        return error

    def _spawn(self) -> _Process:
        return _Process(self.database, self.limits)

    def close(self) -> None:
        """Stop every query process (idle ones; busy ones end with their pipe)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().kill()
            except queue.Empty:
                return


_CREATING = threading.Lock()


def pool_of(app: Any) -> QueryPool:
    """The app's query pool, created on first use from ``[sparql]`` (``app.extensions``)."""
    pool: QueryPool | None = app.extensions.get("ncc_sparql_pool")
    if pool is None:
        with _CREATING:
            pool = app.extensions.get("ncc_sparql_pool")
            if pool is None:
                context = app.extensions["ncc"]
                settings = context.settings
                limits = PoolLimits.from_settings(settings)
                pool = QueryPool(str(settings.path("node.database")), limits)
                app.extensions["ncc_sparql_pool"] = pool
    return pool
