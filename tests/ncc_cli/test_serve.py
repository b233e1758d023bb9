"""``ncc serve`` as a real process: waitress on a free port, real HTTP, Ctrl-C and SIGTERM."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest

from ncc_node.records.publish import payload_of
from tests import processes
from vocab import example

from .conftest import Invoke

DEADLINE_S = 30.0


@dataclass
class Served:
    """A running ``ncc serve`` process and the URL it printed."""

    process: subprocess.Popen[str]
    url: str
    lines: queue.Queue[str]
    log: Path

    def rest_of_stdout(self) -> str:
        """Everything printed after the first line (call after the process ended)."""
        out = []
        while not self.lines.empty():
            out.append(self.lines.get_nowait())
        return "".join(out)


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@pytest.fixture(params=["granian", "waitress"])
def serve(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """Start ``python -m ncc_cli serve --port 0`` with each engine; wait for its URL."""
    started: list[subprocess.Popen[str]] = []
    env = {**os.environ, "NCC_SERVER_ENGINE": request.param}

    def start(config: Path, *, sigint_ignored: bool = False) -> Served:
        """``sigint_ignored``: start it as a shell starts a background job, SIGINT ignored
        (inherited across fork and exec)."""
        log = tmp_path / f"serve-{len(started)}.log"
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN) if sigint_ignored else None
        try:
            with log.open("w") as stderr:  # a file, so a chatty server never blocks on a pipe
                process = processes.start(
                    [sys.executable, "-m", "ncc_cli", "serve", "--config", str(config),
                     "--port", "0", "--threads", "2"],
                    stdout=subprocess.PIPE, stderr=stderr, text=True, env=env)
        finally:
            if previous is not None:
                signal.signal(signal.SIGINT, previous)
        started.append(process)
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=DEADLINE_S)
        except queue.Empty:
            processes.end(process, grace_s=0.0, signum=signal.SIGKILL)
            pytest.fail(f"ncc serve printed nothing; stderr: {log.read_text()}")
        found = re.search(r"at (http://127\.0\.0\.1:(\d+))", first)
        assert found and found.group(2) != "0", first
        return Served(process, found.group(1), lines, log)

    yield start
    for process in started:
        processes.end(process)  # the group too: granian's workers; SIGKILL after a grace


def request(url: str, data: dict[str, Any] | None = None,
            token: str | None = None) -> tuple[int, dict[str, Any]]:
    """GET (or POST JSON) and return the status and JSON body, errors included."""
    headers = {"Accept": "application/ld+json, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(url, data=body, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, json.loads(exc.read())


def wait_until_up(url: str) -> dict[str, Any]:
    """Poll the descriptor until the server answers, with a deadline."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        try:
            status, body = request(f"{url}/node")
            if status == 200:
                return body
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.05)


def test_serve_answers_http_and_stops_on_ctrl_c(ncc: Invoke, node_config: Path,
                                                serve: Any) -> None:
    secret = ncc("token", "create", "ops", "--config", node_config).stdout.strip()
    served = serve(node_config)
    descriptor = wait_until_up(served.url)
    assert descriptor["id"] == "http://127.0.0.1:8471/node"  # the configured base URL
    payload = payload_of(example("initiative.jsonld"))
    payload.pop("usesMethods"), payload.pop("adapts")
    status, created = request(f"{served.url}/initiatives", payload, secret)
    assert status == 201, created
    assert created["origin"] == "http://127.0.0.1:8471/node"
    assert ncc("token", "revoke", "ops", "--config", node_config).exit_code == 0
    payload["identifier"] = "another"
    status, refused = request(f"{served.url}/initiatives", payload, secret)
    assert status == 401, refused
    served.process.send_signal(signal.SIGINT)  # Ctrl-C
    assert processes.wait_or_kill(served.process, DEADLINE_S) == 0
    assert "Stopped." in served.rest_of_stdout()
    with pytest.raises(OSError):
        request(f"{served.url}/node")


def test_serve_stops_on_ctrl_c_when_started_in_the_background(node_config: Path,
                                                             serve: Any) -> None:
    """``ncc serve &`` from a script: the shell ignores SIGINT in the job, which must not make
    the announced Ctrl-C (or ``kill -INT``) a no-op."""
    served = serve(node_config, sigint_ignored=True)
    wait_until_up(served.url)
    served.process.send_signal(signal.SIGINT)
    assert processes.wait_or_kill(served.process, DEADLINE_S) == 0
    assert "Stopped." in served.rest_of_stdout()


def test_serve_stops_cleanly_on_sigterm(node_config: Path, serve: Any) -> None:
    served = serve(node_config)
    wait_until_up(served.url)
    served.process.terminate()
    assert processes.wait_or_kill(served.process, DEADLINE_S) == 0
    assert "Stopped." in served.rest_of_stdout()
    assert "Traceback" not in served.log.read_text()


def test_serve_reports_a_busy_port(ncc: Invoke, node_config: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = ncc("serve", "--config", node_config, "--port", str(port))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot listen on 127.0.0.1:{port}")


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as listing:
        return [int(child) for child in listing.read().split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux's /proc")
def test_serve_stops_on_sigterm_while_its_workers_start(node_config: Path, serve: Any,
                                                        request: pytest.FixtureRequest) -> None:
    """A SIGTERM that reaches granian's workers before they have built the app ends them.

    They inherit the main process's handler across fork; it used to swallow the signal, and
    the main process then waited for them without end.
    """
    if request.node.callspec.params["serve"] != "granian":
        pytest.skip("granian's worker processes only")
    served = serve(node_config)
    deadline = time.monotonic() + DEADLINE_S
    while not _children(served.process.pid):
        assert time.monotonic() < deadline, "granian started no worker"
        time.sleep(0.005)
    served.process.terminate()
    assert processes.wait_or_kill(served.process, DEADLINE_S) == 0
    assert "Stopped." in served.rest_of_stdout()
    assert "Killing worker" not in served.log.read_text()  # stopped, not killed at the grace


def _post_chunked(url: str, path: str, size: int, token: str) -> tuple[int, dict[str, Any]]:
    """POST ``size`` bytes with chunked transfer coding (no Content-Length); the JSON answer."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=DEADLINE_S)
    chunk = b"[" * 64 * 1024

    def body() -> Iterator[bytes]:
        for _ in range(size // len(chunk)):
            yield chunk

    try:
        try:
            conn.request("POST", path, body=body(), encode_chunked=True,
                         headers={"Content-Type": "application/json",
                                  "Authorization": f"Bearer {token}"})
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered at the limit and stopped reading: its answer is there
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def test_serve_answers_an_oversize_chunked_body_413(ncc: Invoke, node_config: Path,
                                                    serve: Any) -> None:
    """3 MiB, chunked, against the default 2 MiB limit: 413 in the one error shape."""
    secret = ncc("token", "create", "ops", "--config", node_config).stdout.strip()
    served = serve(node_config)
    wait_until_up(served.url)
    status, body = _post_chunked(served.url, "/initiatives", 3 * 1024 * 1024, secret)
    assert status == 413, body
    assert body["error"]["code"] == "too_large" and body["error"]["message"]
    assert set(body) == {"error"}
    descriptor = wait_until_up(served.url)  # the server goes on
    assert descriptor["id"].endswith("/node")
