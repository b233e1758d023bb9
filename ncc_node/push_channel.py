"""The local channel from a node's HTTP workers to its sync daemon: one datagram per message.

The push endpoints (``/push``, ``/push/subscriptions``) run in the HTTP server's workers; the
sync daemon, which pulls and sends notifications, is another process. A worker hands it what
came in as a small JSON datagram on a Unix socket in the node's data folder (``push.sock``).
Sending never blocks and never fails a request: with no daemon listening, or its queue full,
the message is dropped and :func:`send_to_daemon` says so (push is a hint; the pull interval is the
fallback). Long paths (a Unix socket path holds at most 107 bytes) use Linux's abstract
namespace under a name derived from the path.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import select
import socket
from pathlib import Path
from typing import Any

__all__ = ["MAX_MESSAGE_BYTES", "PushChannel", "callback_for", "channel_address", "parse_topic",
           "send_to_daemon", "topic_for"]

MAX_MESSAGE_BYTES = 4096
_PATH_MAX = 100


def topic_for(base_url: str, scope: str) -> str:
    """The push topic of a node's feed in one scope: ``<base>/feed?scope=<own|all>``."""
    return f"{base_url.rstrip('/')}/feed?scope={scope}"


def parse_topic(topic: str) -> tuple[str, str] | None:
    """``(base_url, scope)`` of a topic made by :func:`topic_for`, or None."""
    base, sep, scope = topic.rpartition("/feed?scope=")
    if not sep or scope not in ("own", "all") or not base.startswith(("http://", "https://")):
        return None
    return base, scope


def callback_for(base_url: str) -> str:
    """Where a node takes notifications and answers verifications: ``<base>/push``."""
    return f"{base_url.rstrip('/')}/push"


def channel_address(data_dir: Path) -> str:
    """The socket address of the daemon serving ``data_dir``."""
    path = str(Path(data_dir).resolve() / "push.sock")
    if len(path.encode()) <= _PATH_MAX:
        return path
    return "\0ncc-push-" + hashlib.sha256(path.encode()).hexdigest()[:32]


def send_to_daemon(address: str, message: dict[str, Any]) -> bool:
    """Hand ``message`` to the daemon at ``address``; False if none took it (no daemon, full)."""
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE_BYTES:
        raise ValueError(f"push message of {len(data)} bytes exceeds {MAX_MESSAGE_BYTES}")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.setblocking(False)
        try:
            sock.sendto(data, address)
        except OSError:  # ENOENT, ECONNREFUSED (no daemon), EAGAIN (its queue is full)
            return False
    return True


class PushChannel:
    """The daemon's end: bound to the address, receives the workers' messages."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        try:
            self._bind()
        except BaseException:
            self.sock.close()
            raise
        self.sock.setblocking(False)

    def _bind(self) -> None:
        try:
            self.sock.bind(self.address)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or self.address.startswith("\0"):
                raise
            if send_to_daemon(self.address, {"kind": "probe"}):
                raise  # another daemon listens: leave it be
            os.unlink(self.address)  # left by a daemon that was killed
            self.sock.bind(self.address)

    def receive(self, timeout: float) -> list[dict[str, Any]]:
        """Wait up to ``timeout`` seconds for messages; return those that came (maybe none)."""
        ready, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
        messages: list[dict[str, Any]] = []
        while ready:
            try:
                data = self.sock.recv(MAX_MESSAGE_BYTES + 1)
            except BlockingIOError:
                break
            try:
                message = json.loads(data)
            except ValueError:
                continue  # not from a worker of ours: nothing to act on
            if isinstance(message, dict):
                messages.append(message)
        return messages

    def close(self) -> None:
        """Stop listening and remove the socket file."""
        self.sock.close()
        if not self.address.startswith("\0"):
            try:
                os.unlink(self.address)
            except FileNotFoundError:
                pass

    def __enter__(self) -> PushChannel:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
