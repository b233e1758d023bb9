"""SPARQL under hostile use, against a live node over HTTP: a query's memory and time are
bounded in a query process, the serving process stays free, nothing is fetched for a query,
and every error is a 4xx/503 in the one JSON error shape."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from ...nodes import LiveNode

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]

SLOW = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
# slow without growing: a count streams over the cross product (the deadline stops it)
BUSY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = "SELECT ?s WHERE { ?s a <https://w3id.org/ncc/vocab#Node> }"
PAGE = 4096


def rss_bytes(pid: int) -> int:
    """Resident set size of one process (Linux /proc)."""
    with open(f"/proc/{pid}/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def children(pid: int) -> list[int]:
    """The direct children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds() -> float:
    """CPU time of this (the serving) process, all threads, children excluded."""
    times = os.times()
    return times.user + times.system


def hostile_node(live_node: Start, make_payload: Payload, records: int = 40,
                 **sparql: Any) -> LiveNode:
    settings = {"sparql.timeout_seconds": 3.0, "sparql.memory_mb": 320, "sparql.workers": 1,
                "sparql.queue": 2, **{f"sparql.{k}": v for k, v in sparql.items()}}
    node = live_node("DE", **settings)
    for index in range(records):
        node.context.publisher.create("Initiative", make_payload(name={"en": f"Item {index}"}))
    return node


def query(node: LiveNode, text: str, method: str = "GET", **kwargs: Any) -> requests.Response:
    if method == "GET":
        return requests.get(node.url + "/sparql", params={"query": text}, timeout=60, **kwargs)
    return requests.post(node.url + "/sparql", data=text.encode(), timeout=60,
                         headers={"Content-Type": "application/sparql-query"}, **kwargs)


