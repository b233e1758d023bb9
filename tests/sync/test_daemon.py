"""The daemon loop, progress reports, stopping between pages, and retry backoff."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from sync import PeerHttpError, PeerResult, PeerUnreachable, SyncOptions, run_daemon
from sync.client import PeerClient

from ..nodes import LiveNode
from .conftest import FakePeer, fake_with_records, holdings, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def test_daemon_runs_rounds_until_stopped(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 2)
    worker = worker_for(ee, peer(de))
    stop = threading.Event()
    rounds: list[list[PeerResult]] = []

    def on_round(results: list[PeerResult]) -> None:
        rounds.append(results)
        if len(rounds) == 1:
            publish(de, make_payload, 1)  # picked up by the next round
        if len(rounds) == 3:
            stop.set()

    thread = threading.Thread(target=run_daemon, args=(worker,), daemon=True,
                              kwargs={"interval_s": 0.01, "jitter_s": 0.01, "stop": stop,
                                      "on_round": on_round})
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert [r[0].accepted for r in rounds] == [3, 1, 0]
    assert len(holdings(ee)) == 5


def test_daemon_stops_during_a_long_wait_and_survives_a_bad_round(live_node: Start) -> None:
    node = live_node("EE")
    # a node configured to peer with itself: every round fails at start-up of the round
    worker = worker_for(node, peer(node))
    stop = threading.Event()
    rounds: list[list[PeerResult]] = []
    thread = threading.Thread(target=run_daemon, args=(worker,), daemon=True,
                              kwargs={"interval_s": 3600, "jitter_s": 0, "stop": stop,
                                      "on_round": rounds.append})
    thread.start()
    deadline = time.monotonic() + 10
    while not rounds and time.monotonic() < deadline:
        time.sleep(0.01)
    started = time.monotonic()
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive() and time.monotonic() - started < 1
    assert rounds == [[]]


def test_progress_and_stop_between_pages(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_with_records(fake_peer, 6)
    stop = threading.Event()
    seen: list[tuple[str, int]] = []

    def progress(base_url: str, done: int) -> None:
        seen.append((base_url, done))
        if done >= 4:
            stop.set()

    worker = worker_for(consumer, peer(fake), page_size=2)
    result = worker.run_once(progress=progress, stop=stop)[0]
    assert seen == [(fake.url, 2), (fake.url, 4)]
    assert result.error is None and not result.up_to_date and result.cursor == "4"
    assert worker.run_once(progress=progress)[0].up_to_date


def test_backoff_is_exponential_with_jitter(fake_peer: Fake) -> None:
    calls: list[str] = []

    def refuse(request: Request) -> Response:
        calls.append(request.path)
        return Response(b"{}", status=503)

    fake = fake_peer(refuse)
    waits: list[float] = []
    options = SyncOptions(retries=3, backoff_s=0.5)
    with requests.Session() as session:
        client = PeerClient(fake.url, session=session, options=options, user_agent="t",
                            sleep=waits.append, jitter=lambda: 0.25)
        with pytest.raises(PeerHttpError, match="HTTP 503") as info:
            client.get_feed(None, 10, "own")
    assert info.value.status == 503 and info.value.retryable
    assert waits == [0.375, 0.75, 1.5]  # 0.5 s · 2^n · (0.5 + jitter)
    assert len(calls) == 4


def test_connection_errors_are_retried(fake_peer: Fake) -> None:
    fake = fake_peer()
    url = fake.url
    fake.server.shutdown()
    fake.server.server_close()
    waits: list[float] = []
    with requests.Session() as session:
        client = PeerClient(url, session=session, options=SyncOptions(retries=2, backoff_s=0.1),
                            user_agent="t", sleep=waits.append, jitter=lambda: 0.5)
        with pytest.raises(PeerUnreachable) as info:
            client.get_descriptor()
    assert info.value.peer == url and info.value.code == "peer_unreachable"
    assert waits == [0.1, 0.2] and client.requests == 3
