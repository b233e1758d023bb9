"""Fixtures for sync tests: real nodes, workers wired to them, and fake peers.

A fake peer is a small real HTTP server on 127.0.0.1, port 0, answering with crafted responses:
it stands in for a *peer*, which is outside the code under test (CONVENTIONS §10).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from ncc_node import StoredRecord, dump_body, generate_key, new_descriptor, sign
from ncc_node.identity.signing_key import NodeKey
from ncc_node.settings import Settings, load_settings
from sync import SyncWorker
from vocab import example

from ..nodes import LiveNode, server_address, start_live_node, stop_all
from .faultproxy import FaultProxy

Handler = Callable[[Request], Response]

#: How workers check items: in their own process, or in a check pool even for tiny pages.
CHECK_MODES = {"in_process": {"check_workers": 1},
               "check_pool": {"check_workers": 2, "check_min_items": 1}}
_check_mode: dict[str, Any] = {}


@pytest.fixture(params=sorted(CHECK_MODES))
def check_mode(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a test once with each way of checking (``pytestmark = usefixtures("check_mode")``):
    the verdicts must not depend on it."""
    _check_mode.update(CHECK_MODES[request.param])
    yield request.param
    _check_mode.clear()


def sync_settings(node: LiveNode, peers: list[dict[str, Any]], **sync: Any) -> Settings:
    """The node's settings with ``[[peers]]`` and fast ``[sync]`` options for tests."""
    values = {k: v for k, v in node.context.settings.items() if v is not None}
    values.update({"peers": peers, "sync.backoff_s": 0, "sync.connect_timeout_s": 2,
                   "sync.read_timeout_s": 5, "origins": sync.pop("origins", [])})
    values.update({f"sync.{k}": v for k, v in {**_check_mode, **sync}.items()})
    return load_settings(values, environ={})


