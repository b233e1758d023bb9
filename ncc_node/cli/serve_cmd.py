"""``ncc serve``: the node's app under waitress, a production WSGI server (threads, pure Python)."""

from __future__ import annotations

import logging
import signal
from pathlib import Path
from types import FrameType
from typing import Any

import click
import waitress

from ..app import create_app
from .node_access import config_option, config_overrides, node_settings


def _stop(signum: int, frame: FrameType | None) -> None:
    """SIGTERM stops the server like Ctrl-C: waitress catches SystemExit and drains its threads."""
    raise SystemExit(0)


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
    """Serve the node's HTTP API with waitress until Ctrl-C or SIGTERM."""
    overrides = config_overrides(config)
    node_settings(config)  # clear errors for a missing config or database before anything starts
    for key, value in (("server.host", host), ("server.port", port), ("server.threads", threads)):
        if value is not None:
            overrides[key] = value
    app = create_app(overrides)
    context = app.extensions["ncc"]
    settings = context.settings
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: "
                        "%(message)s")
    try:
        server = waitress.create_server(
            app, host=settings["server.host"], port=settings["server.port"],
            threads=settings["server.threads"], ident="ncc-exchange")
    except OSError as exc:
        context.store.close()
        raise click.ClickException(
            f"cannot listen on {settings['server.host']}:{settings['server.port']}: "
            f"{exc.strerror or exc}") from exc
    previous = signal.signal(signal.SIGTERM, _stop)
    urls = ", ".join(listen_urls(server))
    click.echo(f"Serving {context.identity.node_iri} at {urls} with {settings['server.threads']} "
               "threads (Ctrl-C to stop)")
    try:
        server.run()  # returns after Ctrl-C/SIGTERM, once the worker threads have finished
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.close()
        context.store.close()
    click.echo("Stopped.")
