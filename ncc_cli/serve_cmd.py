"""``ncc serve``: the node's app under a production HTTP server, granian (default) or waitress.

granian (Rust HTTP, a WSGI worker process) is the default because it serves a 1 MB feed page in
about a third of waitress's time (bench/serve.py; see granian_server.py); waitress (pure Python,
threads, in this process) stays available with ``[server] engine = "waitress"``.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import FrameType
from typing import Any

import click
import waitress

from ncc_node.context import NodeContext
from ncc_node.errors import ConfigError
from ncc_node.rdfview import VIEW_SOCKET_ENV, PoolLimits, view_process_command
from ncc_node.web import finish_imports

from .granian_server import free_port, run_granian
from .node_access import config_option, config_overrides, node_settings
from .sync_cmds import BackgroundSync
from .webapp import create_app


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server like Ctrl-C: waitress catches SystemExit and drains its threads."""
    raise SystemExit(0)


def _stop_on(signums: tuple[signal.Signals, ...]) -> dict[int, Any]:
    """Make each of ``signums`` stop the server; return the handlers they had.

    SIGINT too, not only Python's default: a shell starts a background job (``ncc serve &``,
    a service script) with SIGINT ignored, and Python keeps an ignored SIGINT ignored, so the
    Ctrl-C or ``kill -INT`` the server announces would do nothing.
    """
    return {signum: signal.signal(signum, _stop) for signum in signums}


def bind_sockets(host: str, port: int, context: NodeContext) -> list[socket.socket]:
    """Bind every address of ``host`` (as waitress would), failing with one clear message.

    Binding here rather than in waitress: a waitress server that fails to bind leaks its
    half-built socket and wake-up pipe.
    """
    sockets: list[socket.socket] = []
    try:
        for family, kind, proto, _, address in socket.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address[0], port, *address[2:]))
            port = sock.getsockname()[1]  # with port 0, the other addresses take the same
    except OSError as exc:
        for sock in sockets:
            sock.close()
        context.store.close()
        raise click.ClickException(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sockets


def _announce(context: NodeContext, urls: str, engine: str) -> None:
    settings = context.settings
    pool = (f"{settings['server.workers']} worker processes" if engine == "granian"
            else f"{settings['server.threads']} threads")
    click.echo(f"Serving {context.identity.node_iri} at {urls} with {pool}, {engine} "
               "(Ctrl-C to stop)")


def _start_sync(context: NodeContext) -> BackgroundSync | None:
    """The sync daemon inside the server (issue 5, ``[sync] in_serve``), if configured."""
    settings = context.settings
    if not settings["sync.in_serve"]:
        return None
    click.echo(f"Syncing from {len(settings['peers'])} peer(s) every "
               f"{settings['sync.interval_s']:g} s ([sync] in_serve)")
    syncing = BackgroundSync(context)
    syncing.start()
    return syncing


VIEW_START_S = 30.0


class ViewProcess:
    """The host's one SPARQL view process for granian's workers (ncc_node.rdfview.service):
    its socket lives in a private temporary folder, removed when it stops."""

    def __init__(self, context: NodeContext) -> None:
        settings = context.settings
        self.folder = Path(tempfile.mkdtemp(prefix="ncc-sparql-"))  # mode 0700
        self.address = str(self.folder / "view.sock")
        self.process = subprocess.Popen(
            view_process_command(self.address, str(settings.database()),
                                 PoolLimits.from_settings(settings)),
            stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + VIEW_START_S
        try:
            while not Path(self.address).exists():  # listening before a worker asks
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise ConfigError("the SPARQL view process did not start")
                time.sleep(0.02)
        except BaseException:  # that, or a SIGTERM meanwhile
            self.close()
            raise

    def close(self) -> None:
        """Stop it (its query processes follow within a second) and remove the folder."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.folder, ignore_errors=True)


def _serve_granian(context: NodeContext, config_file: Path | None) -> None:
    """Serve with granian: the app runs in its worker process; sync (if any) runs here."""
    settings = context.settings
    host = settings["server.host"]
    port = settings["server.port"] or free_port(host)
    for sock in bind_sockets(host, port, context):  # a clear error now if the port is taken
        sock.close()
    url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
    _announce(context, url, "granian")
    syncing = _start_sync(context)
    view = None
    # until granian installs its handlers, SIGTERM and SIGINT stop as cleanly as they do later
    _stop_on((signal.SIGTERM, signal.SIGINT))
    try:
        view = ViewProcess(context)  # one RDF view for all the workers, not one each
        run_granian(settings, config_file=config_file, port=port,
                    environ={VIEW_SOCKET_ENV: view.address})
    except SystemExit as exc:  # that SIGTERM: stopped before serving
        if exc.code not in (0, None):
            raise
    finally:
        if view is not None:
            view.close()
        if syncing is not None:
            syncing.close()
        context.store.close()
    click.echo("Stopped.")


def listen_urls(server: Any) -> list[str]:
    """The URLs a waitress server actually listens on (port 0 resolved to the real port)."""
    if hasattr(server, "effective_listen"):  # several sockets, e.g. IPv4 and IPv6 of "localhost"
        pairs = server.effective_listen
    else:
        pairs = [(server.effective_host, server.effective_port)]
    return [f"http://[{host}]:{port}" if ":" in str(host) else f"http://{host}:{port}"
            for host, port in pairs]


@click.command()
@config_option
@click.option("--host", help="Interface to bind (default: server.host).")
@click.option("--port", type=click.IntRange(0, 65535),
              help="Port (default: server.port; 0 picks a free one and prints it).")
@click.option("--threads", type=click.IntRange(1, 256), help="Worker threads (server.threads).")
def serve(config: Path | None, host: str | None, port: int | None, threads: int | None) -> None:
    """Serve the node's HTTP API (granian or waitress) until Ctrl-C or SIGTERM."""
    overrides = config_overrides(config)
    node_settings(config)  # clear errors for a missing config or database before anything starts
    for key, value in (("server.host", host), ("server.port", port), ("server.threads", threads)):
        if value is not None:
            overrides[key] = value
    app = create_app(overrides)
    context = app.extensions["ncc"]
    settings = context.settings
    if settings["server.engine"] == "granian":
        config_file = overrides.get("config_file") or os.environ.get("NCC_CONFIG")
        _serve_granian(context, Path(config_file) if config_file else None)
        return
    sockets = bind_sockets(settings["server.host"], settings["server.port"], context)
    # A feed page is about 1 MB: keep whole responses in memory (waitress spills anything over
    # outbuf_overflow, 1 MiB by default, to a temporary file) and send them in large writes.
    server = waitress.create_server(app, sockets=sockets, threads=settings["server.threads"],
                                    ident="ncc-exchange", outbuf_overflow=16 * 1024 * 1024,
                                    send_bytes=256 * 1024)
    # waitress reports through logging (queue depth, socket errors); the server owns the process
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    previous = _stop_on((signal.SIGTERM, signal.SIGINT))
    urls = ", ".join(listen_urls(server))
    _announce(context, urls, "waitress")
    syncing = _start_sync(context)
    try:
        server.run()  # returns after Ctrl-C/SIGTERM, once the worker threads have finished
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if syncing is not None:
            syncing.close()
        server.close()
        if finish_imports(app, timeout=30):  # a browser import may still be at work
            context.store.close()
        else:  # never close the store under it: exiting ends it, its open batch rolls back
            click.echo("An import started in the browser was still running and is stopped "
                       "unfinished; start it again after the restart.", err=True)
    click.echo("Stopped.")