def peer(node: Any, scope: str = "own", keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """A ``[[peers]]`` entry for a live node or fake peer."""
    return {"base_url": node.url, "scope": scope, "keys": list(keys)}


def worker_for(node: LiveNode, *peers: dict[str, Any], **sync: Any) -> SyncWorker:
    """A worker of ``node`` pulling from ``peers``."""
    context = node.context
    worker = SyncWorker(context.store, context.identity, sync_settings(node, list(peers), **sync))
    if worker.checks is not None:  # which items the pool screens must not depend on timing
        worker.checks.wait_for_start = True
    return worker


def publish(node: LiveNode, make_payload: Callable[..., dict[str, Any]], count: int,
            kind: str = "Initiative") -> list[StoredRecord]:
    """Publish ``count`` records on ``node``."""
    return [node.context.publisher.create(kind, make_payload(kind, name={"en": f"{kind} {i}"}))
            for i in range(count)]


def holdings(node: LiveNode) -> set[tuple[str, int, str]]:
    """(id, version, proofValue) of every record the node holds."""
    return {(r.id, r.version, r.proof_value) for r in node.context.store.iter_records()}


@dataclass
class FakePeer:
    """A peer that is a real HTTP server with crafted answers; it has its own key."""

    url: str
    server: BaseWSGIServer
    key: NodeKey
    descriptor: dict[str, Any]
    items: list[bytes] = field(default_factory=list)
    handler: Handler | None = None  # overrides the default feed/descriptor answers
    requests: list[Request] = field(default_factory=list)

    @property
    def node_iri(self) -> str:
        """The fake's node IRI."""
        return self.url + "/node"

    def sign(self, record: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
        """Sign a record with the fake's key (as its origin would)."""
        signed = sign(record, private_key=self.key.private_key,
                      verification_method=self.key.verification_method(self.node_iri))
        return signed, dump_body(signed)

    def feed_response(self, request: Request) -> Response:
        """Serve ``items`` as a paged feed (cursor = index of the next item, as text)."""
        start = int(request.args.get("after", "0"))
        limit = int(request.args.get("limit", "100"))
        chunk = self.items[start:start + limit]
        end = start + len(chunk)
        body = (b'{"items":[' + b",".join(chunk) + b'],"cursor":"' + str(end).encode()
                + b'","more":' + (b"true" if end < len(self.items) else b"false") + b"}")
        return Response(body, content_type="application/json")

    def __call__(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(request)
        response = self.handler(request) if self.handler is not None else None
        if response is None:
            if request.path == "/node":
                response = Response(dump_body(self.descriptor),
                                    content_type="application/ld+json")
            elif request.path == "/feed":
                response = self.feed_response(request)
            else:
                response = Response(b'{"error":{"code":"not_found"}}', status=404)
        return response(environ, start_response)

    def feed_requests(self) -> int:
        """How many feed pages were asked for."""
        return sum(1 for r in self.requests if r.path == "/feed")


def fake_with_records(fake_peer: Callable[..., FakePeer], count: int,
                      handler: Handler | None = None) -> FakePeer:
    """A fake peer publishing ``count`` valid records of its own (signed with its key)."""
    fake = fake_peer(handler)
    for index in range(count):  # the bundled example record, re-minted under the fake's base
        record = example("initiative.jsonld")
        for minted in ("proof", "usesMethods", "adapts"):
            record.pop(minted, None)
        record.update(id=f"{fake.url}/initiatives/00000000-0000-4000-8000-{index:012d}",
                      origin=fake.node_iri, version=1)
        fake.items.append(fake.sign(record)[1])
    return fake


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[Callable[[str, int], tuple[LiveNode, FaultProxy]]]:
    """Start a node whose base URL is a fault proxy's (``behind_proxy(country, seed)``)."""
    nodes: list[LiveNode] = []
    proxies: list[FaultProxy] = []

    def start(country: str, seed: int) -> tuple[LiveNode, FaultProxy]:
        proxy = FaultProxy(seed=seed, rate=0.0)
        node = start_live_node(tmp_path / country, country, base_url=proxy.url)
        proxy.upstream = server_address(node.server)
        nodes.append(node)
        proxies.append(proxy)
        return node, proxy

    yield start
    for proxy in proxies:
        proxy.close()
    stop_all([], nodes)


@pytest.fixture
def fake_peer() -> Iterator[Callable[..., FakePeer]]:
    """Start fake peers: ``fake_peer()``; all stop at teardown."""
    started: list[FakePeer] = []

    def start(handler: Handler | None = None) -> FakePeer:
        server = make_server("127.0.0.1", 0, _unset, threaded=True)
        url = f"http://127.0.0.1:{server.server_port}"
        key = generate_key("key-1")
        descriptor = new_descriptor(base_url=url, name={"en": "Fake peer"},
                                    jurisdiction="country:LUX", key=key)
        fake = FakePeer(url, server, key, descriptor, handler=handler)
        server.app = fake
        threading.Thread(target=server.serve_forever, daemon=True).start()
        started.append(fake)
        return fake

    yield start
    stop_all([fake.server for fake in started], [])


def _unset(environ: Any, start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [])
    return [b""]


def rotate_node(node: LiveNode) -> None:
    """Rotate a live node's key (what `ncc keys rotate` does) and use the new key from now on."""
    from ncc_node import Publisher
    from ncc_node.identity.node_identity import rotate_identity

    context = node.context
    context.identity = rotate_identity(context.settings, context.store, context.identity)
    context.publisher = Publisher(context.store, context.identity)


def converge(workers: list[SyncWorker], nodes: list[LiveNode], rounds: int = 5) -> int:
    """Run rounds until every node holds the same records; return the rounds it took."""
    for done in range(1, rounds + 1):
        for worker in workers:
            for result in worker.run_once():
                assert result.error is None, result.error
        if len({frozenset(holdings(node)) for node in nodes}) == 1:
            return done
    raise AssertionError(f"no convergence after {rounds} rounds")
