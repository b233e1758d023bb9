"""One SPARQL view process per host (issue 20): granian's workers hold no RDF view of their own.

``ncc serve`` with two worker processes runs every SPARQL query in the query processes of one
view process (``ncc_node.rdfview.view_process``); a server worker has no query process. Through
the view process the bounds of issue 14 hold as they do in-process: a query past its deadline or
its memory is answered 503, a full queue 503, and a next query is answered again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ncc_node.rdfview import PoolLimits, RemotePool, view_process_command
from ncc_node.rdfview.query import QueryBusy, QueryTimeout, ViewUnavailable

from ... import processes
from ...nodes import LiveNode, init_node, node_config
from .test_hostile_sparql import BUSY, SLOW, SMALL, children

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
JSON = {"Accept": "application/sparql-results+json"}
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def _tree(pid: int) -> dict[int, tuple[int, str]]:
    """Every descendant of ``pid``: pid -> (parent pid, command line)."""
    found: dict[int, tuple[int, str]] = {}
    parents = [pid]
    while parents:
        parent = parents.pop()
        for child in children(parent):
            try:
                line = (Path("/proc") / str(child) / "cmdline").read_bytes()
            except OSError:
                continue
            found[child] = (parent, line.replace(b"\0", b" ").decode())
            parents.append(child)
    return found


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_granian_workers_share_one_view_process(tmp_path: Path, make_payload: Payload) -> None:
    port = _free_port()
    settings = node_config(tmp_path / "node", f"http://127.0.0.1:{port}")
    init_node(settings)
    lines = ["[node]"] + [f"{k.partition('.')[2]} = {json.dumps(v)}"
                          for k, v in settings.items()]
    lines += ["[server]", f"port = {port}", 'engine = "granian"', "workers = 2"]
    config = tmp_path / "ncc.toml"
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}
    served = processes.start([sys.executable, "-m", "ncc_cli", "serve", "--config", str(config)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}"
    queries: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/node", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "ncc serve did not come up"
            time.sleep(0.1)
        counts: list[str] = []

        def ask() -> None:
            answer = requests.get(f"{url}/sparql", params={"query": COUNT}, headers=JSON,
                                  timeout=120)
            assert answer.status_code == 200, answer.text
            counts.append(answer.json()["results"]["bindings"][0]["n"]["value"])

        for _ in range(4):  # two at a time: both workers take some
            askers = [threading.Thread(target=ask) for _ in range(2)]
            for asker in askers:
                asker.start()
            for asker in askers:
                asker.join(150)
        assert len(counts) == 8 and len(set(counts)) == 1 and int(counts[0]) > 0

        tree = _tree(served.pid)
        queries = [pid for pid, (_, line) in tree.items() if "ncc_node.rdfview.worker" in line]
        views = [pid for pid, (_, line) in tree.items()
                 if "ncc_node.rdfview.view_process" in line]
        workers = [pid for pid, (parent, line) in tree.items()
                   if parent == served.pid and "ncc_cli serve" in line]
        assert len(views) == 1 and len(workers) == 2, tree
        # [sparql] workers = 1 query process for the host, under the view process
        assert [tree[pid][0] for pid in queries] == views, tree
    finally:
        processes.end(served)
    deadline = time.monotonic() + 10  # the query process notices within a second
    while any(pid in _tree(os.getpid()) for pid in queries):
        assert time.monotonic() < deadline, "a query process outlived ncc serve"
        time.sleep(0.1)


@pytest.fixture
def view_process(tmp_path: Path) -> Iterator[Callable[[LiveNode, PoolLimits], RemotePool]]:
    """Start view processes for live nodes' databases; all stopped at teardown."""
    started: list[subprocess.Popen[bytes]] = []

    def start(node: LiveNode, limits: PoolLimits) -> RemotePool:
        address = str(tmp_path / f"view-{len(started)}.sock")
        database = str(node.context.settings.database())
        started.append(processes.start(view_process_command(address, database, limits)))
        deadline = time.monotonic() + 30
        while not Path(address).exists():
            assert time.monotonic() < deadline, "the view process did not listen"
            time.sleep(0.02)
        return RemotePool(address, limits)

    yield start
    for process in started:
        processes.end(process)


def test_the_bounds_hold_through_the_view_process(
        live_node: Start, make_payload: Payload,
        view_process: Callable[[LiveNode, PoolLimits], RemotePool]) -> None:
    node = live_node("DE")
    for index in range(20):
        node.context.publisher.create("Initiative", make_payload(name={"en": f"Item {index}"}))
    limits = PoolLimits(workers=1, queue=0, timeout_seconds=2.0, memory_mb=320)
    pool = view_process(node, limits)
    json_out = {"bindings": "application/sparql-results+json", "boolean": None, "graph": None}
    graphs: dict[str, list[str] | None] = {"default_graphs": None, "named_graphs": None}
    answer = pool.run(SMALL, graphs, json_out)
    assert answer.mimetype == "application/sparql-results+json"
    assert json.loads(answer.body)["results"]["bindings"]

    # past the deadline, or past the memory limit: 503 (the query process is replaced)
    for text in (BUSY, SLOW):
        started = time.monotonic()
        with pytest.raises(QueryTimeout) as refused:
            pool.run(text, graphs, json_out)
        assert refused.value.code in ("sparql_timeout", "sparql_memory")
        assert time.monotonic() - started < 2.0 + 10
    assert json.loads(pool.run(SMALL, graphs, json_out).body)["results"]["bindings"]

    # one query at a time for the host: another one meanwhile is refused at once
    outcomes: list[str] = []

    def occupy() -> None:  # until the slow query got the one slot (the loop below races it)
        while not outcomes or outcomes[-1] == "sparql_busy":
            try:
                pool.run(BUSY, graphs, json_out)
                outcomes.append("answered")
            except QueryTimeout as exc:
                outcomes.append(exc.code)

    running = threading.Thread(target=occupy)
    running.start()
    deadline = time.monotonic() + 10
    busy = None
    while busy is None and time.monotonic() < deadline and running.is_alive():
        try:
            pool.run(SMALL, graphs, json_out)
        except QueryBusy as exc:
            busy = exc
    running.join(30)
    assert busy is not None and busy.code == "sparql_busy"
    assert outcomes[-1] == "sparql_timeout"

    # without the view process: 503 too, never a hang
    os.kill(pool_pid(pool), signal.SIGKILL)
    deadline = time.monotonic() + 10
    while True:
        try:
            pool.run(SMALL, graphs, json_out)
        except ViewUnavailable:
            break
        assert time.monotonic() < deadline


def pool_pid(pool: RemotePool) -> int:
    """The pid of the view process listening at the pool's address."""
    for pid, (_, line) in _tree(os.getpid()).items():
        if "ncc_node.rdfview.view_process" in line and pool.address in line:
            return pid
    raise AssertionError("no view process")
