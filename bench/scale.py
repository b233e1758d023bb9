"""SQLite and PostgreSQL side by side at scale: import, lists, scouting, feed, sync, size.

For each backend a store is filled with ``--records`` federated initiatives of four origins
(bench/scout.py's generator; placeholder proofs: the store does not verify) and timed in-process:

- import: records/s written through ``Store.write()`` in transactions of 5,000 (indexing
  included; validation and signing are bench/serve.py's);
- list: p95 of a filtered page of 50 plus its count (what ``GET /initiatives`` runs);
- scouting: p95 of ``find_candidates`` over bench/scout.py's query mix;
- feed: 500-record pages/s read through ``changes()`` from the start of the feed;
- sync: a real ``ncc sync --once`` of ``--sync-records`` signed records from an origin on
  loopback into a node on that backend, against the raw Ed25519 verify rate of the same
  signatures (bench/sync.py's machinery);
- size: the database's bytes (SQLite: file and WAL; PostgreSQL: every table and index of
  the store's schema).

The PostgreSQL server is ``NCC_TEST_DATABASE`` (each run uses a fresh schema, dropped after).
Targets on PostgreSQL at 1,000,000 records: scouting p95 <= 100 ms, list p95 <= 50 ms, sync
>= 0.35 of raw verify; the script exits non-zero when one is missed (at any --records).
Run: NCC_TEST_DATABASE=postgresql://… python bench/scale.py [--records N] [--sync-records N]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scout import federated, p95, time_queries  # noqa: E402
from serve import free_port, run, write_payloads  # noqa: E402

from ncc_node.store import RecordFilter, Store, open_store  # noqa: E402


def _bench_sync() -> Any:
    """bench/sync.py (a module name the project's own sync package takes)."""
    spec = importlib.util.spec_from_file_location("bench_sync", Path(__file__).parent / "sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module

TARGETS = {"scout_p95_ms": 100.0, "list_p95_ms": 50.0, "sync_ratio": 0.35}
THEMES = ["education", "housing", "poverty", "care", "employment"]


def pg_schema(url: str) -> tuple[str, Callable[[], None]]:
    """A fresh schema in the server at ``url``: its URL, and a function dropping it."""
    import psycopg

    name = f"ncc_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{name}", drop


def import_rate(store: Store, records: list[dict[str, Any]]) -> float:
    start = time.perf_counter()
    for begin in range(0, len(records), 5000):
        with store.write() as writer:
            for record in records[begin:begin + 5000]:
                body = json.dumps(record, ensure_ascii=False).encode("utf-8")
                writer.put(record, body, received_from="https://peer.example.org")
        done = min(begin + 5000, len(records))
        print(f"  imported {done:,}/{len(records):,}", file=sys.stderr, flush=True)
    return len(records) / (time.perf_counter() - start)


def list_p95(store: Store, queries: int = 200) -> float:
    rng = random.Random(3)
    latencies = []
    for index in range(queries):
        where = [
            RecordFilter(kind="Initiative", theme=f"https://w3id.org/ncc/concepts/theme/"
                         f"{rng.choice(THEMES)}"),
            RecordFilter(kind="Initiative", sdg=f"http://metadata.un.org/sdg/{rng.randint(1, 17)}",
                         country="http://publications.europa.eu/resource/authority/country/DEU"),
            RecordFilter(kind="Initiative", q=rng.choice(["Bildung", "jongeren", "kogukonna"])),
            RecordFilter(kind="Initiative"),
        ][index % 4]
        start = time.perf_counter()
        page = store.list_records(where, after=None, limit=50)
        if page:
            store.list_records(where, after=page[-1].id, limit=50)
        store.count(where)
        latencies.append((time.perf_counter() - start) * 1000)
    return p95(latencies)


def feed_rate(store: Store, limit: int = 500) -> float:
    after, pages, start = 0, 0, time.perf_counter()
    while True:
        page = store.changes(after, limit)
        if not page:
            break
        after, pages = page[-1][0], pages + 1
    return pages / (time.perf_counter() - start)


def size_of(store: Store, location: str | Path) -> int:
    if isinstance(location, Path):
        return sum(p.stat().st_size for p in (location, Path(f"{location}-wal")) if p.exists())
    return int(store._reader.execute(  # type: ignore[attr-defined]
        "SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c JOIN "
        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() "
        "AND c.relkind IN ('r', 'm')").fetchone()[0])


def store_figures(location: str | Path, records: list[dict[str, Any]],
                  queries: int) -> dict[str, float]:
    store = open_store(location)
    try:
        figures = {"import": import_rate(store, records)}
        if not isinstance(location, Path):  # what autovacuum does after a bulk load, now
            store._reader.execute("ANALYZE")  # type: ignore[attr-defined]
        figures["list_p95_ms"] = list_p95(store)
        scout, _ = time_queries(store, queries)  # type: ignore[arg-type]
        figures["scout_p95_ms"] = p95(scout)
        figures["feed_pages_s"] = feed_rate(store)
        figures["size_mib"] = size_of(store, location) / 2**20
    finally:
        store.close()
    return figures


def sync_ratios(count: int, pg_url: str) -> dict[str, float]:
    """``ncc sync --once`` of ``count`` signed records into a SQLite and a PostgreSQL node."""
    bench = _bench_sync()
    ratios: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="ncc-bench-scale-") as tmp:
        root = Path(tmp)
        env = bench.bench_environment()
        origin_url = f"http://127.0.0.1:{free_port()}"
        run("init", "--country", "DE", "--base-url", origin_url, "--dir", str(root / "de"),
            env=env)
        payloads = root / "payloads.jsonl"
        write_payloads(payloads, count)
        print(f"  importing {count:,} signed records into the origin", file=sys.stderr)
        run("import", str(payloads), "--config", str(root / "de" / "ncc.toml"), env=env)
        bench.serve_origin(root / "de" / "ncc.toml", int(origin_url.rsplit(":", 1)[1]))
        raw, _ = bench.raw_verify_rate(root / "de" / "node.db", f"{origin_url}/node")
        url, drop = pg_schema(pg_url)
        try:
            for backend, extra in (("sqlite", {}), ("postgresql", {"NCC_NODE_DATABASE": url})):
                node_env = {**env, **extra}
                [config] = bench.init_receivers(root, (backend,), env)
                if extra:  # `ncc init` makes a SQLite node: moved into PostgreSQL
                    run("migrate", "--to", url, "--config", str(config), env=env)
                print(f"  syncing {count:,} into {backend}", file=sys.stderr, flush=True)
                result, _, _, _ = bench.sync_once(
                    config, bench.peer_environment(node_env, origin_url, 500))
                if result["accepted"] != count + 1 or result["error"]:
                    sys.exit(f"sync into {backend} accepted {result['accepted']} of {count + 1}"
                             f" (error: {result['error']})")
                ratios[backend] = result["records_per_s"] / raw
                ratios[f"{backend}_rate"] = result["records_per_s"]
        finally:
            drop()
        ratios["raw"] = raw
    return ratios


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--sync-records", type=int, default=20_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    pg_url = os.environ.get("NCC_TEST_DATABASE")
    if not pg_url:
        sys.exit("set NCC_TEST_DATABASE=postgresql://… (the server to measure)")
    print(f"generating {args.records:,} records ...", file=sys.stderr, flush=True)
    records = federated(args.records)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="ncc-bench-scale-") as tmp:
        print("SQLite:", file=sys.stderr)
        results["sqlite"] = store_figures(Path(tmp) / "node.db", records, args.queries)
    url, drop = pg_schema(pg_url)
    try:
        print("PostgreSQL:", file=sys.stderr)
        results["postgresql"] = store_figures(url, records, args.queries)
    finally:
        drop()
    sync = sync_ratios(args.sync_records, pg_url)
    lite, pg = results["sqlite"], results["postgresql"]
    print(f"{os.cpu_count()} cores; {args.records:,} records "
          f"(sync: {args.sync_records:,} signed records)")
    print(f"{'':22}{'SQLite':>14}{'PostgreSQL':>14}  target (PostgreSQL)")
    rows = [("import (records/s)", "import", "{:14,.0f}", ""),
            ("list p95 (ms)", "list_p95_ms", "{:14.1f}", "<= 50"),
            ("scouting p95 (ms)", "scout_p95_ms", "{:14.1f}", "<= 100"),
            ("feed (pages of 500/s)", "feed_pages_s", "{:14.1f}", ""),
            ("database (MiB)", "size_mib", "{:14.1f}", "")]
    for label, key, fmt, target in rows:
        print(f"{label:22}{fmt.format(lite[key])}{fmt.format(pg[key])}  {target}")
    print(f"{'sync / raw verify':22}{sync['sqlite']:14.2f}{sync['postgresql']:14.2f}  >= 0.35 "
          f"({sync['sqlite_rate']:,.0f} and {sync['postgresql_rate']:,.0f} records/s; raw "
          f"{sync['raw']:,.0f}/s)")
    failures = []
    if pg["scout_p95_ms"] > TARGETS["scout_p95_ms"]:
        failures.append("PostgreSQL scouting p95 above 100 ms")
    if pg["list_p95_ms"] > TARGETS["list_p95_ms"]:
        failures.append("PostgreSQL list p95 above 50 ms")
    if sync["postgresql"] < TARGETS["sync_ratio"]:
        failures.append("PostgreSQL sync below 0.35 of raw Ed25519 verify")
    if args.records < 1_000_000:
        print(f"note: targets are for 1,000,000 records; this run had {args.records:,}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
