"""Benchmark convergence through a faulty network (docs/sync.md, "Convergence").

Three real nodes on 127.0.0.1: an origin (DE) with N records (default 5,000), a relay (NL) that
syncs from it, and a consumer (EE) that syncs from both (the relay with ``scope=all``). Every
request the relay and the consumer make goes through a fault-injecting proxy
(``tests/sync/faultproxy.py``) that damages a fraction of them (default 30 %): 5xx, resets,
truncation, stalls, one flipped byte in an item, replayed old pages, off-host redirects,
oversized bodies. The origin keeps adding, updating and deleting records for the first rounds,
rotates its key once and then twice between two rounds, and one consumer round is killed with
SIGKILL half-way. Faults go on for every round.

Prints, per round, what each node holds of the origin, then: rounds to convergence (the first
round after which relay and consumer hold exactly the origin's signed states, by digest),
records repaired by anti-entropy, items re-fetched and retried, the quarantine's size, and the
peak RSS of this process (which runs every worker but the killed one). Exits 1 when the nodes
have not converged within the rounds. Run: python bench/chaos.py [--records 5000]
[--fault-rate 0.3] [--rounds 30] [--seed 15]
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.append(str(Path(__file__).resolve().parent))  # after the packages: bench/sync.py
from records import initiatives  # noqa: E402

from ncc_node.identity import rotate_identity  # noqa: E402
from ncc_node.records import Publisher  # noqa: E402
from ncc_node.records.publish import ENVELOPE  # noqa: E402
from ncc_node.settings import load_settings  # noqa: E402
from sync import SyncWorker  # noqa: E402
from tests.nodes import LiveNode, server_address, start_live_node, stop_all  # noqa: E402
from tests.sync.faultproxy import FaultProxy  # noqa: E402

MUTATING_ROUNDS = 8
OPTIONS = {"sync.backoff_s": 0.05, "sync.retries": 2, "sync.request_deadline_s": 2.0,
           "sync.read_timeout_s": 2.0, "sync.page_deadline_s": 6.0,
           "sync.peer_budget_s": 60.0, "sync.max_response_bytes": 4 * 1024 * 1024,
           "sync.anti_entropy_every": 1, "sync.retry_backoff_s": 0.0}


def start(data: Path, country: str, seed: int, rate: float) -> tuple[LiveNode, FaultProxy]:
    """A node whose base URL is a fault proxy's address (so node IRIs hold through it)."""
    proxy = FaultProxy(seed=seed, rate=rate, oversize_bytes=5 * 1024 * 1024, stall_s=10)
    node = start_live_node(data / country, country, base_url=proxy.url)
    proxy.upstream = server_address(node.server)
    return node, proxy


def settings_for(node: LiveNode, peers: list[dict[str, Any]]) -> Any:
    values = {k: v for k, v in node.context.settings.items() if v is not None}
    values.update(OPTIONS, peers=peers)
    return load_settings(values, environ={})


def worker(node: LiveNode, peers: list[dict[str, Any]]) -> SyncWorker:
    context = node.context
    return SyncWorker(context.store, context.identity, settings_for(node, peers))


def rotate(node: LiveNode) -> None:
    context = node.context
    context.identity = rotate_identity(context.settings, context.store, context.identity)
    context.publisher = Publisher(context.store, context.identity)


def mutate(node: LiveNode, rng: random.Random, live: list[str],
           fresh: list[dict[str, Any]]) -> None:
    """Some adds, updates and deletes on the origin."""
    publisher = node.context.publisher
    for _ in range(rng.randint(20, 60)):
        if fresh:
            live.append(publisher.create("Initiative", fresh.pop()).id)
    for record_id in rng.sample(live, 20):
        current = json.loads(node.context.store.get(record_id).body)
        payload = {k: v for k, v in current.items() if k not in ENVELOPE}
        payload["name"] = {"en": f"Updated {rng.random():.6f}"}
        publisher.update(record_id, payload, if_match="*")
    for record_id in rng.sample(live, 10):
        publisher.delete(record_id)
        live.remove(record_id)


def state(node: LiveNode, origin: str) -> Any:
    return node.context.store.origin_digests(origin).get(origin)