def assert_error(response: requests.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text[:300]
    body = response.json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code is not None:
        assert body["error"]["code"] == code


def test_slow_query_is_bounded_in_memory_outside_the_server(live_node: Start,
                                                           make_payload: Payload) -> None:
    node = hostile_node(live_node, make_payload)
    assert query(node, SMALL).status_code == 200  # the query process is up, its view built
    before = rss_bytes(os.getpid())
    peak_child = 0
    done: list[requests.Response] = []
    worker = threading.Thread(target=lambda: done.append(query(node, SLOW)))
    started = time.monotonic()
    worker.start()
    while worker.is_alive() and time.monotonic() - started < 30:
        for child in children(os.getpid()):
            try:
                peak_child = max(peak_child, rss_bytes(child))
            except OSError:
                pass  # just killed and replaced
        worker.join(0.05)
    assert not worker.is_alive()
    assert done[0].status_code == 503 and done[0].headers.get("Retry-After")
    assert done[0].json()["error"]["code"] in ("sparql_timeout", "sparql_memory")
    assert time.monotonic() - started < 3.0 + 5  # the deadline, plus a replacement's start
    # the serving process did not grow; the query process stayed under its limit
    assert rss_bytes(os.getpid()) - before < 64 * 1024 * 1024
    assert 0 < peak_child <= 320 * 1024 * 1024
    assert query(node, SMALL).status_code == 200  # a fresh process answers the next query


def test_slow_queries_leave_the_node_responsive(live_node: Start,
                                                make_payload: Payload) -> None:
    node = hostile_node(live_node, make_payload, **{"workers": 2})
    assert query(node, SMALL).status_code == 200
    stop = threading.Event()
    answers: list[int] = []

    def attack(text: str) -> None:
        while not stop.is_set():
            answers.append(query(node, text).status_code)

    attackers = [threading.Thread(target=attack, args=(text,)) for text in (SLOW, BUSY)]
    cpu_before, wall_before = cpu_seconds(), time.monotonic()
    for attacker in attackers:
        attacker.start()
    latencies = []
    try:
        while time.monotonic() - wall_before < 4:
            began = time.monotonic()
            assert requests.get(node.url + "/node", timeout=10).status_code == 200
            assert requests.get(node.url + "/feed", timeout=10).status_code == 200
            latencies.append(time.monotonic() - began)
    finally:
        stop.set()
        for attacker in attackers:
            attacker.join(30)
    wall = time.monotonic() - wall_before
    assert max(latencies) < 1.0
    # the queries burn their CPU in the query processes, not in the serving one
    assert cpu_seconds() - cpu_before < 0.6 * wall
    assert set(answers) <= {503}


def test_full_queue_is_answered_503_with_retry_after(live_node: Start,
                                                     make_payload: Payload) -> None:
    node = hostile_node(live_node, make_payload, records=20, workers=1, queue=0)
    assert query(node, SMALL).status_code == 200
    ran: list[requests.Response] = []

    def occupy() -> None:  # until the slow query got the one slot (the loop below races it)
        while not ran or ran[-1].json()["error"]["code"] == "sparql_busy":
            ran.append(query(node, BUSY))

    slow = threading.Thread(target=occupy)
    slow.start()
    deadline = time.monotonic() + 20
    refused = None
    while time.monotonic() < deadline and slow.is_alive():
        response = query(node, SMALL)
        # the one slot is held by the busy query, in flight or about to be retried
        if response.status_code == 503:
            refused = response
            break
    slow.join(30)
    assert_error(ran[-1], 503, "sparql_timeout")
    assert refused is not None
    assert_error(refused, 503, "sparql_busy")
    assert refused.headers["Retry-After"]


@pytest.fixture
def listener() -> Iterator[tuple[int, list[bytes]]]:
    """A TCP port that records whatever connects to it (a host the node must never reach)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    seen.append(conn.recv(4096))
                except OSError:
                    seen.append(b"")
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    server.close()
    thread.join(2)


@pytest.mark.parametrize("template", [
    "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/x> {{ ?s ?p ?o }} }}",
    "select * where {{ # SERVICE in a comment is no service\n"
    "  ?s ?p ?o FILTER EXISTS {{ sErViCe <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }} }}",
    "PREFIX h: <http://127.0.0.1:{port}/>\nASK {{ {{ SELECT ?s {{ OPTIONAL {{ "
    "SERVICE h:x {{ ?s ?p ?o }} }} }} }} }}",
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_service_is_refused_and_nothing_is_fetched(live_node: Start, make_payload: Payload,
                                                    listener: tuple[int, list[bytes]],
                                                    template: str, method: str) -> None:
    # refusals are not about deadlines: a deadline a loaded host cannot miss
    node = hostile_node(live_node, make_payload, records=2, timeout_seconds=30)
    port, seen = listener
    response = query(node, template.format(port=port), method)
    assert_error(response, 403, "sparql_service_refused")
    assert seen == []
    # the word alone, where it is no SERVICE pattern, is not refused
    text = 'SELECT ?s WHERE { ?s ?p "SERVICE <http://127.0.0.1/>" } # SERVICE'
    assert query(node, text, method).status_code == 200


@pytest.mark.parametrize(("text", "status"), [
    ("SELECT * WHERE { ?s ?p }", 400),
    ("SELECT (1/0 AS ?x) WHERE {}", 200),  # an evaluation error is an unbound value
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 100000", 422),
    ("INSERT DATA { <http://a/> <http://b/> <http://c/> }", 403),
    ("SELECT * WHERE { BIND(<http://a> AS ?x) FILTER(regex(str(?x), '(')) }", 200),
    ("SELECT * FROM NAMED <not an iri> WHERE { ?s ?p ?o }", 400),
    ("\x00SELECT", 400),
    # SERVICE to a host that speaks no SPARQL (was an unhandled 500)
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:PORT/x> { ?s ?p ?o } }", 403),
    # nesting deep enough to overflow a parser's stack (took the serving process down)
    ("SELECT * WHERE " + "{ " * 3000 + "}" * 3000, 400),
], ids=lambda value: str(value)[:48])
def test_every_sparql_error_is_a_4xx_or_503(live_node: Start, make_payload: Payload,
                                            listener: tuple[int, list[bytes]],
                                            text: str, status: int) -> None:
    node = hostile_node(live_node, make_payload, records=2, max_results=50, timeout_seconds=30)
    port, seen = listener
    response = query(node, text.replace("PORT", str(port)))
    assert seen == []
    assert response.status_code == status, response.text[:300]
    if status >= 400:
        assert_error(response, status)
