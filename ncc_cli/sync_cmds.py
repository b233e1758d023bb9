"""``ncc sync --once | --daemon`` and ``ncc sync status``: the operator side of sync (issue 5).

``--once`` runs one round over every configured peer and exits non-zero if any peer failed;
``--daemon`` runs rounds every ``sync.interval_s`` (+ up to ``sync.jitter_s``) until Ctrl-C or
SIGTERM. Each peer has its own timeouts and errors, so a slow or broken peer never stops the
others; its failure is reported in the summary and kept in its status.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from types import FrameType
from typing import Any

import click

from ncc_node.context import NodeContext
from ncc_node.errors import ConfigError
from ncc_node.settings import SETTINGS, Settings
from sync import (
    PeerConfig,
    PeerResult,
    PushAgent,
    PushCounts,
    SyncWorker,
    peers_from_settings,
    run_daemon,
)

from .errors import CliError
from .node_access import config_option, opened_node
from .sync_view_cmds import sync_status_cmd


class SyncFailed(CliError):
    """At least one peer's round failed (the others' results were kept)."""

    code = "sync_failed"


class Progress:
    """A one-line live display of one peer's round on stderr: items checked and records/s."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.width = 0

    def __call__(self, base_url: str, done: int) -> None:
        """Show how many feed items of ``base_url`` this round has checked so far."""
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        text = f"{base_url}: {done:,} records, {rate:,.0f} records/s"
        self.width = max(self.width, len(text))
        click.echo("\r" + text.ljust(self.width), nl=False, err=True)

    def done(self) -> None:
        """Clear the live line; the next peer's rate starts from now."""
        if self.width:
            click.echo("\r" + " " * self.width + "\r", nl=False, err=True)
        self.width = 0
        self.started = time.perf_counter()


def summary_line(result: PeerResult) -> str:
    """One peer's outcome: accepted, rejected by reason, pages, records/s, or the error."""
    rejected = sum(result.rejected.values())
    reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(result.rejected.items()))
    head = f"{result.base_url}  {'FAILED' if result.error else 'ok':6}"
    counts = (f"{result.accepted:,} accepted, {rejected:,} rejected"
              + (f" ({reasons})" if reasons else "")
              + (f", {result.duplicates:,} already held" if result.duplicates else "")
              + f", {result.pages} page(s), {result.requests} request(s), "
                f"{result.wire_bytes:,} B on the wire ({result.body_bytes:,} B decoded)"
              + (f", {result.records_per_s:,.0f} records/s" if result.records_per_s else ""))
    if result.error:
        return f"{head} {result.error} (after {counts})"
    return (f"{head} {counts}" + (", up to date" if result.up_to_date else "")
            + _antientropy(result))


def _antientropy(result: PeerResult) -> str:
    """What the round's digest comparison found (every ``sync.anti_entropy_every`` rounds)."""
    if result.antientropy is None:
        return ""
    repaired = f", {result.repaired:,} repaired" if result.repaired else ""
    if result.antientropy == "agrees":
        return f"; anti-entropy: digests agree{repaired}"
    return f"; anti-entropy: digests differ{repaired}, {result.behind or 0:,} behind"


def round_lines(results: Sequence[PeerResult], prefix: str = "") -> list[str]:
    """The daemon's lines for one round: each peer's summary after a UTC time stamp."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return [f"{stamp} {prefix}{summary_line(result)}" for result in results]


def round_total(number: int, results: Sequence[PeerResult], push: PushCounts | None) -> str:
    """The daemon's closing line of a round: its totals, and what push did since the last."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    line = (f"{stamp} round {number}: {len(results)} peer(s), "
            f"{sum(r.accepted for r in results):,} accepted, "
            f"{sum(r.requests for r in results)} request(s), "
            f"{sum(r.wire_bytes for r in results):,} B on the wire "
            f"({sum(r.body_bytes for r in results):,} B decoded)")
    if push is not None:
        line += (f"; push since the last round: {push.hints} hint(s), {push.pulls} pull(s), "
                 f"{push.notifications} notification(s) sent, {push.requests} request(s), "
                 f"{push.wire_bytes:,} B on the wire")
    return line


def _as_json(result: PeerResult) -> dict[str, Any]:
    return {**asdict(result), "rejected_total": result.rejected_total}


def _selected(context: NodeContext, wanted: Sequence[str]) -> list[PeerConfig]:
    """The configured peers, or only those named with ``--peer``."""
    peers = peers_from_settings(context.settings)
    if not peers:
        raise ConfigError("no peers configured: add [[peers]] tables with a base_url to the "
                          "config (docs/operations.md, section Sync)")
    if not wanted:
        return peers
    by_url = {p.base_url: p for p in peers}
    unknown = [url for url in wanted if url.rstrip("/") not in by_url]
    if unknown:
        raise ConfigError(f"not a configured peer: {', '.join(unknown)} "
                          f"(configured: {', '.join(by_url)})")
    return [by_url[url.rstrip("/")] for url in wanted]


def run_once(worker: SyncWorker, peers: Sequence[PeerConfig], progress: Progress,
             echo: Callable[[str], None]) -> list[PeerResult]:
    """Sync each peer in turn, printing its summary as soon as it is done."""
    results = []
    with worker.checking():  # one set of checking processes for all the peers
        for peer in peers:
            progress.done()  # the rate of each peer counts from its own start
            result = worker.sync_peer(peer, progress=progress if progress.enabled else None)
            progress.done()
            echo(summary_line(result))
            results.append(result)
    return results


def _stop_on_signals(stop: threading.Event) -> dict[int, Any]:
    """Ctrl-C and SIGTERM set ``stop``: the round in progress ends at the next page."""

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()

    return {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}


