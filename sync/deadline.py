"""Total deadlines for a peer's requests: a watchdog shuts the socket down when one passes.

requests' timeouts bound each socket operation, not the whole exchange, so a peer that sends its
headers or its body one byte a second never trips them. The sockets of requests made while a
:func:`deadline` is open in a thread are watched — those connected then, and those of pooled
connections taken then (:func:`install` mounts the adapter that does it) — and one watchdog
thread per process calls ``socket.shutdown`` on them once the deadline has passed: the blocked
read returns at once and the request fails; the caller sees ``Deadline.expired`` and reports a
timeout. The socket object is kept, not the connection: a response with ``Connection: close``
is read after http.client has let go of its connection's socket. A shut connection is never
reused (urllib3 drops a connection whose socket was closed).
"""

from __future__ import annotations

import heapq
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["Deadline", "DeadlineAdapter", "deadline", "install"]

_current = threading.local()


class Deadline:
    """A moment (``time.monotonic``) after which the connections used under it are cut."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self._done = False
        self._conns: list[socket.socket] = []
        self._lock = threading.Lock()

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it has)."""
        with self._lock:
            if self.expired:
                _cut(sock)
            elif not self._done:
                self._conns.append(sock)

    def expire(self) -> None:
        """Cut every watched connection, unless the requests under it are over."""
        with self._lock:
            if self._done:
                return
            self.expired = True
            for conn in self._conns:
                _cut(conn)
            self._conns.clear()

    def finish(self) -> None:
        """The requests are over: their connections go back to the pool untouched."""
        with self._lock:
            self._done = True
            self._conns.clear()


def _cut(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the peer or by urllib3


class _Watchdog:
    """One thread that expires deadlines in time order."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._cond = threading.Condition()
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._order), deadline))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sync-deadlines",
                                                daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._heap:
                    self._cond.wait()
                at, _, due = self._heap[0]
                wait = at - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                heapq.heappop(self._heap)
            due.expire()


_WATCHDOG = _Watchdog()


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound every request made in this thread inside the block to ``seconds`` in all."""
    watch = Deadline(seconds)
    outer = getattr(_current, "deadline", None)
    _current.deadline = watch
    _WATCHDOG.add(watch)
    try:
        yield watch
    finally:
        watch.finish()
        _current.deadline = outer


def _watched(conn: Any) -> Any:
    """Hand ``conn``'s socket (if it is connected) to the thread's open deadline."""
    watch: Deadline | None = getattr(_current, "deadline", None)
    sock = getattr(conn, "sock", None)
    if watch is not None and sock is not None:
        watch.watch(sock)
    return conn


class _HTTPConnection(HTTPConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)


class _HTTPSConnection(HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        _watched(self)


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _HTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _watched(super()._get_conn(timeout))


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        return _watched(super()._get_conn(timeout))


class DeadlineAdapter(HTTPAdapter):
    """An adapter whose pools hand their connections to the thread's open deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}


def install(session: requests.Session) -> requests.Session:
    """Mount :class:`DeadlineAdapter` on ``session`` for http and https; return it."""
    adapter = DeadlineAdapter()
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
