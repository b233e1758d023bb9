"""The query process: its own RDF view, kept current from the record store, and hard limits.

Started by :class:`ncc_node.rdfview.pool.QueryPool` as ``python -m ncc_node.rdfview.worker FD
DATABASE MEMORY_BYTES`` (a fresh interpreter, never a fork of a threaded server). It limits its
own address space (``RLIMIT_AS``: an allocation beyond it fails, Oxigraph aborts the process, and
the pool replaces it), lowers its CPU priority so that a slow query yields to the API, the feed
and the pages, and dies with the serving process. Before
each query it catches its view up from the store (``store.changes(after=last_seq)``), so a query
sees every write committed before it arrived, by any process; records the view cannot convert
are written to the store's list of view skips (``ncc status``, the operator page).
"""

from __future__ import annotations

import os
import resource
import threading
import time
from multiprocessing.connection import Connection

NICENESS = 10
PARENT_CHECK_S = 1.0


def _die_with_parent() -> None:
    """End this process, even in the middle of a query, once the serving process is gone.

    Not ``prctl(PR_SET_PDEATHSIG)``: that fires when the *thread* that started the process
    ends, and a threaded server starts it from a request thread.
    """
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_CHECK_S)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _limit(memory_bytes: int) -> None:
    try:
        os.nice(NICENESS)
    except OSError:  # not permitted here: the memory limit still holds
        pass
    if memory_bytes > 0:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))


def serve(conn: Connection, database: str, memory_bytes: int) -> None:
    """Answer queries from ``conn`` until it closes (the pool's end or its process is gone)."""
    _die_with_parent()
    _limit(memory_bytes)
    from ..store import SqliteStore
    from .query import SparqlError, check_query, evaluate, query_options
    from .results import render
    from .view import RdfView

    # rdflib's SPARQL grammar is imported and built on its first parse (about a second, more
    # on a loaded host): do it now, as the process starts, not in the first query's time
    check_query("ASK {}")
    store = SqliteStore(database)
    view = RdfView(store)
    try:
        try:  # build the view now, not when the first query is waiting
            view.catch_up()
        except (OSError, ValueError, RuntimeError, SparqlError):
            pass  # tried again, and reported, at the first query
        while True:
            try:
                message = conn.recv()
            except (EOFError, OSError):
                return
            _kind, query, graphs, mimetypes, cap = message
            try:
                oxigraph = view.snapshot()
                if view.skips_changed:
                    store.save_view_skips(view.skipped)
                    view.skips_changed = False
            except (OSError, ValueError, RuntimeError, SparqlError) as exc:  # the store's
                conn.send(("error", "sparql_view_unavailable",
                           f"the RDF view cannot be brought up to date: {exc}"))
                continue
            conn.send(("running",))
            try:
                result = evaluate(oxigraph, query, query_options(**graphs), cap)
                mimetype = mimetypes.get(result.form)
                if mimetype is None:
                    conn.send(("error", "not_acceptable",
                               f"no format the Accept header allows fits a {result.form} "
                               "result"))
                    continue
                body = render(result, mimetype)
                del result
                conn.send(("answer", mimetype, body))
            except SparqlError as exc:
                conn.send(("error", exc.code, exc.message))
            except MemoryError:
                conn.send(("error", "sparql_memory", "the query ran out of memory "
                                                     "([sparql] memory_mb)"))
                return  # the heap may be in pieces: the pool starts a fresh process
    finally:
        store.close()


def main(argv: list[str]) -> None:
    """``python -m ncc_node.rdfview.worker FD DATABASE MEMORY_BYTES`` (started by the pool)."""
    fd, database, memory = argv
    serve(Connection(int(fd)), database, int(memory))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
