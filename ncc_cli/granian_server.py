"""Serve the node with granian (Rust HTTP, WSGI workers): the default `ncc serve` engine.

Chosen by measurement (bench/serve.py, 100,000 records): a 500-record feed page over HTTP costs
about 1.1 ms with granian against 2.9 ms with waitress and 1.9 ms with gunicorn, where reading
the same page straight from SQLite costs about 0.65 ms. granian runs the app in a worker process
it spawns; the worker builds it with ``create_app()`` from the same settings, passed through the
environment (``NCC_CONFIG`` and ``NCC_SERVER_*``), so both see one configuration.
"""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Mapping
from pathlib import Path

from granian import Granian
from granian.constants import HTTPModes, Interfaces, RuntimeModes
from granian.log import LogLevels

from ncc_node.settings import Settings


class NodeServer(Granian):  # type: ignore[misc,valid-type]
    """granian's server, with its stop-signal handler made safe in a worker that inherits it.

    granian forks its workers after installing the main process's SIGINT/SIGTERM handler, and a
    worker installs its own only once it has built the app (~1 s on a loaded machine). A SIGTERM
    in between ran the inherited handler, which only flags the worker's copy of the main
    process: the worker lived on, and the main process waited for it without end. In a worker
    the signal now takes its default action, ending it: a worker still loading serves nothing.
    """

    def signal_handler_interrupt(self, signum: int, frame: object = None) -> None:
        """Stop the server (main process), or end a worker that has no handler of its own yet."""
        if os.getpid() != self.pid:
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        super().signal_handler_interrupt(signum, frame)


def free_port(host: str) -> int:
    """Ask the OS for a free port on ``host`` (``--port 0``); granian binds it right after."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def worker_environment(settings: Settings, config_file: Path | None, port: int) -> dict[str, str]:
    """The environment variables that make the worker's create_app() see these settings."""
    env = {"NCC_SERVER_HOST": settings["server.host"], "NCC_SERVER_PORT": str(port),
           "NCC_SERVER_WORKERS": str(settings["server.workers"])}
    if config_file is not None:
        env["NCC_CONFIG"] = str(config_file.resolve())
    return env


def run_granian(settings: Settings, *, config_file: Path | None, port: int,
                environ: Mapping[str, str] | None = None) -> None:
    """Serve until SIGINT/SIGTERM (granian installs the handlers and drains the workers)."""
    os.environ.update(worker_environment(settings, config_file, port))
    if environ:
        os.environ.update(environ)
    server = NodeServer(
        "ncc_cli.webapp:create_app",
        factory=True,
        address=settings["server.host"],
        port=port,
        interface=Interfaces.WSGI,
        # HTTP/1.1 only (a node sits behind a TLS proxy or serves peers directly) and one Rust
        # runtime thread: both shave handoffs off every request (~10% on a 1 MB feed page).
        http=HTTPModes.http1,
        runtime_mode=RuntimeModes.st,
        # Pre-fork: server.workers processes. Under the GIL more threads per process only hop
        # requests between threads (one thread serves a feed page in ~1.0 ms, five ~1.2 ms,
        # bench/serve.py), but a SPARQL query keeps its thread waiting for a query process:
        # one thread more than the queries a worker admits at once (running + queued) means
        # waiting queries can never hold every thread, and /node, the feed and the pages go on.
        workers=settings["server.workers"],
        blocking_threads=1 + settings["sparql.workers"] + settings["sparql.queue"],
        websockets=False,
        log_access=False,
        # A worker still running this long after SIGTERM gets SIGKILL: the main process never
        # waits for a stuck worker without end (granian's default).
        workers_kill_timeout=settings["server.stop_grace_s"],
        log_level=LogLevels.warning,
    )
    server.serve()
