"""Misbehaving peers at the HTTP level: down, 5xx, truncated, oversized, stalled, redirecting.

Each failure ends that peer's round with a typed reason in its status; nothing from a broken
response is taken, the stored cursor stays where the last good page left it, the other peers
sync as usual, and the next round with a healthy peer converges.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from ..nodes import LiveNode
from .conftest import FakePeer, fake_with_records, holdings, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


@pytest.fixture
def release() -> Iterator[threading.Event]:
    """Set at teardown, so stalled fake handlers end with the test."""
    event = threading.Event()
    yield event
    event.set()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def state_of(node: LiveNode, url: str) -> Any:
    return next(s for s in node.context.store.peers() if s.base_url == url)


def test_peer_down_does_not_stop_the_others(live_node: Start, make_payload: Payload) -> None:
    good, consumer = live_node("DE"), live_node("EE")
    publish(good, make_payload, 2)
    down = f"http://127.0.0.1:{free_port()}"
    worker = worker_for(consumer, {"base_url": down}, peer(good), retries=2)
    failed, synced = worker.run_once()
    assert failed.error is not None and failed.error.startswith("peer_unreachable: ")
    assert failed.requests == 3  # one attempt and two retries
    assert synced.error is None and synced.accepted == 3
    state = state_of(consumer, down)
    assert state.last_error == failed.error and state.last_error_at and state.cursor is None


def test_5xx_are_retried_then_reported(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    failures = {"left": 2}

    def flaky(request: Request) -> Response | None:
        if request.path == "/feed" and failures["left"]:
            failures["left"] -= 1
            return Response(b'{"error":{"code":"internal","message":"boom"}}', status=503)
        return None

    fake = fake_with_records(fake_peer, 3, flaky)
    result = worker_for(consumer, peer(fake), retries=2).run_once()[0]
    assert result.error is None and result.accepted == 4 and result.requests == 1 + 3
    fake.handler = lambda request: Response(b"{}", status=500) if request.path == "/feed" else None
    fake.items.append(fake.items[-1])  # whatever comes next is never read
    before = state_of(consumer, fake.url).cursor
    result = worker_for(consumer, peer(fake), retries=1).run_once()[0]
    assert result.error is not None and result.error.startswith("peer_http_status: ")
    assert "HTTP 500" in result.error and result.requests == 2
    assert state_of(consumer, fake.url).cursor == before


def test_4xx_is_not_retried_and_names_the_peers_error(live_node: Start,
                                                      fake_peer: Fake) -> None:
    consumer = live_node("EE")
    body = b'{"error":{"status":400,"code":"bad_request","message":"after: not a cursor"}}'
    fake = fake_peer(lambda r: Response(body, status=400) if r.path == "/feed" else None)
    result = worker_for(consumer, peer(fake), retries=3).run_once()[0]
    assert result.error == (f"peer_http_status: {fake.url}: HTTP 400: bad_request: "
                            "after: not a cursor")
    assert result.requests == 2  # descriptor, one feed request


def test_truncated_json_takes_nothing_then_recovers(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    broken = {"on": True}

    def truncate(request: Request) -> Response | None:
        if request.path == "/feed" and broken["on"]:
            full = fake.feed_response(request).get_data()
            return Response(full[: len(full) // 2], content_type="application/json")
        return None

    fake = fake_with_records(fake_peer, 4, truncate)
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is not None and result.error.startswith("bad_response: ")
    assert result.accepted == 1  # the peer's descriptor only, from GET /node
    assert len(holdings(consumer)) == 2
    broken["on"] = False
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is None and result.accepted == 4


def test_oversized_pages_are_cut_off_and_asked_for_smaller(live_node: Start,
                                                           fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_with_records(fake_peer, 6)
    limit = 3 * max(len(item) for item in fake.items)
    result = worker_for(consumer, peer(fake), max_response_bytes=limit, page_size=8).run_once()[0]
    assert result.error is None and result.accepted == 7
    assert [r.args["limit"] for r in fake.requests if r.path == "/feed"][:3] == ["8", "4", "2"]


def test_endless_body_is_cut_off_while_streaming(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    sent = {"bytes": 0}

    def endless(request: Request) -> Response | None:
        if request.path != "/feed":
            return None

        def chunks() -> Iterator[bytes]:
            yield b'{"items":["'
            for _ in range(2000):  # up to 128 MiB, far past the cap; no Content-Length
                sent["bytes"] += 65536
                yield b"x" * 65536

        return Response(chunks(), content_type="application/json")

    fake = fake_peer(endless)
    result = worker_for(consumer, peer(fake), max_response_bytes=1 << 20,
                        page_size=2).run_once()[0]
    assert result.error is not None and result.error.startswith("response_too_large: ")
    assert [r.args["limit"] for r in fake.requests if r.path == "/feed"] == ["2", "1"]
    assert sent["bytes"] < 2000 * 65536


def test_stalled_peer_times_out(live_node: Start, fake_peer: Fake,
                                release: threading.Event) -> None:
    consumer = live_node("EE")

    def stall_headers(request: Request) -> Response | None:
        if request.path == "/feed":
            release.wait(5)
        return None

    fake = fake_peer(stall_headers)
    started = time.monotonic()
    result = worker_for(consumer, peer(fake), read_timeout_s=0.3, retries=3).run_once()[0]
    assert result.error is not None and result.error.startswith("peer_timeout: ")
    assert time.monotonic() - started < 3  # a stall is not retried

    def stall_body(request: Request) -> Response | None:
        if request.path != "/feed":
            return None

        def chunks() -> Iterator[bytes]:
            yield b'{"items":['
            release.wait(5)
            yield b'],"cursor":"0","more":false}'

        return Response(chunks(), content_type="application/json")

    fake.handler = stall_body
    result = worker_for(consumer, peer(fake), read_timeout_s=0.3).run_once()[0]
    assert result.error is not None and result.error.startswith("peer_timeout: ")


def test_redirects_stay_on_the_peer(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    elsewhere = fake_peer()

    def moved(request: Request) -> Response | None:
        if request.path == "/feed":
            query = request.query_string.decode()
            return Response(status=307, headers={"Location": f"/v2/feed?{query}"})
        if request.path == "/v2/feed":
            return fake.feed_response(request)
        return None

    fake = fake_with_records(fake_peer, 2, moved)
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is None and result.accepted == 3
    assert result.requests == 3  # descriptor, feed → /v2/feed

    off_host = elsewhere.url.replace("127.0.0.1", "localhost") + "/feed"
    fake.handler = lambda r: (Response(status=302, headers={"Location": off_host})
                              if r.path == "/feed" else None)
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is not None and result.error.startswith("redirect_refused: ")
    assert elsewhere.requests == []


def test_a_feed_that_does_not_advance_is_refused(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_peer(lambda r: Response(b'{"items":[],"cursor":"c","more":true}')
                     if r.path == "/feed" else None)
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is not None and result.error.startswith("bad_response: ")


def test_user_agent_names_the_node(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_peer()
    worker_for(consumer, peer(fake)).run_once()
    agents = {r.headers.get("User-Agent") for r in fake.requests}
    [agent] = agents
    assert agent.startswith("ncc-exchange/")
    assert agent.endswith(f"(+{consumer.context.identity.node_iri})")


def test_changing_scope_reads_the_feed_again(live_node: Start, make_payload: Payload) -> None:
    a, b, c = live_node("DE"), live_node("EE"), live_node("NL")
    publish(a, make_payload, 2)
    worker_for(b, peer(a)).run_once()
    assert worker_for(c, peer(b)).run_once()[0].accepted == 1
    result = worker_for(c, peer(b, "all")).run_once()[0]
    # A's descriptor is taken from A itself (the relayed copy confirmed there is a duplicate)
    assert result.accepted == 3 and result.duplicates == 2
