"""Push with two ``ncc serve`` processes on one PostgreSQL database (issue 20).

Both processes serve the same node (one key, one base URL, one database), each with its sync
daemon beside it; one daemon leads. A fake subscriber stands in for a peer node: it echoes the
publisher's verification of intent and counts the notifications it gets. Checked: a subscription
taken by either process is notified, once per head, by the leader; a hint taken by the process
that does not lead is pulled by the leader's daemon; after the leader dies the other process
notifies the same subscriber.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from ncc_node import encode_cursor, topic_for
from ncc_node.identity.tokens import create_token
from ncc_node.records.publish import payload_of
from ncc_node.store import Store, open_store
from vocab import example

from .. import processes
from ..databases import postgres_only, test_database
from ..nodes import init_node, node_config
from .conftest import FakePeer, fake_with_records

DEADLINE_S = 30.0


@dataclass
class Serving:
    """One ``ncc serve`` process of the node and the lines it printed."""

    process: subprocess.Popen[str]
    url: str
    lines: list[str]


class Subscriber:
    """What the fake subscriber was sent: notifications (topic, head) and verifications."""

    def __init__(self) -> None:
        self.notified: list[tuple[str, str | None]] = []
        self.verified: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response | None:
        if request.path != "/push":
            return None  # the descriptor and the feed: the fake's defaults
        if request.method == "GET":  # WebSub verification of intent: yes, it asked
            with self.lock:
                self.verified.append(request.args["hub.topic"])
            return Response(request.args["hub.challenge"], content_type="text/plain")
        body = json.loads(request.get_data())
        with self.lock:
            self.notified.append((body["topic"], body.get("head")))
        return Response(b'{"queued":true}', status=202, content_type="application/json")

    def told(self, topic: str, head: str) -> int:
        """How many notifications of ``head`` on ``topic`` came."""
        with self.lock:
            return sum(1 for t, h in self.notified if t == topic and h == head)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(folder: Path, settings: dict[str, Any], peer: str, port: int) -> Path:
    lines = ["[node]"]
    lines += [f"{key.partition('.')[2]} = {json.dumps(value)}"
              for key, value in settings.items() if key.startswith("node.")]
    lines += ["[server]", f"port = {port}", 'engine = "waitress"', "threads = 2",
              "[sync]", "in_serve = true", "interval_s = 3600", "jitter_s = 0",
              "check_workers = 1", "[[peers]]", f"base_url = {json.dumps(peer)}",
              'scope = "own"']
    path = folder / "ncc.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _pump(stream: Any, lines: list[str], urls: queue.Queue[str]) -> None:
    for line in stream:
        lines.append(line)
        found = re.search(r"at (http://127\.0\.0\.1:\d+)", line)
        if found:
            urls.put(found.group(1))


@pytest.fixture
def serving() -> Iterator[Callable[[Path], Serving]]:
    """Start ``ncc serve --config …`` processes; all ended at teardown."""
    started: list[subprocess.Popen[str]] = []
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("NCC_")},
           "PYTHONUNBUFFERED": "1"}  # the daemons' lines as they come

    def start(config: Path) -> Serving:
        process = processes.start([sys.executable, "-m", "ncc_cli", "serve", "--config",
                                   str(config)], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, env=env)
        started.append(process)
        lines: list[str] = []
        urls: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines, urls), daemon=True).start()
        try:
            url = urls.get(timeout=DEADLINE_S)
        except queue.Empty:
            pytest.fail("ncc serve printed no URL:\n" + "".join(lines))
        return Serving(process, url, lines)

    yield start
    for process in started:
        processes.end(process)


def _until(what: str, check: Callable[[], object], timeout: float = DEADLINE_S,
           *outputs: Serving) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}; printed: "
                        + "\n---\n".join("".join(o.lines) for o in outputs))
        time.sleep(0.05)


def _publish(url: str, token: str, identifier: str, store: Store) -> str:
    """Create an initiative through one process; return the head of its own feed after it."""
    payload = payload_of(example("initiative.jsonld"))
    payload.pop("usesMethods"), payload.pop("adapts")
    payload["identifier"] = identifier
    response = requests.post(f"{url}/initiatives", json=payload, timeout=10,
                             headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    return encode_cursor(store.last_seq(origin=response.json()["origin"]))


@postgres_only
def test_two_processes_on_one_database_push_once_through_the_leader(
        tmp_path: Path, fake_peer: Callable[..., FakePeer],
        serving: Callable[[Path], Serving]) -> None:
    subscriber = Subscriber()
    fake = fake_with_records(fake_peer, 1, subscriber)  # type: ignore[arg-type]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    database = str(test_database(tmp_path / "shared"))
    settings = node_config(tmp_path / "one", base, "DE", **{"node.database": database})
    init_node(settings)
    shutil.copytree(tmp_path / "one", tmp_path / "two")  # the same key on the second host
    first = _config(tmp_path / "one", settings, fake.url, port)
    second = _config(tmp_path / "two", {**settings, "node.data_dir": str(tmp_path / "two")},
                     fake.url, 0)
    store = open_store(database)
    try:
        _, token = create_token(store, "ops", ["write"])

        one = serving(first)  # its daemon starts first and leads
        _until("the first process's first round", lambda: store.get(
            f"{fake.url}/initiatives/00000000-0000-4000-8000-000000000000"))
        two = serving(second)
        _until("the second process's daemon", lambda: any("push on" in line
                                                          for line in two.lines))

        # the subscriber subscribes through each process (a load balancer sends it either)
        own = topic_for(base, "own")
        form = {"hub.mode": "subscribe", "hub.callback": f"{fake.url}/push", "hub.topic": own,
                "hub.lease_seconds": "600"}
        for process in (two, one):
            answer = requests.post(f"{process.url}/push/subscriptions", data=form, timeout=10)
            assert answer.status_code == 202, (answer.text, process.lines)
        _until("the subscription in the store", lambda: store.push_subscribers())
        _until("both verifications", lambda: subscriber.verified.count(own) >= 2)

        # a write through the process that does not lead: the leader notifies, once
        head = _publish(two.url, token, "written-on-two", store)
        _until("the notification", lambda: subscriber.told(own, head) >= 1)
        time.sleep(3)  # what a second notifier would have sent by now (it ticks every second)
        assert subscriber.told(own, head) == 1, subscriber.notified
        assert [s.told for s in store.push_subscribers()] == [head]

        # a hint taken by the process that does not lead: the leader's daemon pulls
        record = example("initiative.jsonld")
        for minted in ("proof", "usesMethods", "adapts"):
            record.pop(minted, None)
        hinted = f"{fake.url}/initiatives/00000000-0000-4000-8000-000000000099"
        record.update(id=hinted, origin=fake.node_iri, version=1)
        fake.items.append(fake.sign(record)[1])
        answer = requests.post(f"{two.url}/push", timeout=10, json={
            "topic": topic_for(fake.url, "own"), "head": str(len(fake.items))})
        assert answer.status_code == 202, answer.text
        _until("the hinted record", lambda: store.get(hinted) is not None)
        _until("the leader's report of the pull",
               lambda: any(" notified: " in line for line in one.lines), 5, one, two)
        assert not any(" notified: " in line for line in two.lines), two.lines

        # the leader dies: the other process leads and notifies the same subscriber
        processes.end(one.process, grace_s=0.0, signum=signal.SIGKILL)
        head = _publish(two.url, token, "after-the-leader-died", store)
        _until("a notification from the new leader", lambda: subscriber.told(own, head) >= 1)
    finally:
        store.close()
