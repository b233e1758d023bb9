"""``ncc demo``: the four-country demo federation on loopback, synced until all digests agree.

Starts Germany, Estonia, the Netherlands and Luxembourg (config/demo/*.toml) as ``ncc serve``
processes, creates their keys on the first run, imports config/samples/<cc>.jsonl, and runs
sync rounds (in this process, one worker per node) until the four digests agree. Then it prints
where each node is and keeps serving and syncing until Ctrl-C or SIGTERM; with ``--check`` it
prints the digests and exits (0 when they agree).
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

import click

from ncc_node.records import digest_lines, hash_lines
from sync import PeerResult, SyncWorker, run_daemon

from .demo_nodes import (
    DEMO_ACCOUNTS,
    DemoError,
    DemoNode,
    check_ports_free,
    close_stores,
    exited,
    free_base_port,
    plan,
    prepare,
    start_servers,
    stop_servers,
    wait_until_serving,
)

REPO = Path(__file__).resolve().parents[2]
WEB_PAGES = (("", "scouting page"), ("web/stats", "statistics"), ("web/sign-in", "sign-in"))
PAGES = (("initiatives", "initiatives"), ("methods", "methods"), ("feed", "change feed"),
         ("sparql", "SPARQL"), ("stats", "statistics"), ("docs", "API docs"))


def _default(relative: str) -> Path:
    """``./<relative>`` when it exists (running from a checkout), else the package's checkout."""
    here = Path(relative)
    return here if here.is_dir() else REPO / relative


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the demo like Ctrl-C: the ``finally`` blocks stop everything in order."""
    raise KeyboardInterrupt


def _digests(nodes: Sequence[DemoNode]) -> list[tuple[str, int]]:
    """(digest, records held) of every node."""
    found = []
    for node in nodes:
        assert node.context is not None
        lines = digest_lines(node.context.store)
        found.append((hash_lines(lines), len(lines)))
    return found


def _round_line(number: int, nodes: Sequence[DemoNode],
                results: Sequence[list[PeerResult]]) -> str:
    parts = []
    for node, peer_results in zip(nodes, results, strict=True):
        accepted = sum(r.accepted for r in peer_results)
        failed = sum(1 for r in peer_results if r.error)
        rejected = sum(sum(r.rejected.values()) for r in peer_results)
        parts.append(f"{node.label} +{accepted}" + (f" ({rejected} rejected)" if rejected else "")
                     + (f" ({failed} peer(s) failed)" if failed else ""))
    return f"Sync round {number}: " + ", ".join(parts)


def converge(nodes: Sequence[DemoNode], workers: Sequence[SyncWorker], deadline: float) -> None:
    """Run sync rounds on every node at once until the digests agree (or the deadline)."""
    number = 0
    with ThreadPoolExecutor(max_workers=len(workers), thread_name_prefix="demo-sync") as pool:
        while True:
            number += 1
            results = list(pool.map(lambda worker: worker.run_once(), workers))
            click.echo(_round_line(number, nodes, results))
            digests = _digests(nodes)
            if len({d for d, _ in digests}) == 1:
                return
            if time.monotonic() > deadline:
                _print_digests(nodes, digests)
                errors = [f"{node.label} <- {r.base_url}: {r.error}"
                          for node, rs in zip(nodes, results, strict=True) for r in rs if r.error]
                raise DemoError("the digests still differ at the deadline"
                                + ("; last errors: " + "; ".join(errors) if errors else ""))
            time.sleep(0.5)


def _print_digests(nodes: Sequence[DemoNode], digests: Sequence[tuple[str, int]]) -> None:
    for node, (value, count) in zip(nodes, digests, strict=True):
        click.echo(f"  {node.label}  {value}  {count:,} records  {node.url}")


def _print_where(nodes: Sequence[DemoNode]) -> None:
    click.echo("The demo federation is serving:")
    for node in nodes:
        click.echo(f"  {node.label}  {node.settings['node.name']}  {node.url}/node")
        for group in (WEB_PAGES, PAGES):
            click.echo("      " + "   ".join(f"{node.url}/{path}" for path, _ in group))
        click.echo(f"      sign in at {node.url}/web/sign-in as "
                   + " or ".join(f"{name!r} ({role})" for name, role in DEMO_ACCOUNTS)
                   + f", password {node.password} (kept in {node.password_file})")
    click.echo("Each node keeps syncing from the other three every "
               f"{nodes[0].settings['sync.interval_s']:g} s. State and server logs: "
               f"{nodes[0].settings.path('node.data_dir').parent}. Ctrl-C stops the demo.")


def _report_round(node: DemoNode) -> Callable[[list[PeerResult]], None]:
    def report(results: list[PeerResult]) -> None:
        for result in results:
            if result.accepted or result.rejected:
                click.echo(f"{node.label}: {result.accepted} new from {result.base_url}"
                           + (f", {sum(result.rejected.values())} rejected"
                              if result.rejected else ""))
    return report


def serve_until_interrupted(nodes: Sequence[DemoNode], workers: Sequence[SyncWorker]) -> None:
    """Keep the servers up and each node's sync daemon running until Ctrl-C or SIGTERM."""
    stop = threading.Event()
    daemons = [threading.Thread(
        target=run_daemon, args=(worker,), name=f"demo-daemon-{node.code}", daemon=True,
        kwargs={"interval_s": node.settings["sync.interval_s"],
                "jitter_s": node.settings["sync.jitter_s"], "stop": stop,
                "on_round": _report_round(node)})
        for node, worker in zip(nodes, workers, strict=True)]
    for thread in daemons:
        thread.start()
    try:
        while not exited(nodes):
            time.sleep(0.5)
        dead = ", ".join(n.label for n in exited(nodes))
        raise DemoError(f"the server of {dead} stopped unexpectedly (see its serve.log)")
    finally:
        stop.set()
        for thread in daemons:
            thread.join(timeout=60)