def killed_round(node: LiveNode, peers: list[dict[str, Any]], proxies: list[FaultProxy],
                 data: Path) -> None:
    """One consumer round in a subprocess, SIGKILLed once it has made a few requests."""
    config = data / "killed-worker.json"
    config.write_text(json.dumps(dict(settings_for(node, peers))))
    before = sum(p.served for p in proxies)
    child = subprocess.Popen([sys.executable, "-m", "tests.sync.crash_worker", str(config)],
                             cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while child.poll() is None and time.monotonic() < deadline:
        if sum(p.served for p in proxies) >= before + 6:
            break
        time.sleep(0.01)
    if child.poll() is None:
        child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    print(f"  consumer round killed with SIGKILL (exit {child.returncode})", flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log per request
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="ncc-chaos-") as tmp:
        data = Path(tmp)
        (origin, to_origin), (relay, to_relay) = (start(data, "DE", args.seed, args.fault_rate),
                                                  start(data, "NL", args.seed + 1,
                                                        args.fault_rate))
        consumer, _ = start(data, "EE", args.seed + 2, 0.0)
        proxies = [to_origin, to_relay]
        for proxy in proxies:  # the origin's own requests pass clean; the others' do not
            proxy.victim = "ncc-exchange/"
        fresh = [{k: v for k, v in r.items() if k not in ENVELOPE}
                 for r in initiatives(args.records + 1000, seed=args.seed)]
        live: list[str] = []
        started = time.monotonic()
        publisher = origin.context.publisher
        for _ in range(args.records):
            live.append(publisher.create("Initiative", fresh.pop()).id)
        print(f"origin: {args.records:,} records published in "
              f"{time.monotonic() - started:.1f} s", flush=True)
        iri = origin.context.identity.node_iri
        relay_peers = [{"base_url": origin.url}]
        consumer_peers = [{"base_url": origin.url}, {"base_url": relay.url, "scope": "all"}]
        totals = {"repaired": 0, "refetched": 0, "retried": 0}
        converged = None
        started = time.monotonic()
        try:
            for number in range(1, args.rounds + 1):
                if number <= MUTATING_ROUNDS:
                    mutate(origin, rng, live, fresh)
                if number == 3:
                    rotate(origin)
                if number == 6:  # twice between two rounds
                    rotate(origin)
                    mutate(origin, rng, live, fresh)
                    rotate(origin)
                results = worker(relay, relay_peers).run_once()
                if number == 4:
                    killed_round(consumer, consumer_peers, proxies, data)
                else:
                    results += worker(consumer, consumer_peers).run_once()
                for result in results:
                    totals["repaired"] += result.repaired
                    totals["refetched"] += result.refetched
                    totals["retried"] += result.retried
                wanted = state(origin, iri)
                held = {"relay": state(relay, iri), "consumer": state(consumer, iri)}
                errors = sorted({r.error.split(":")[0] for r in results if r.error})
                print(f"round {number:2}: origin {wanted.count:,}, relay "
                      f"{held['relay'].count if held['relay'] else 0:,}, consumer "
                      f"{held['consumer'].count if held['consumer'] else 0:,}"
                      f"{'  errors: ' + ', '.join(errors) if errors else ''}", flush=True)
                if number > MUTATING_ROUNDS and all(h == wanted for h in held.values()):
                    converged = number
                    break
        finally:
            elapsed = time.monotonic() - started
            quarantine = {name: node.context.store.quarantine_size()
                          for name, node in (("relay", relay), ("consumer", consumer))}
            faults = sum(sum(p.counts.values()) for p in proxies)
            served = sum(p.served for p in proxies)
            for proxy in proxies:
                proxy.close()
            stop_all([], [origin, relay, consumer])
    rows = sum(n for sizes in quarantine.values() for n, _ in sizes.values())
    received = sum(m for sizes in quarantine.values() for _, m in sizes.values())
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"faults injected: {faults:,} of {served:,} requests "
          f"({faults / max(1, served):.0%}); rounds ran for {elapsed:.1f} s")
    print(f"rounds to convergence: {converged if converged else 'NOT CONVERGED'} "
          f"(origin stops changing after round {MUTATING_ROUNDS})")
    print(f"records repaired by anti-entropy: {totals['repaired']:,}; re-fetched by id at "
          f"once: {totals['refetched']:,}; retried in later rounds: {totals['retried']:,}")
    print(f"quarantine: {rows:,} rows ({received:,} items received)")
    print(f"peak RSS: {peak_mb:.0f} MB")
    return 0 if converged else 1


if __name__ == "__main__":
    sys.exit(main())
