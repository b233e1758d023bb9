"""Benchmark scouting at 100,000 federated records (issue 6): candidate queries p95 <= 50 ms.

Builds a store holding initiatives of four origins (Germany, Estonia, the Netherlands,
Luxembourg; generator of bench/records.py) as a node holds them after sync, some replicating
others, then times ``find_candidates`` in-process (the store's prefiltered pool + scoring; no
HTTP) over a mix of target countries, filters and text. Proof values are placeholders: the store
does not verify, and signing 100,000 records would only lengthen the set-up.

Further sections: if bench/sparql.py exists with ``run(store_path) -> bool``, it is called with
the same store at the end and its result folds into the exit code.
Run: python bench/scout.py [--records N] [--queries N] [--store PATH (kept and reused)]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from records import initiatives  # noqa: E402

from ncc_node.scout import ScoutQuery, Weights, find_candidates, find_similar  # noqa: E402
from ncc_node.store import SqliteStore  # noqa: E402

TARGET_MS = 50.0
COUNTRY_CODES = ["DEU", "EST", "NLD", "LUX"]


def federated(count: int, seed: int = 6) -> list[dict[str, Any]]:
    """``count`` initiatives with the fields scouting scores: impact, transfer, partners and
    replications (2% replicate or adapt an earlier record)."""
    rng = random.Random(seed)
    records = initiatives(count)
    for index, record in enumerate(records):
        if rng.random() < 0.5:
            record["impact"] = {"en": "Measured with a comparison group every year."}
        if rng.random() < 0.5:
            record["transferPotential"] = {"en": "Open material; needs a local host. " *
                                           rng.randint(1, 8)}
        if record["seeksPartners"]:
            record["seeksPartnersIn"] = [f"country:{c}" for c in
                                         rng.sample(COUNTRY_CODES, rng.randint(1, 2))]
        if index > 100 and rng.random() < 0.02:
            record[rng.choice(["replicates", "adapts"])] = [records[rng.randrange(index)]["id"]]
        record["proof"] = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                           "proofValue": f"zbench{index}"}
    return records


def build(path: Path, count: int) -> None:
    """Write ``count`` records into a new store at ``path`` (received from a peer)."""
    store = SqliteStore(path)
    try:
        records = federated(count)
        start = time.perf_counter()
        for begin in range(0, count, 5000):
            with store.write() as writer:
                for record in records[begin:begin + 5000]:
                    body = json.dumps(record, ensure_ascii=False).encode("utf-8")
                    writer.put(record, body, received_from="https://peer.example.org")
        print(f"build:       {count} records in {time.perf_counter() - start:.1f} s",
              flush=True)
    finally:
        store.close()


def open_bench_store(path: Path, count: int) -> SqliteStore:
    """The store at ``path``, built with ``count`` federated records first if it is not there."""
    if not path.exists():
        build(path, count)
    return SqliteStore(path)


# the kinds of query in query_mix, in its order (the per-kind lines of the report)
KINDS = ("country", "country+sdg", "country+theme+stage", "one word", "inclusion+sdg+tg",
         "country+language+theme", "onderwijs+stage")


def query_mix(rng: random.Random) -> list[Callable[[], ScoutQuery]]:
    """The candidate queries timed: target country with filters, text, or both."""
    country = lambda: rng.choice(["EE", "DE", "NL", "LU"])  # noqa: E731
    return [
        lambda: ScoutQuery(country=country()),
        lambda: ScoutQuery(country=country(), sdg=f"sdg:{rng.randint(1, 17)}"),
        lambda: ScoutQuery(country=country(), theme=rng.choice(
            ["theme:education", "theme:housing", "theme:poverty"]), stage="maturity:proven"),
        lambda: ScoutQuery(country=country(), q=rng.choice(
            ["Nachbarschaftshilfe", "kogukonna", "jongeren", "bénévoles", "Bildung", "haridus"])),
        lambda: ScoutQuery(country=country(), q="inclusion", sdg="sdg:10",
                           target_group="tg:youth"),
        lambda: ScoutQuery(country=country(), language="lang:NLD", theme="theme:care"),
        lambda: ScoutQuery(country=country(), q="onderwijs", stage="maturity:established"),
    ]


def time_queries(store: SqliteStore, queries: int) -> tuple[list[float], list[float]]:
    """Latencies (ms) of candidate queries and of similar-record queries."""
    rng = random.Random(7)
    weights = Weights()
    mix = query_mix(rng)
    find_candidates(store, mix[0](), weights=weights)  # warm-up: replication links, caches
    latencies = []
    for index in range(queries):
        query = mix[index % len(mix)]()
        start = time.perf_counter()
        find_candidates(store, query, weights=weights)
        latencies.append((time.perf_counter() - start) * 1000)
    ids = [r.id for r in store.iter_records(kind="Initiative", batch=1000)][:: 997][:30]
    similar = []
    for record_id in ids:
        start = time.perf_counter()
        find_similar(store, record_id, weights=weights, limit=20)
        similar.append((time.perf_counter() - start) * 1000)
    return latencies, similar


def run_sparql_section(store_path: Path) -> bool | None:
    """Run bench/sparql.py's ``run(store_path)`` when it exists; None when there is none."""
    path = Path(__file__).resolve().parent / "sparql.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("bench_sparql", path)
    if spec is None or spec.loader is None:
        return False
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return bool(module.run(store_path))


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1]


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=350)
    parser.add_argument("--store", type=Path, help="keep the store here (reused when present)")
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="ncc-bench-scout-") as tmp:
        path = args.store or Path(tmp) / "node.db"
        store = open_bench_store(path, args.records)
        try:
            start = time.perf_counter()
            store.candidates.replications([])  # first use reads every record's links
            print(f"links:       first use {(time.perf_counter() - start) * 1000:.0f} ms "
                  "(once per process)")
            latencies, similar = time_queries(store, args.queries)
        finally:
            store.close()
        print(f"candidates:  p50 {statistics.median(latencies):.1f} ms, p95 {p95(latencies):.1f} "
              f"ms, max {max(latencies):.1f} ms over {len(latencies)} queries "
              f"(target p95 <= {TARGET_MS:.0f} ms)")
        for offset, kind in enumerate(KINDS):
            values = latencies[offset::len(KINDS)]
            if len(values) >= 2:
                print(f"  {kind:24} p50 {statistics.median(values):6.1f}  p95 "
                      f"{p95(values):6.1f}  max {max(values):6.1f} ms")
        print(f"similar:     p50 {statistics.median(similar):.1f} ms, p95 {p95(similar):.1f} ms "
              f"over {len(similar)} records (no target)")
        if p95(latencies) > TARGET_MS:
            failures.append(f"candidate query p95 above {TARGET_MS:.0f} ms")
        sparql = run_sparql_section(path)
        if sparql is False:
            failures.append("bench/sparql.py reported a missed target")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
