"""``ncc demo``: four real nodes on loopback, synced until their digests agree (issue 5).

Each test runs the command as a process (``python -m ncc_cli demo``) in a temporary state
directory, with a small sample folder so it stays fast; `.ci/run` runs the full demo.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ncc_cli.demo_nodes import free_base_port as demo_free_base_port
from ncc_cli.ports import LOWEST_PORT, ephemeral_low
from ncc_node.records.digest import digest
from ncc_node.store import SqliteStore
from tests import processes
from tests.web_session import signed_in

CODES = {"de": "country:DEU", "ee": "country:EST", "nl": "country:NLD", "lu": "country:LUX"}
DEADLINE_S = 120.0
DIGEST_LINE = re.compile(r"^  (DE|EE|NL|LU)  ([0-9a-f]{64})  (\d+) records", re.MULTILINE)


def free_base_port() -> int:
    """Four free ports in a row, chosen as ``--base-port 0`` chooses them (below the ephemeral
    range, where outgoing connections on a busy host do not take them meanwhile)."""
    return demo_free_base_port(4)


def test_free_ports_are_chosen_below_the_ephemeral_range() -> None:
    low = ephemeral_low()
    for _ in range(20):
        base = demo_free_base_port(4)
        assert base + 3 < low or low - 4 <= LOWEST_PORT


@pytest.fixture
def samples(tmp_path: Path, make_payload: Callable[..., dict[str, Any]]) -> Path:
    """Two initiatives and a method per country, as JSON Lines import rows."""
    folder = tmp_path / "samples"
    folder.mkdir()
    for code, country in CODES.items():
        rows = [make_payload(type="Initiative", identifier=f"{code}-i{n}", countries=[country],
                             name={"en": f"Initiative {n} of {code.upper()}"}) for n in (1, 2)]
        rows.append(make_payload("Method", type="Method", identifier=f"{code}-m1",
                                 name={"en": f"Method of {code.upper()}"}))
        (folder / f"{code}.jsonl").write_text(
            "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return folder


def _environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}


def run_demo(*args: str | Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``ncc demo ARGS`` to completion (bounded), with extra environment ``env``."""
    return subprocess.run([sys.executable, "-m", "ncc_cli", "demo", *map(str, args)],
                          capture_output=True, text=True, timeout=DEADLINE_S + 60,
                          env={**_environment(), **env})


def test_check_syncs_four_nodes_until_their_digests_agree(tmp_path: Path, samples: Path) -> None:
    state = tmp_path / "state"
    base = free_base_port()
    args = ("--check", "--state", state, "--samples", samples, "--base-port", base,
            "--timeout", DEADLINE_S)
    first = run_demo(*args)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "first run, creating the signing key" in first.stdout
    for label in ("DE", "EE", "NL", "LU"):
        assert f"{label}: created the editor account 'editor' for the web pages" in first.stdout
    assert "All 4 digests agree" in first.stdout
    digests = DIGEST_LINE.findall(first.stdout)
    assert [d[0] for d in digests] == ["DE", "EE", "NL", "LU"]
    assert len({d[1] for d in digests}) == 1
    assert {d[2] for d in digests} == {"16"}  # 4 descriptors + 4 x 3 records, on every node
    store = SqliteStore(state / "nl" / "node.db")
    try:
        assert digest(store) == digests[0][1]
    finally:
        store.close()

    again = run_demo(*args)  # keys kept, samples unchanged, nothing new to sync
    assert again.returncode == 0, again.stdout + again.stderr
    assert "first run" not in again.stdout and "created the" not in again.stdout
    assert "3 row(s): 0 created, 0 updated, 3 unchanged" in again.stdout
    assert DIGEST_LINE.findall(again.stdout) == digests


def test_busy_ports_are_reported_clearly(tmp_path: Path, samples: Path) -> None:
    base = free_base_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 2))
        squatter.listen()
        result = run_demo("--check", "--state", tmp_path / "state", "--samples", samples,
                          "--base-port", base)
    assert result.returncode == 1
    assert f"Error: port(s) {base + 2} (NL) on 127.0.0.1 are in use" in result.stderr
    assert "--base-port" in result.stderr
    assert not (tmp_path / "state").exists()  # nothing was started or written


def test_the_ports_come_from_the_environment(tmp_path: Path, samples: Path) -> None:
    base = free_base_port()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", base + 1))
        squatter.listen()
        result = run_demo("--check", "--state", tmp_path / "state", "--samples", samples,
                          NCC_DEMO_BASE_PORT=str(base))
    assert result.returncode == 1
    assert f"Error: port(s) {base + 1} (EE) on 127.0.0.1 are in use" in result.stderr


def test_base_port_zero_runs_the_demo_on_free_ports(tmp_path: Path, samples: Path) -> None:
    result = run_demo("--check", "--state", tmp_path / "state", "--samples", samples,
                      "--timeout", DEADLINE_S, NCC_DEMO_BASE_PORT="0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All 4 digests agree" in result.stdout
    ports = sorted({int(p) for p in re.findall(r"http://127\.0\.0\.1:(\d+)", result.stdout)})
    assert len(ports) == 4 and ports == list(range(ports[0], ports[0] + 4)), ports
    assert ports[0] != 8471


def _lines(stream: Any, into: list[str]) -> None:
    for line in stream:
        into.append(line)


@pytest.fixture
def demo_process(tmp_path: Path, samples: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """``ncc demo`` serving (no --check); killed at teardown if a test left it running."""
    base = free_base_port()
    process = processes.start(
        [sys.executable, "-m", "ncc_cli", "demo", "--state", str(tmp_path / "state"),
         "--samples", str(samples), "--base-port", str(base), "--timeout", str(DEADLINE_S)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=_environment())
    yield process, base
    # A test failed midway: let the demo stop its nodes (SIGTERM), or kill its group. The node
    # servers have sessions of their own: the demo stops them on SIGTERM, as tested here.
    processes.end(process, grace_s=30)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_the_demo_serves_until_a_signal_and_then_stops_every_node(
        demo_process: tuple[subprocess.Popen[str], int], stop_signal: int) -> None:
    process, base = demo_process
    output: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=_lines, args=(process.stdout, output), daemon=True)
    reader.start()
    deadline = time.monotonic() + DEADLINE_S
    while not any("Ctrl-C stops the demo" in line for line in output):
        assert process.poll() is None, "".join(output)
        assert time.monotonic() < deadline, "".join(output)
        time.sleep(0.1)
    text = "".join(output)
    assert f"http://127.0.0.1:{base + 3}/initiatives" in text
    page = requests.get(f"http://127.0.0.1:{base + 3}/initiatives", timeout=10).json()
    assert page["total"] == 8  # Luxembourg's two and the other three nodes' six
    how = re.search(rf"sign in at http://127.0.0.1:{base}/web/sign-in as 'editor' \(editor\) "
                    r"or 'admin' \(admin\), password (\S+) ", text)
    assert how, text
    account = signed_in(f"http://127.0.0.1:{base}", "editor", how.group(1)).get(
        f"http://127.0.0.1:{base}/web/account", timeout=10)
    assert account.status_code == 200 and "Demo editor (DE)" in account.text
    process.send_signal(stop_signal)  # SIGINT is what Ctrl-C sends
    assert process.wait(timeout=60) == 0, "".join(output)
    reader.join(timeout=10)
    assert "".join(output).rstrip().endswith("Stopped.")
    for offset in range(4):  # every node's server is gone: its port can be bound again
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # TIME_WAIT is fine
            sock.bind(("127.0.0.1", base + offset))
