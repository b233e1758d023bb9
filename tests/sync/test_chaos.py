"""Real nodes behind a faulty network converge (docs/sync.md, "Convergence").

An origin (DE) publishes, updates and deletes records and rotates its key, once and then twice
between two rounds. A relay (NL) syncs from it directly. The consumer (EE) syncs from both, each
through a fault-injecting proxy (``faultproxy.FaultProxy``: 5xx, resets, truncation, stalls, a
flipped byte in an item, replayed old pages, off-host redirects, oversized bodies) at a high
fault rate, and one of its rounds is killed with SIGKILL half-way. A reference node (LU) syncs
from the origin without faults. After the faulty rounds, clean rounds: within a bounded number
of them the consumer holds exactly the origin's signed states (digests equal to the reference's
and the origin's own), byte for byte, and nothing a proxy damaged.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests import processes

from ..nodes import LiveNode
from .conftest import peer, rotate_node, sync_settings, worker_for
from .faultproxy import FAULTS, FaultProxy

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
ROOT = Path(__file__).resolve().parents[2]
SEED = 20261207
FAULTY_ROUNDS = 6
CLEAN_ROUNDS = 6  # the bound: convergence must come within this many clean rounds

#: The consumer's options: small pages (many requests, many faults), short deadlines.
CONSUMER = {"page_size": 4, "request_deadline_s": 1.0, "read_timeout_s": 1.0,
            "page_deadline_s": 3.0, "peer_budget_s": 15.0, "retries": 2,
            "max_response_bytes": 256 * 1024, "anti_entropy_every": 1, "retry_backoff_s": 0,
            "check_workers": 1}


def origin_state(node: LiveNode, origin: str) -> tuple[Any, dict[str, bytes]]:
    """The node's digest of ``origin``'s records, and their bodies by id."""
    store = node.context.store
    bodies = {r.id: r.body for r in store.iter_records() if r.origin == origin}
    return store.origin_digests(origin).get(origin), bodies


def mutate(node: LiveNode, make_payload: Payload, rng: random.Random, live: list[str]) -> None:
    """A few adds, updates and deletes on the origin."""
    publisher = node.context.publisher
    for _ in range(rng.randint(2, 5)):
        live.append(publisher.create("Initiative", make_payload("Initiative")).id)
    for record_id in rng.sample(live, min(3, len(live))):
        publisher.update(record_id, make_payload("Initiative", name={"en": f"v{rng.random()}"}),
                         if_match="*")
    for record_id in rng.sample(live, min(2, len(live))):
        publisher.delete(record_id)
        live.remove(record_id)


def signed_states(node: LiveNode) -> dict[tuple[str, int], bytes]:
    """(id, version) -> the exact bytes the node holds (what it signed, for the origin)."""
    return {(r.id, r.version): r.body for r in node.context.store.iter_records()}


def assert_untampered(consumer: LiveNode, published: dict[tuple[str, int], bytes],
                      origin: str) -> None:
    """Every record of ``origin`` the consumer holds is byte for byte a state it published."""
    for record in consumer.context.store.iter_records():
        if record.origin == origin:
            assert published.get((record.id, record.version)) == record.body, record.id


def killed_round(consumer: LiveNode, peers: list[dict[str, Any]], proxies: list[FaultProxy],
                 tmp_path: Path) -> None:
    """A consumer round in a subprocess, killed with SIGKILL once it is under way."""
    config = tmp_path / "worker.json"
    config.write_text(json.dumps(dict(sync_settings(consumer, peers, **CONSUMER))))
    served = sum(p.served for p in proxies)
    worker = processes.start([sys.executable, "-m", "tests.sync.crash_worker", str(config)],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while worker.poll() is None and time.monotonic() < deadline:
        if sum(p.served for p in proxies) >= served + 4:
            break
        time.sleep(0.01)  # polling a subprocess's progress: there is nothing to wait on
    if worker.poll() is None:
        worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=10)
    processes.end(worker)  # and whatever of its group outlived it


def test_nodes_converge_through_a_faulty_network(live_node: Start, make_payload: Payload,
                                                 behind_proxy: Any, tmp_path: Path) -> None:
    rng = random.Random(SEED)
    (origin, to_origin), (relay, to_relay) = behind_proxy("DE", SEED), behind_proxy("NL", SEED + 1)
    proxies = [to_origin, to_relay]
    consumer, reference = live_node("EE"), live_node("LU")
    for proxy in proxies:  # only the consumer's requests are damaged
        proxy.victim, proxy.rate = consumer.context.identity.node_iri, 0.5
    live: list[str] = []
    mutate(origin, make_payload, rng, live)
    consumer_peers = [peer(origin), peer(relay, "all")]
    relay_worker = worker_for(relay, peer(origin))
    reference_worker = worker_for(reference, peer(origin))

    def clean_side() -> None:
        for worker in (relay_worker, reference_worker):
            assert all(r.error is None for r in worker.run_once())

    published: dict[tuple[str, int], bytes] = {}
    for number in range(FAULTY_ROUNDS):
        mutate(origin, make_payload, rng, live)
        if number == 1:
            rotate_node(origin)
        if number == 3:  # twice between two rounds: receivers must walk the history
            rotate_node(origin)
            mutate(origin, make_payload, rng, live)
            rotate_node(origin)
        clean_side()
        published.update(signed_states(origin))
        if number == 2:
            killed_round(consumer, consumer_peers, proxies, tmp_path)
        else:
            worker_for(consumer, *consumer_peers, **CONSUMER).run_once()
        assert_untampered(consumer, published, origin.context.identity.node_iri)
    assert sum(to_origin.counts.values()) + sum(to_relay.counts.values()) > 20
    assert {f for p in proxies for f in p.counts} >= set(FAULTS) - {"oversize", "replay"}

    for proxy in proxies:
        proxy.rate = 0.0
    mutate(origin, make_payload, rng, live)
    clean_side()
    published.update(signed_states(origin))
    iri = origin.context.identity.node_iri
    wanted = origin_state(origin, iri)
    assert origin_state(reference, iri) == wanted
    for _ in range(CLEAN_ROUNDS):
        results = worker_for(consumer, *consumer_peers, **CONSUMER).run_once()
        if origin_state(consumer, iri) == wanted:
            break
    else:
        raise AssertionError(f"not converged after {CLEAN_ROUNDS} clean rounds: {results}")
    assert all(r.error is None for r in results), results
    assert_untampered(consumer, published, iri)
