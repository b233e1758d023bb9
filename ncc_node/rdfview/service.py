"""One SPARQL view process per host, shared by every worker process of ``ncc serve``.

The query processes of :mod:`.pool` each hold the whole RDF view in memory. A server with one
process (waitress) has one pool; granian runs the app in several worker processes, and a pool in
each would hold a copy of the view per worker, memory growing with workers × records. So
``ncc serve`` (granian) starts one view process (``python -m ncc_node.rdfview.view_process``) that
owns the host's :class:`~.pool.QueryPool`, and the workers send it their queries over a Unix
socket in a private folder (:class:`RemotePool`, same interface as the pool): a server worker
holds no view at all, and the host holds ``[sparql] workers`` copies whatever the number of
server workers. The bounds stay the pool's (timeouts, memory limit, admission: now for the host).
A worker that finds no view process answers 503.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from dataclasses import asdict
from multiprocessing.connection import Client, Connection, Listener
from typing import Any

from .pool import PoolLimits, QueryAnswer, QueryPool
from .query import QueryTimeout, SparqlError, ViewUnavailable, error_from_wire

__all__ = ["VIEW_SOCKET_ENV", "RemotePool", "serve_views", "view_process_command"]

#: How ``ncc serve`` tells granian's workers where the view process listens.
VIEW_SOCKET_ENV = "NCC_SPARQL_VIEW_SOCKET"
PARENT_CHECK_S = 1.0
SLACK_S = 5.0  # beyond the pool's own deadlines: the view process answers before this


class RemotePool:
    """A server worker's end: queries go to the host's view process."""

    def __init__(self, address: str, limits: PoolLimits) -> None:
        self.address = address
        self.limits = limits

    def run(self, query: str, graphs: dict[str, list[str] | None],
            mimetypes: dict[str, str | None]) -> QueryAnswer:
        """See :meth:`QueryPool.run`."""
        try:
            conn = Client(self.address, family="AF_UNIX")
        except OSError as exc:
            raise ViewUnavailable(f"the SPARQL view process of this server is not running "
                                  f"({exc.strerror or exc}); try again shortly") from None
        # the pool waits for an idle process, the view's catching up, then the query
        limits = self.limits
        wait = limits.timeout_seconds * 2 + limits.start_timeout_seconds + SLACK_S
        try:
            conn.send((query, graphs, mimetypes))
            if not conn.poll(wait):
                raise QueryTimeout(f"the SPARQL view process did not answer within {wait:g} s")
            message = conn.recv()
        except (EOFError, OSError):
            raise ViewUnavailable("the SPARQL view process stopped while answering; try "
                                  "again shortly") from None
        finally:
            conn.close()
        if message[0] == "answer":
            return QueryAnswer(message[1], message[2])
        raise error_from_wire(message[1], message[2])

    def close(self) -> None:
        """Nothing to stop: the view process belongs to ``ncc serve``."""


def _answer(pool: QueryPool, conn: Connection) -> None:
    """(a thread per connection) Run the queries a worker sends until it hangs up."""
    with conn:
        while True:
            try:
                query, graphs, mimetypes = conn.recv()
            except (EOFError, OSError, ValueError, TypeError):
                return
            try:
                answer = pool.run(str(query), graphs, mimetypes)
                reply: tuple[Any, ...] = ("answer", answer.mimetype, answer.body)
            except SparqlError as exc:
                reply = ("error", exc.code, exc.message)
            try:
                conn.send(reply)
            except OSError:
                return  # the worker gave up (its request ended): nothing to tell


def _die_with_parent(parent: int, listener: Listener) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    listener.close()
    os._exit(0)


def serve_views(address: str, database: str, limits: PoolLimits) -> None:
    """Listen at ``address`` and answer every worker's queries from one pool, until the
    process that started this one is gone."""
    pool = QueryPool(database, limits)
    listener = Listener(address, family="AF_UNIX")
    os.chmod(address, 0o600)
    threading.Thread(target=_die_with_parent, args=(os.getppid(), listener),
                     name="parent-watch", daemon=True).start()
    try:
        while True:
            try:
                conn = listener.accept()
            except OSError:
                return
            threading.Thread(target=_answer, args=(pool, conn), name="sparql-client",
                             daemon=True).start()
    finally:
        pool.close()


def view_process_command(address: str, database: str, limits: PoolLimits) -> list[str]:
    """The command line that starts the view process."""
    return [sys.executable, "-m", "ncc_node.rdfview.view_process", address, database,
            json.dumps(asdict(limits))]
