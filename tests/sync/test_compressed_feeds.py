"""Compressed feeds between real nodes, and the size cap after decompression (bombs)."""

from __future__ import annotations

import functools
import tracemalloc
import zlib
from collections.abc import Callable
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from ncc_node import digest
from ncc_node.api.compression import zstd
from sync import BadResponse, ResponseTooLarge, SyncOptions
from sync.client import PeerClient
from sync.wire import ACCEPT_ENCODING

from ..nodes import LiveNode
from .conftest import FakePeer, converge, holdings, peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]

BOMB_BYTES = 128 * 1024 * 1024  # what the bodies below expand to
MiB = 1024 * 1024


@functools.cache
def zstd_bomb() -> bytes:
    """A zstd frame of a feed page padded with 128 MiB of JSON whitespace (~5 KiB)."""
    compressor = zstd.ZstdCompressor()
    parts = [compressor.compress(b'{"items":[')]
    block = b" " * MiB
    parts += [compressor.compress(block) for _ in range(BOMB_BYTES // MiB)]
    parts.append(compressor.compress(b'],"cursor":"x","more":false}'))
    parts.append(compressor.flush())
    return b"".join(parts)


@functools.cache
def gzip_bomb() -> bytes:
    """The same page as a gzip member (~128 KiB)."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
    parts = [compressor.compress(b'{"items":[')]
    block = b" " * MiB
    parts += [compressor.compress(block) for _ in range(BOMB_BYTES // MiB)]
    parts.append(compressor.compress(b'],"cursor":"x","more":false}'))
    parts.append(compressor.flush())
    return b"".join(parts)


def serving(body: bytes, coding: str) -> Callable[[Request], Response | None]:
    """A fake peer's handler answering /feed with ``body`` under ``coding``."""

    def handler(request: Request) -> Response | None:
        if request.path != "/feed":
            return None
        response = Response(body, content_type="application/json")
        response.headers["Content-Encoding"] = coding
        return response

    return handler


def client_of(fake: FakePeer, session: requests.Session, **options: Any) -> PeerClient:
    """A peer client of ``fake`` with a 1 MiB response cap and no retry delays."""
    settings = {"max_response_bytes": MiB, "backoff_s": 0.0, "retries": 2, **options}
    return PeerClient(fake.url, session=session, options=SyncOptions(**settings),
                      user_agent="test")


def test_nodes_sync_compressed_and_agree(live_node: Start, make_payload: Payload) -> None:
    """Four nodes pull each other's feeds compressed; the bytes are verified as signed."""
    nodes = [live_node(c) for c in ("DE", "EE", "NL", "LU")]
    for node in nodes:
        publish(node, make_payload, 40)
    workers = [worker_for(n, *(peer(p) for p in nodes if p is not n)) for n in nodes]
    first = [worker.run_once() for worker in workers]
    converge(workers, nodes)
    assert len({digest(n.context.store) for n in nodes}) == 1
    results = [r for round_ in first for r in round_]
    assert all(r.error is None and r.accepted == 41 for r in results)
    wire = sum(r.wire_bytes for r in results)
    body = sum(r.body_bytes for r in results)
    assert wire < 0.4 * body, (wire, body)  # heads included
    for node in nodes:
        assert node.context.store.quarantined() == []


def test_the_client_asks_for_zstd_and_gzip(fake_peer: Fake) -> None:
    fake = fake_peer()
    with requests.Session() as session:
        client_of(fake, session).get_feed(None, 10, "own")
    assert fake.requests[-1].headers["Accept-Encoding"] == ACCEPT_ENCODING == "zstd, gzip"


@pytest.mark.parametrize("coding", ["zstd", "gzip"])
def test_a_compression_bomb_is_cut_off_after_decompression(fake_peer: Fake, coding: str) -> None:
    """A small body that expands to 128 MiB stops at the 1 MiB cap, its memory bounded."""
    bomb = zstd_bomb() if coding == "zstd" else gzip_bomb()
    assert len(bomb) < MiB  # under the cap as sent: the cap must apply to what it expands to
    fake = fake_peer(serving(bomb, coding))
    with requests.Session() as session:
        client = client_of(fake, session)
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLarge, match="exceeds the limit"):
                client.get_feed(None, 10, "own")
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert peak < 16 * MiB, peak  # the cap and urllib3's buffers, not the 128 MiB
    assert client.body_bytes <= MiB + 64 * 1024
    assert fake.feed_requests() == 1  # not retried


@pytest.mark.parametrize("coding", ["zstd", "gzip"])
def test_a_bombing_peer_stores_nothing(live_node: Start, fake_peer: Fake, coding: str) -> None:
    node = live_node("EE")
    fake = fake_peer(serving(zstd_bomb() if coding == "zstd" else gzip_bomb(), coding))
    before = holdings(node)
    result = worker_for(node, peer(fake), max_response_bytes=MiB, page_size=4).run_once()[0]
    assert result.error is not None and result.error.startswith("response_too_large")
    assert holdings(node) - before == {(fake.node_iri, 1, fake.descriptor["proof"]["proofValue"])}
    [state] = node.context.store.peers()
    assert state.cursor is None and state.last_error == result.error


def test_corrupt_and_unasked_codings_are_bad_responses(fake_peer: Fake) -> None:
    corrupt = fake_peer(serving(b"\x28\xb5\x2f\xfd" + b"not zstd at all" * 10, "zstd"))
    brotli = fake_peer(serving(b"\x0b\x02\x80{}\x03", "br"))
    with requests.Session() as session:
        with pytest.raises(BadResponse, match="cannot decode the zstd body"):
            client_of(corrupt, session).get_feed(None, 10, "own")
        with pytest.raises(BadResponse, match="content coding 'br' was not asked for"):
            client_of(brotli, session).get_feed(None, 10, "own")
    assert corrupt.feed_requests() == 1 and brotli.feed_requests() == 1
