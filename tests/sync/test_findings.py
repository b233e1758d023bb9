"""Five ways hostile peers and a faulty network hurt sync, each against peers on 127.0.0.1.

1. one flipped byte in transit must not lose a record for good;
2. a peer that trickles its headers or body must not hold the worker;
3. the quarantine stays bounded against an endless feed of bad items;
4. a very deep item is quarantined alone, the rest of its page applied;
5. an origin that rotated twice between two rounds is followed through its history.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from werkzeug.wrappers import Request, Response

from ..nodes import LiveNode
from .conftest import (
    FakePeer,
    fake_with_records,
    holdings,
    peer,
    publish,
    rotate_node,
    worker_for,
)

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


def state_of(node: LiveNode, url: str) -> Any:
    return next(s for s in node.context.store.peers() if s.base_url == url)


def of_origin(node: LiveNode, origin: LiveNode) -> set[tuple[str, int, str]]:
    iri = origin.context.identity.node_iri
    return {h for h in holdings(node) if h[0].startswith(origin.url) or h[0] == iri}


# -- 1. a flipped byte --
def test_flipped_byte_is_fetched_again_by_id(live_node: Start, make_payload: Payload,
                                             behind_proxy: Any) -> None:
    origin, proxy = behind_proxy("DE", 1)
    consumer = live_node("EE")
    publish(origin, make_payload, 6)
    proxy.victim = consumer.context.identity.node_iri
    proxy.plan = [None, "flip"]  # the descriptor clean, the first feed page damaged
    result = worker_for(consumer, peer(origin)).run_once()[0]
    assert result.error is None and result.up_to_date
    assert proxy.flipped and result.refetched == 1
    assert of_origin(consumer, origin) == holdings(origin)
    assert consumer.context.store.pending_retries() == {}


def test_flipped_byte_twice_is_retried_in_the_next_round(live_node: Start, make_payload: Payload,
                                                         behind_proxy: Any) -> None:
    origin, proxy = behind_proxy("DE", 2)
    consumer = live_node("EE")
    publish(origin, make_payload, 6)
    proxy.victim = consumer.context.identity.node_iri
    proxy.plan = [None, "flip", "flip"]  # the page and its re-fetch by id both damaged
    first = worker_for(consumer, peer(origin), retry_backoff_s=0).run_once()[0]
    assert first.error is None and first.rejected_total == 1
    assert consumer.context.store.pending_retries() == {origin.url: 1}
    status = consumer.app.test_client().get("/sync/status", headers=consumer.auth("admin"))
    assert status.json["peers"][0]["pending_retry"] == 1
    second = worker_for(consumer, peer(origin), retry_backoff_s=0).run_once()[0]
    assert second.error is None and second.retried == 1
    assert of_origin(consumer, origin) == holdings(origin)
    assert consumer.context.store.pending_retries() == {}


def test_anti_entropy_heals_what_the_retries_gave_up_on(live_node: Start, make_payload: Payload,
                                                        behind_proxy: Any) -> None:
    origin, proxy = behind_proxy("DE", 3)
    consumer = live_node("EE")
    publish(origin, make_payload, 6)
    proxy.victim = consumer.context.identity.node_iri
    proxy.plan = [None, "flip", "flip"]
    first = worker_for(consumer, peer(origin), retry_limit=0).run_once()[0]
    assert first.rejected_total == 1 and consumer.context.store.pending_retries() == {}
    assert len(of_origin(consumer, origin)) == len(holdings(origin)) - 1  # lost, as seen
    second = worker_for(consumer, peer(origin), retry_limit=0,
                        anti_entropy_every=1).run_once()[0]
    assert second.error is None and second.repaired == 1 and second.antientropy == "agrees"
    assert of_origin(consumer, origin) == holdings(origin)
    [state] = consumer.context.store.peers()
    assert state.health["antientropy"]["agrees"] is True and state.health["behind"] == 0


# -- 2. a trickling peer --
@pytest.fixture
def trickler() -> Iterator[Callable[[bool], str]]:
    """A raw HTTP server that sends its answer one byte a second (headers, or body only)."""
    servers: list[socket.socket] = []
    stop = threading.Event()

    def start(headers_too: bool) -> str:
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen()
        servers.append(server)

        def serve(conn: socket.socket) -> None:
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" \
                       b"Content-Length: 100000\r\n\r\n"
                if not headers_too:
                    conn.sendall(head)
                for byte in (head if headers_too else b"") + b'{"items":[' + b" " * 99990:
                    if stop.wait(1.0):
                        return
                    try:
                        conn.sendall(bytes([byte]))
                    except OSError:
                        return

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = server.accept()
                except OSError:
                    return
                threading.Thread(target=serve, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        return f"http://127.0.0.1:{server.getsockname()[1]}"

    yield start
    stop.set()
    for server in servers:
        server.close()


@pytest.mark.parametrize("headers_too", [True, False], ids=["headers", "body"])
def test_trickling_peer_is_cut_and_the_others_are_synced(
        live_node: Start, make_payload: Payload, trickler: Callable[[bool], str],
        headers_too: bool) -> None:
    good, consumer = live_node("DE"), live_node("EE")
    publish(good, make_payload, 3)
    slow = trickler(headers_too)
    started = time.monotonic()
    results = worker_for(consumer, {"base_url": slow}, peer(good), read_timeout_s=5,
                         request_deadline_s=1.5, retries=0).run_once()
    elapsed = time.monotonic() - started
    assert elapsed < 5, elapsed  # far below read_timeout_s x the bytes sent
    slow_result, good_result = results
    assert slow_result.error is not None and slow_result.error.startswith("peer_timeout: ")
    assert "total deadline" in slow_result.error
    assert good_result.error is None and good_result.accepted == 4
    status = consumer.app.test_client().get("/sync/status", headers=consumer.auth("admin"))
    [entry] = [p for p in status.json["peers"] if p["base_url"] == slow]
    assert entry["errors"] == {"peer_timeout": 1} and entry["behind"] is None


def test_stall_of_a_closing_response_is_cut(live_node: Start, make_payload: Payload,
                                            behind_proxy: Any) -> None:
    # "Connection: close": http.client lets go of the connection's socket before the body is
    # read, so the deadline must hold the socket itself
    origin, proxy = behind_proxy("DE", 4)
    consumer = live_node("EE")
    publish(origin, make_payload, 2)
    proxy.victim = consumer.context.identity.node_iri
    proxy.plan = [None, "stall"]
    started = time.monotonic()
    result = worker_for(consumer, peer(origin), read_timeout_s=5, request_deadline_s=1.0,
                        retries=0).run_once()[0]
    assert time.monotonic() - started < 4
    assert result.error is not None and "total deadline" in result.error


def test_peer_budget_ends_a_peers_round(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    release = threading.Event()

    def slow(request: Request) -> Response | None:
        if request.path == "/feed":
            release.wait(0.4)  # each page takes a while, well within the request deadline
        return None

    fake = fake_with_records(fake_peer, 20, slow)
    try:
        result = worker_for(consumer, peer(fake), page_size=2, peer_budget_s=1.0,
                            check_workers=1).run_once()[0]
    finally:
        release.set()
    assert result.error is not None and result.error.startswith("budget_exhausted: ")
    assert 0 < result.pages < 10
    assert state_of(consumer, fake.url).health["errors"] == {"budget_exhausted": 1}


# -- 3. the quarantine stays bounded --
def endless(fake: FakePeer, item: Callable[[int], bytes]) -> None:
    """Make ``fake`` answer ``more: true`` with a new cursor on every page, for ever."""
    def answer(request: Request) -> Response | None:
        if request.path != "/feed":
            return None
        page = int(request.args.get("after", "0"))
        body = (b'{"items":[' + item(page) + b'],"cursor":"' + str(page + 1).encode()
                + b'","more":true}')
        return Response(body, content_type="application/json")
    fake.handler = answer


def test_endless_feed_of_bad_items_is_cut_and_the_quarantine_capped(
        live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_peer()
    record = json.loads(fake.items[0]) if fake.items else None
    assert record is None
    big = "x" * 20_000

    def bad(page: int) -> bytes:  # a fresh bad item every page: each is a new row
        _, body = fake.sign({"@context": "https://w3id.org/ncc/context/v1",
                             "id": f"{fake.url}/initiatives/00000000-0000-4000-8000-"
                                   f"{page:012d}", "type": "Initiative",
                             "origin": fake.node_iri, "version": 1,
                             "modified": "2026-01-01T00:00:00Z", "name": {"en": big}})
        return body.replace(b'"name":{"en":"x', b'"name":{"en":"y')  # breaks the proof

    endless(fake, bad)
    options = {"max_pages_per_round": 30, "quarantine_max_per_peer": 10, "quarantine_max": 12,
               "retry_limit": 0}
    result = worker_for(consumer, peer(fake), **options).run_once()[0]
    assert result.error is not None and result.error.startswith("feed_cut: ")
    assert result.pages == 30 and result.rejected_total == 30
    size = consumer.context.store.quarantine_size()
    assert size[fake.url][0] == 10  # the cap; the counts keep every one
    assert state_of(consumer, fake.url).counts["bad_signature"] == 30
    assert state_of(consumer, fake.url).health["quarantine_dropped"] == 20
    again = worker_for(consumer, peer(fake), **options).run_once()[0]
    assert again.error is not None and again.error.startswith("feed_cut: ")
    assert consumer.context.store.quarantine_size()[fake.url][0] == 10


def test_identical_rejects_re_served_are_stored_once(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_peer()
    _, body = fake.sign({"@context": "https://w3id.org/ncc/context/v1",
                         "id": f"{fake.url}/initiatives/00000000-0000-4000-8000-000000000001",
                         "type": "Initiative", "origin": fake.node_iri, "version": 1,
                         "modified": "2026-01-01T00:00:00Z", "name": {"en": "a"}})
    damaged = body.replace(b'"name":{"en":"a"}', b'"name":{"en":"b"}')
    endless(fake, lambda page: damaged)
    for _ in range(2):
        result = worker_for(consumer, peer(fake), max_pages_per_round=15,
                            retry_limit=0).run_once()[0]
        assert result.error is not None and result.error.startswith("feed_cut: ")
    [entry] = consumer.context.store.quarantined()
    assert entry.times == 30 and entry.body == damaged


# -- 4. a very deep item --
def test_deep_item_is_quarantined_alone(live_node: Start, fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_with_records(fake_peer, 2)
    deep = b'{"@context":"https://w3id.org/ncc/context/v1","x":' + b"[" * 50_000 \
        + b"]" * 50_000 + b"}"
    fake.items.insert(1, deep)
    result = worker_for(consumer, peer(fake)).run_once()[0]
    assert result.error is None and result.up_to_date
    assert result.accepted == 3 and result.rejected == {"too_deep": 1}
    assert state_of(consumer, fake.url).cursor == "3"
    [entry] = consumer.context.store.quarantined()
    assert entry.reason == "too_deep"


# -- 5. a double rotation between two rounds --
@pytest.mark.parametrize("through", ["direct", "relay"])
def test_double_rotation_between_rounds_is_followed(live_node: Start, make_payload: Payload,
                                                    through: str) -> None:
    origin, relay, consumer = live_node("DE"), live_node("NL"), live_node("EE")
    publish(origin, make_payload, 2)
    relay_worker = worker_for(relay, peer(origin))
    peers = [peer(origin)] if through == "direct" else [peer(relay, "all")]
    relay_worker.run_once()
    assert worker_for(consumer, *peers).run_once()[0].error is None
    rotate_node(origin)
    publish(origin, make_payload, 1)
    rotate_node(origin)
    publish(origin, make_payload, 2)
    relay_worker.run_once()
    result = worker_for(consumer, *peers).run_once()[0]
    assert result.error is None and result.rejected == {}
    assert of_origin(consumer, origin) == holdings(origin)
    held = consumer.context.store.descriptor(origin.context.identity.node_iri)
    assert held is not None and held.version == 3
    [state] = [s for s in consumer.context.store.peers()]
    assert state.health["errors"] == {}


def test_a_peer_without_the_repair_resources_still_syncs(live_node: Start,
                                                         fake_peer: Fake) -> None:
    consumer = live_node("EE")
    fake = fake_with_records(fake_peer, 2)  # answers 404 to /feed/digest
    result = worker_for(consumer, peer(fake), anti_entropy_every=1).run_once()[0]
    assert result.error is None and result.accepted == 3
    health = state_of(consumer, fake.url).health
    assert health["antientropy"]["agrees"] is None and health["errors"] == {}
