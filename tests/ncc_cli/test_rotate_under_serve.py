"""``ncc keys rotate`` under a running ``ncc serve`` (a real process): the new key is used at once.

The server is started before the rotation and never restarted; every record it publishes after
the rotation must be signed with the new key, so that a peer accepts all of them.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ncc_node.records.publish import payload_of
from tests import processes
from vocab import example

from ..nodes import LiveNode
from ..sync.conftest import worker_for
from .conftest import Invoke, init_node
from .test_serve import DEADLINE_S, request, wait_until_up


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Callable[[Path, int, str], str]]:
    """Start ``python -m ncc_cli serve`` on a port; return its URL once it answers."""
    started: list[subprocess.Popen[str]] = []

    def start(config: Path, port: int, engine: str) -> str:
        log = tmp_path / f"serve-{engine}.log"
        with log.open("w") as output:
            # in its own process group, so that ending it ends granian's workers too
            process = processes.start(
                [sys.executable, "-m", "ncc_cli", "serve", "--config", str(config),
                 "--port", str(port)], stdout=output, stderr=subprocess.STDOUT, text=True,
                env={**os.environ, "NCC_SERVER_ENGINE": engine})
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(url)
        except OSError:
            pytest.fail(f"ncc serve did not answer: {log.read_text()}")
        return url

    yield start
    for process in started:
        processes.end(process, grace_s=DEADLINE_S)


def _payload(number: int) -> dict[str, Any]:
    payload = payload_of(example("initiative.jsonld"))
    payload.pop("usesMethods"), payload.pop("adapts")
    payload["identifier"] = f"after-{number}"
    return payload


@pytest.mark.parametrize("engine", ["granian", "waitress"])
def test_a_peer_accepts_everything_published_after_a_rotation_under_serve(
    engine: str, ncc: Invoke, tmp_path: Path, served: Callable[[Path, int, str], str],
    live_node: Callable[..., LiveNode],
) -> None:
    port = _free_port()
    config = init_node(ncc, tmp_path / "de", base_url=f"http://127.0.0.1:{port}")
    secret = ncc("token", "create", "ops", "--config", config).stdout.strip()
    url = served(config, port, engine)  # granian: two worker processes, each must switch
    status, before = request(f"{url}/initiatives", _payload(0), secret)
    assert status == 201, before
    assert before["proof"]["verificationMethod"].endswith("#key-1")

    rotated = ncc("keys", "rotate", "--config", config)  # another process, server not restarted
    assert rotated.exit_code == 0, rotated.output

    published = []
    for number in range(1, 9):  # enough requests to reach every worker
        status, record = request(f"{url}/initiatives", _payload(number), secret)
        assert status == 201, record
        published.append(record)
    status, descriptor = request(f"{url}/node")
    assert descriptor["version"] == 2
    assert {r["proof"]["verificationMethod"] for r in published} == {
        f"http://127.0.0.1:{port}/node#key-2"}

    peer = live_node("EE")
    [result] = worker_for(peer, {"base_url": url, "scope": "own", "keys": []}).run_once()

    assert result.error is None, result.error
    store = peer.context.store
    assert [(q.record_id, q.reason) for q in store.quarantined()] == []
    for record in [before, *published]:
        held = store.get(record["id"])
        assert held is not None and json.loads(held.body) == record
