"""A fault-injecting HTTP proxy for sync tests: it stands for a faulty *network*.

It sits in front of one real node (whose base URL is the proxy's, so node IRIs hold), forwards
each GET to it and, for requests whose User-Agent names ``victim``, with a seeded probability,
damages the answer: an HTTP 503, a connection reset, a truncated body, a stall (headers, then
one byte a second), one flipped byte inside a feed item, an old page replayed, a redirect off
the peer's host, or an oversized body. Faults are drawn from ``random.Random(seed)`` so a run is
reproducible; ``rate`` can be changed between rounds (0 for the clean rounds).
"""

from __future__ import annotations

import http.client
import random
import socket
import socketserver
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

FAULTS = ("status_5xx", "reset", "truncate", "stall", "flip", "replay", "redirect", "oversize")


@dataclass
class FaultProxy:
    """A proxy on 127.0.0.1:<port 0> in front of ``upstream``."""

    seed: int
    upstream: str = ""  # the node's real address, set once it listens
    victim: str = ""  # only requests whose User-Agent contains this are damaged
    rate: float = 0.3
    faults: tuple[str, ...] = FAULTS
    oversize_bytes: int = 4 * 1024 * 1024
    stall_s: float = 30.0
    counts: Counter[str] = field(default_factory=Counter)
    flipped: list[bytes] = field(default_factory=list)  # the damaged items, as sent
    released: threading.Event = field(default_factory=threading.Event)
    served: int = 0  # requests received
    plan: list[str | None] = field(default_factory=list)  # faults for the next requests first

    def __post_init__(self) -> None:
        self.random = random.Random(self.seed)
        self.lock = threading.Lock()
        self.pages: list[bytes] = []  # feed bodies served before, for replays
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy.handle(self.request)

        class Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        """Stop serving and end stalled answers."""
        self.released.set()
        self.server.shutdown()
        self.server.server_close()

    # -- one exchange -----------------------------------------------------------------------------
    def _draw(self, head: bytes) -> str | None:
        agent = next((line for line in head.split(b"\r\n")
                      if line.lower().startswith(b"user-agent:")), b"")
        if self.victim.encode() not in agent:
            return None
        with self.lock:
            if self.plan:
                return self.plan.pop(0)
            if self.random.random() >= self.rate:
                return None
            return self.random.choice(self.faults)

    def handle(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = conn.recv(65536)
            if not chunk:
                return
            head += chunk
        line = head.split(b"\r\n", 1)[0].decode("latin-1")
        method, target, _ = line.split(" ", 2)
        fault = self._draw(head)
        with self.lock:
            self.served += 1
            if fault is not None:
                self.counts[fault] += 1
        if fault == "status_5xx":
            return self._send(conn, 503, b'{"error":{"code":"unavailable","message":"proxy"}}')
        if fault == "redirect":
            return self._send(conn, 302, b"", [("Location", f"http://localhost:9{target}")])
        if fault == "reset":
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            return None
        status, headers, body = self._forward(method, target)
        if status == 200 and target.startswith("/feed?"):
            with self.lock:
                self.pages.append(body)
        if fault == "truncate" and len(body) > 1:
            cut = self.random.randrange(1, len(body))
            return self._send(conn, status, body[:cut], headers, length=len(body))
        if fault == "stall":
            conn.sendall(self._head(status, headers, len(body)))
            for byte in body:
                if self.released.wait(1.0):
                    return None
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return None
            return None
        if fault == "flip" and status == 200:
            body = self._flip(body)  # escaped quotes never occur in our items' strings
        elif fault == "replay" and status == 200 and target.startswith("/feed?"):
            with self.lock:
                body = self.random.choice(self.pages)
        elif fault == "oversize":
            return self._send_oversize(conn)
        return self._send(conn, status, body, headers)

    def _flip(self, body: bytes) -> bytes:
        """Change one letter inside one item's JSON strings (the page stays valid JSON)."""
        start, end = len(b'{"items":['), body.rfind(b'],"cursor"')
        if not body.startswith(b'{"items":[{') or end < 0:
            end = body.rfind(b"]}")
        if not body.startswith(b'{"items":[{') or end <= start:
            return body
        with self.lock:
            for _ in range(64):  # a letter inside a string: after an odd number of quotes
                index = self.random.randrange(start, end)
                if 97 <= body[index] <= 122 and body.count(b'"', start, index) % 2 == 1:
                    break
            else:
                return body
        damaged = bytearray(body)
        damaged[index] = ord("a") + (damaged[index] - ord("a") + 1) % 26
        with self.lock:
            self.flipped.append(bytes(damaged))
        return bytes(damaged)

    def _forward(self, method: str, target: str) -> tuple[int, list[tuple[str, str]], bytes]:
        parts = urlsplit(self.upstream)
        upstream = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80,
                                              timeout=30)
        try:
            upstream.request(method, target, headers={"Accept": "*/*"})
            response = upstream.getresponse()
            body = response.read()
            headers = [(k, v) for k, v in response.getheaders()
                       if k.lower() in ("content-type", "etag", "location")]
            return response.status, headers, body
        finally:
            upstream.close()

    @staticmethod
    def _head(status: int, headers: list[tuple[str, str]] | None, length: int) -> bytes:
        lines = [f"HTTP/1.1 {status} {http.client.responses.get(status, 'X')}",
                 f"Content-Length: {length}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in headers or []]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    def _send(self, conn: socket.socket, status: int, body: bytes,
              headers: list[tuple[str, str]] | None = None, length: int | None = None) -> None:
        try:
            conn.sendall(self._head(status, headers, len(body) if length is None else length)
                         + body)
        except OSError:
            pass
        conn.close()

    def _send_oversize(self, conn: socket.socket) -> None:
        """An endless-looking body without Content-Length, cut when the client hangs up."""
        try:
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                         b"Connection: close\r\n\r\n" + b'{"items":[')
            sent, block = 0, b" " * 65536
            while sent < self.oversize_bytes and not self.released.is_set():
                conn.sendall(block)
                sent += len(block)
        except OSError:
            pass
        conn.close()