@click.command()
@click.option("--check", is_flag=True,
              help="Print the digests and exit: 0 when all four agree (what CI runs).")
@click.option("--state", type=click.Path(file_okay=False, path_type=Path),
              help="State directory, one folder per node (default: state/demo, as in "
                   "config/demo/*.toml).")
@click.option("--samples", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of <cc>.jsonl (or .csv) sample rows to import (default: "
                   "config/samples).")
@click.option("--configs", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Folder of the four node configs de/ee/nl/lu.toml (default: config/demo).")
@click.option("--base-port", type=click.IntRange(0, 65532), envvar="NCC_DEMO_BASE_PORT",
              help="Serve on BASE-PORT…+3 instead of the configs' ports (8471-8474); 0 picks "
                   "four free ports in a row. Also from NCC_DEMO_BASE_PORT. Gives it its own "
                   "--state (default then: state/demo-BASE-PORT).")
@click.option("--timeout", type=click.FloatRange(1), default=180.0, show_default=True,
              help="Seconds to wait for the nodes to start and their digests to agree.")
def demo(check: bool, state: Path | None, samples: Path | None, configs: Path | None,
         base_port: int | None, timeout: float) -> None:
    """Run the four-country demo federation on loopback until Ctrl-C (--check: verify, exit)."""
    started = time.monotonic()
    deadline = started + timeout
    configs = configs or _default("config/demo")
    if base_port == 0:
        base_port = free_base_port()
    if state is None and base_port is not None:
        state = configs.resolve().parents[1] / "state" / f"demo-{base_port}"
    nodes = plan(configs, state, base_port)
    check_ports_free(nodes)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    # Ctrl-C even when started with SIGINT ignored (e.g. `ncc demo &` from a script)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        prepare(nodes, samples or _default("config/samples"), click.echo)
        start_servers(nodes)
        wait_until_serving(nodes, deadline)
        click.echo(f"Started {len(nodes)} nodes: "
                   + ", ".join(f"{n.label} {n.url}" for n in nodes))
        workers = [SyncWorker(n.context.store, n.context.identity, n.settings)
                   for n in nodes if n.context is not None]
        converge(nodes, workers, deadline)
        digests = _digests(nodes)
        click.echo(f"All {len(nodes)} digests agree after {time.monotonic() - started:.1f} s:")
        _print_digests(nodes, digests)
        if not check:
            _print_where(nodes)
            serve_until_interrupted(nodes, workers)
    except KeyboardInterrupt:
        click.echo("Stopping the demo ...", err=True)
        if check:
            raise DemoError("interrupted before the check completed") from None
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second Ctrl-C must not cut the cleanup
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        stop_servers(nodes)
        close_stores(nodes)
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    if not check:
        click.echo("Stopped.")