def _stop_when_orphaned(parent: int, stop: threading.Event) -> None:
    """Set ``stop`` once the process that started this one is gone (``ncc serve`` killed)."""
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def run_as_daemon(context: NodeContext, worker: SyncWorker, echo: Callable[[str], None],
                  parent: int | None = None) -> None:
    """Run rounds until Ctrl-C or SIGTERM (or ``parent`` ends), printing each round's summary."""
    settings = context.settings
    stop = threading.Event()
    if parent is not None:
        threading.Thread(target=_stop_when_orphaned, args=(parent, stop), daemon=True,
                         name="parent-watch").start()

    def on_pull(result: PeerResult) -> None:
        echo(round_lines([result], prefix="notified: ")[0])

    def lead() -> bool:
        return context.store.try_lead("sync")

    agent = (PushAgent(worker, data_dir=settings.path("node.data_dir"), stop=stop,
                       on_pull=on_pull, lead=lead) if settings["push.enabled"] else None)
    rounds = [0]

    def on_round(results: list[PeerResult]) -> None:
        for line in round_lines(results):
            echo(line)
        rounds[0] += 1
        echo(round_total(rounds[0], results, agent.take_counts() if agent else None))

    previous = _stop_on_signals(stop)
    if agent is not None and not agent.open():
        agent = None
    echo(f"Syncing {context.identity.node_iri} from {len(peers_from_settings(settings))} "
         f"peer(s) every {settings['sync.interval_s']:g} s (+ up to "
         f"{settings['sync.jitter_s']:g} s), push {'on' if agent else 'off'}; Ctrl-C to stop")
    try:
        run_daemon(worker, interval_s=settings["sync.interval_s"],
                   jitter_s=settings["sync.jitter_s"], stop=stop, on_round=on_round,
                   pause=agent.pause if agent is not None else None,
                   alongside=agent.alongside if agent is not None else None, lead=lead)
    finally:
        if agent is not None:
            agent.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    echo("Stopped.")


@click.group("sync", invoke_without_command=True)
@config_option
@click.option("--once", is_flag=True, help="One round over every peer, then exit (1 if any "
                                           "peer failed).")
@click.option("--daemon", is_flag=True, help="Rounds every sync.interval_s until Ctrl-C.")
@click.option("--peer", "wanted", multiple=True, metavar="URL",
              help="With --once: only this configured peer (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="With --once: print the results as JSON.")
@click.option("--no-progress", is_flag=True,
              help="No live progress line (shown on stderr only when it is a terminal).")
@click.option("--parent-pid", type=int, hidden=True,
              help="With --daemon: stop when this process (ncc serve) is gone.")
@click.pass_context
def sync_group(ctx: click.Context, config: Path | None, once: bool, daemon: bool,
               wanted: tuple[str, ...], as_json: bool, no_progress: bool,
               parent_pid: int | None) -> None:
    """Pull the peers' feeds: --once, --daemon, or `ncc sync status`."""
    if ctx.invoked_subcommand is not None:
        if once or daemon:
            raise click.UsageError("--once/--daemon do not go with a subcommand")
        return
    if once == daemon:
        raise click.UsageError("pass --once or --daemon (or a subcommand: ncc sync status)")
    if daemon and (wanted or as_json):
        raise click.UsageError("--peer and --json go with --once")
    progress = Progress(not no_progress and not as_json and sys.stderr.isatty())
    echo: Callable[[str], None] = (lambda line: None) if as_json else click.echo
    with opened_node(config) as context:
        peers = _selected(context, wanted)
        worker = SyncWorker(context.store, context.identity, context.settings)
        if daemon:
            run_as_daemon(context, worker, echo, parent_pid)
            return
        results = run_once(worker, peers, progress, echo)
    if as_json:
        click.echo(json.dumps([_as_json(r) for r in results], indent=2))
    failed = [r for r in results if r.error]
    if failed:
        raise SyncFailed(f"{len(failed)} of {len(results)} peer(s) failed: "
                         + "; ".join(f"{r.base_url}: {r.error}" for r in failed))


sync_group.add_command(sync_status_cmd)


def settings_environment(settings: Settings) -> dict[str, str]:
    """Every setting as its ``NCC_*`` variable, so a child process resolves the same settings."""
    env = {}
    for setting in SETTINGS:
        value = settings[setting.key]
        if value is None:
            continue
        if setting.key == "node.data_dir":  # relative to the config file, which the child lacks
            value = str(settings.path("node.data_dir"))
        if isinstance(value, bool):
            env[setting.env] = "true" if value else "false"
        elif isinstance(value, list):
            env[setting.env] = json.dumps(value)
        else:
            env[setting.env] = str(value)
    return env


class BackgroundSync:
    """The sync daemon beside ``ncc serve`` (``[sync] in_serve = true``): ``ncc sync --daemon``.

    A child process with the server's settings rather than a thread of the server: granian forks
    its worker from the server process, and a fork while a sync thread holds a lock (SQLite,
    stdout) can leave the worker hung, and the server with it.
    """

    def __init__(self, context: NodeContext) -> None:
        settings = context.settings
        self.env = {**os.environ, **settings_environment(settings)}
        self.process: subprocess.Popen[bytes] | None = None
        self.grace_s = settings["sync.read_timeout_s"] + settings["sync.connect_timeout_s"] + 5

    def start(self) -> None:
        """Start the first round now and the next ones every interval."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", "ncc_cli", "sync", "--daemon", "--no-progress",
             "--parent-pid", str(os.getpid())],
            env=self.env, stdin=subprocess.DEVNULL)

    def close(self) -> None:
        """Stop after the page in progress; wait for it (bounded by the peer timeouts)."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=self.grace_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=self.grace_s)
