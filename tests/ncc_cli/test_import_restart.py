"""An import in the browser cut off by a restart of ``ncc serve``: the server process is killed
while the dry run reads the file, a new one starts over the same data directory and database,
and the import's page says the run was interrupted and lets the editor start it again."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from tests import processes
from tests.web_session import csrf_token, signed_in

from .conftest import Invoke

DEADLINE_S = 60.0
PASSWORD = "a long test password"  # noqa: S105  (a test account)
ROWS = 20000


def _pump(stream: IO[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    """Start ``ncc serve --port 0`` (waitress, one process) and return it with its URL."""
    started: list[subprocess.Popen[str]] = []

    def start(config: Path) -> tuple[subprocess.Popen[str], str]:
        log = tmp_path / f"serve-{len(started)}.log"
        with log.open("w") as stderr:
            process = processes.start(
                [sys.executable, "-m", "ncc_cli", "serve", "--config", str(config),
                 "--port", "0", "--threads", "4"], stdout=subprocess.PIPE, stderr=stderr,
                text=True, env={**os.environ, "NCC_SERVER_ENGINE": "waitress"})
        started.append(process)
        lines: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        first = lines.get(timeout=DEADLINE_S)
        found = re.search(r"at (http://127\.0\.0\.1:\d+)", first)
        assert found, f"{first} / {log.read_text()}"
        return process, found.group(1)

    yield start
    for process in started:
        processes.end(process)


def _job_file(config: Path) -> Path:
    deadline = time.monotonic() + DEADLINE_S
    uploads = config.parent / "uploads"
    while time.monotonic() < deadline:
        found = sorted(uploads.glob("*.json")) if uploads.exists() else []
        if found:
            return found[0]
        time.sleep(0.05)
    raise AssertionError(f"no import state in {uploads}")


def _state(path: Path) -> dict[str, Any]:
    deadline = time.monotonic() + DEADLINE_S
    while True:  # the server replaces the file atomically; it may not exist for a moment
        try:
            state: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            return state
        except (OSError, ValueError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def test_an_import_cut_off_by_a_restart_is_marked_interrupted(
        ncc: Invoke, node_config: Path, serve: Any, tmp_path: Path) -> None:
    added = ncc("user", "add", "ed", "--role", "editor", "--password-stdin",
                "--config", node_config, input=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    big = tmp_path / "many.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("kind,identifier,name_en,description_en,countries,themes,startDate\n")
        for n in range(ROWS):
            handle.write(f"Initiative,row-{n},Initiative {n},Does good thing {n},DE,"
                         "education,2020-01-01\n")
    process, url = serve(node_config)
    session = signed_in(url, "ed", PASSWORD)
    form = session.get(f"{url}/web/import", timeout=30)
    with big.open("rb") as upload:
        started = session.post(f"{url}/web/import", timeout=60, allow_redirects=False,
                               data={"csrf_token": csrf_token(form.text)},
                               files={"file": ("many.csv", upload, "text/csv")})
    assert started.status_code == 303, started.text
    page = started.headers["Location"]
    job = _job_file(node_config)
    deadline = time.monotonic() + DEADLINE_S
    while not (_state(job)["running"] and _state(job)["rows_read"] > 0):
        assert time.monotonic() < deadline, _state(job)
        time.sleep(0.02)
    # the server dies mid-run (no chance to finish or to write anything more)
    processes.end(process, grace_s=0.0, signum=signal.SIGKILL)
    assert _state(job)["running"] and _state(job)["dry"] is None

    _, url = serve(node_config)
    listed = session.get(f"{url}/web/import", timeout=30).text  # the editor's recent imports
    assert f'href="{page}"' in listed and "interrupted by a restart of the server" in listed
    shown = session.get(url + page, timeout=30)
    assert shown.status_code == 200
    assert 'id="interrupted"' in shown.text and "Refresh" not in shown.headers
    assert "The server restarted while the dry run was running" in shown.text
    assert not _state(job)["running"] and _state(job)["interrupted"]
    # started again on the file kept from the upload: running in the new server
    again = session.post(f"{url}{page}/again", timeout=30, allow_redirects=False,
                         data={"csrf_token": csrf_token(shown.text)})
    assert again.status_code == 303
    state = _state(job)
    assert not state["interrupted"] and (state["running"] or state["dry"] is not None)
    assert 'id="interrupted"' not in session.get(url + page, timeout=30).text
