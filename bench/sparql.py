"""Benchmark SPARQL (issue 6): the RDF view and /sparql's engine at 100,000 records.

- A typical filtered SELECT (SDG + theme + stage filter + English name, ordered, LIMIT 100)
  p95 <= 1 s over the whole store, through the same path /sparql takes (``run_query``).
- At least 20x faster than rdflib's in-memory SPARQL on the same query over the first 10,000
  records (both in this run, same statements).
- Keeping the view current costs <= 30% of sync throughput, measured in this run by
  bench/view_upkeep.py: a real `ncc sync --once` of 20,000 records alone, and again beside a
  process keeping an RDF view of the receiving database current; the extra time until both the
  sync is done and the view holds every record, over the time of the sync alone. The view's
  own apply rate (replacing records) is printed as well.

``run(store_path) -> bool`` is called by bench/scout.py with its 100,000-record store;
standalone (``python bench/sparql.py [--records 100000]``) it builds its own store from
bench/records.py (records carry a placeholder proof: the view does not read proofs).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import view_upkeep  # noqa: E402
from records import STAGES, THEMES, initiatives  # noqa: E402

from ncc_node.rdfview import RdfView, record_statements  # noqa: E402
from ncc_node.rdfview.query import run_query  # noqa: E402
from ncc_node.store import SqliteStore  # noqa: E402

QUERY = """PREFIX ncc: <https://w3id.org/ncc/vocab#>
PREFIX schema: <https://schema.org/>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
SELECT ?i ?name ?stage WHERE {
  ?i a ncc:Initiative ; ncc:sdg <http://metadata.un.org/sdg/%(sdg)d> ;
     dcat:theme <https://w3id.org/ncc/concepts/theme/%(theme)s> ; ncc:stage ?stage ;
     schema:name ?name .
  FILTER(?stage IN (<https://w3id.org/ncc/concepts/stage/%(stage1)s>,
                    <https://w3id.org/ncc/concepts/stage/%(stage2)s>))
  FILTER(lang(?name) = "en")
} ORDER BY ?name LIMIT 100"""


def queries(count: int) -> list[str]:
    """``count`` typical filtered queries with varied concepts (deterministic)."""
    rng = random.Random(6)
    return [QUERY % {"sdg": rng.randint(1, 17), "theme": rng.choice(THEMES),
                     "stage1": rng.choice(STAGES[2:]), "stage2": rng.choice(STAGES[:2])}
            for _ in range(count)]


def p95(values: list[float]) -> float:
    """The 95th percentile."""
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def versus_rdflib(store: SqliteStore, count: int) -> tuple[float, float]:
    """Seconds for one query over the first ``count`` records: Oxigraph, rdflib (best of 3/1)."""
    import pyoxigraph
    from rdflib import Graph

    lines = []
    for seq, body in store.changes(0, count):
        lines.append(record_statements(json.loads(body), blank_prefix=f"s{seq}b").nquads("urn:g")
                     .replace(" <urn:g> .\n", " .\n"))
    text = "".join(lines)
    oxigraph = pyoxigraph.Store()
    oxigraph.load(text, format=pyoxigraph.RdfFormat.N_TRIPLES)
    graph = Graph().parse(data=text, format="nt")
    query = queries(1)[0]
    ox_times = []
    for _ in range(3):
        start = time.perf_counter()
        ox_rows = len(list(oxigraph.query(query)))
        ox_times.append(time.perf_counter() - start)
    start = time.perf_counter()
    rdflib_rows = len(list(graph.query(query)))
    rdflib_time = time.perf_counter() - start
    if ox_rows != rdflib_rows:
        raise AssertionError(f"engines disagree: {ox_rows} vs {rdflib_rows} rows")
    return min(ox_times), rdflib_time


def run(store_path: Path | str, *, upkeep_records: int = 20_000, runs: int = 40) -> bool:
    """Measure the view and queries over the store at ``store_path``; print; False on a miss."""
    failures = []
    store = SqliteStore(store_path)
    try:
        view = RdfView(store)
        start = time.perf_counter()
        applied = view.rebuild()
        build = time.perf_counter() - start
        rate = applied / build
        print(f"sparql view:   {applied:,} records -> {len(view):,} quads in {build:.1f} s "
              f"({rate:,.0f} records/s; built once per process, then caught up by seq)")
        # updates: the same records again (old statements removed first), as sync delivers them
        sample = store.changes(0, min(5000, applied))
        start = time.perf_counter()
        view.apply([(view.last_seq + i + 1, body) for i, (_, body) in enumerate(sample)])
        update_rate = len(sample) / (time.perf_counter() - start)
        print(f"sparql upkeep: {update_rate:,.0f} records/s replacing records "
              f"(the view's own rate; its cost to a sync is measured below)")
        if upkeep_records and not view_upkeep.report(upkeep_records):
            failures.append("keeping the view current costs a sync more than 30%")
        times = []
        for query in queries(runs):
            start = time.perf_counter()
            run_query(view, query, timeout=30, max_results=10_000)
            times.append(time.perf_counter() - start)
        print(f"sparql select: p95 {p95(times) * 1000:,.1f} ms, median "
              f"{statistics.median(times) * 1000:,.1f} ms over {runs} filtered SELECTs at "
              f"{applied:,} records (target p95 <= 1 s)")
        if p95(times) > 1.0:
            failures.append("filtered SELECT p95 above 1 s")
        small = min(10_000, applied)
        ox_time, rdflib_time = versus_rdflib(store, small)
        speedup = rdflib_time / ox_time
        print(f"sparql engine: Oxigraph {ox_time * 1000:,.1f} ms vs rdflib {rdflib_time:,.2f} s "
              f"on the same query at {small:,} records: {speedup:,.0f}x (target >= 20x)")
        if speedup < 20:
            failures.append("Oxigraph less than 20x faster than rdflib")
    finally:
        store.close()
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    return not failures


def build_store(path: Path, count: int) -> None:
    """A store of ``count`` bench/records.py initiatives (placeholder proofs)."""
    store = SqliteStore(path)
    try:
        records = initiatives(count)
        for offset in range(0, count, 5000):
            with store.write() as writer:
                for record in records[offset:offset + 5000]:
                    record["proof"] = {"type": "DataIntegrityProof", "proofValue": "z0"}
                    writer.put(record, json.dumps(record).encode("utf-8"))
    finally:
        store.close()


def main() -> int:
    """Run standalone; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--upkeep-records", type=int, default=20_000,
                        help="records synced for the view upkeep measure (0: skip it)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ncc-bench-sparql-") as tmp:
        path = Path(tmp) / "node.db"
        print(f"building a store of {args.records:,} records ...", file=sys.stderr, flush=True)
        build_store(path, args.records)
        ok = run(path, upkeep_records=args.upkeep_records)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
