"""Benchmark: what keeping the RDF view current costs a sync (issue 6), measured in one run.

Two fresh nodes pull the same N records (default 20,000) from an origin on loopback with
`ncc sync --once`: the first alone, the second while another process — as a serving node does
before each SPARQL query — keeps an RDF view of the receiving database current (``RdfView
.catch_up`` in a loop, every 50 ms, until the view holds every record). The cost is the extra
time until *both* the sync is done and the view is current, over the time of the sync alone:
target <= 30%. The sync rates with and without the view are printed too.

Run: python bench/view_upkeep.py [--records 20000]; bench/sparql.py's ``run`` calls ``measure``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import free_port, run, write_payloads  # noqa: E402


def _sync_bench() -> Any:
    """bench/sync.py (the origin server, `ncc sync --once`), loaded under another name: as
    ``sync`` it would shadow the project's sync package."""
    spec = importlib.util.spec_from_file_location("sync_bench", Path(__file__).parent / "sync.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


sync_bench = _sync_bench()

# The view keeper: a separate process, like a serving node's; prints when its view is current.
KEEPER = """\
import json, sys, time
from ncc_node.rdfview import RdfView
from ncc_node.store import SqliteStore
store = SqliteStore(sys.argv[1])
expected, deadline = int(sys.argv[2]), time.monotonic() + 900
view = RdfView(store)
while time.monotonic() < deadline:
    view.catch_up()
    if view.last_seq >= expected:
        break
    time.sleep(0.05)
print(json.dumps({"done_at": time.time(), "last_seq": view.last_seq, "quads": len(view)}))
"""


def measure(records: int = 20_000,
            page_size: int = 500) -> tuple[float, float, float, dict[str, int]]:
    """Return (seconds alone, seconds until synced and viewed, the sync rate beside the view,
    facts)."""
    with tempfile.TemporaryDirectory(prefix="ncc-bench-view-") as tmp:
        root = Path(tmp)
        env = sync_bench.bench_environment()
        origin_url = f"http://127.0.0.1:{free_port()}"
        run("init", "--country", "DE", "--base-url", origin_url, "--dir", str(root / "de"),
            env=env)
        payloads = root / "payloads.jsonl"
        print(f"view upkeep: generating and importing {records} records ...", file=sys.stderr,
              flush=True)
        write_payloads(payloads, records)
        run("import", str(payloads), "--config", str(root / "de" / "ncc.toml"), env=env)
        sync_bench.serve_origin(root / "de" / "ncc.toml", int(origin_url.rsplit(":", 1)[1]))
        sync_env = sync_bench.peer_environment(env, origin_url, page_size)
        configs = sync_bench.init_receivers(root, ("alone", "viewed"), env)
        print("view upkeep: syncing alone ...", file=sys.stderr, flush=True)
        alone, alone_s, _, _ = sync_bench.sync_once(configs[0], sync_env)
        # the receiving node holds its own descriptor (seq 1), the origin's and the records
        expected = records + 2
        print("view upkeep: syncing beside a process keeping the view current ...",
              file=sys.stderr, flush=True)
        keeper = subprocess.Popen([sys.executable, "-c", KEEPER, str(root / "viewed" / "node.db"),
                                   str(expected)], env=env, stdout=subprocess.PIPE, text=True)
        started = time.time()
        viewed, _, _, _ = sync_bench.sync_once(configs[1], sync_env)
        out, _ = keeper.communicate(timeout=900)
        facts = json.loads(out)
        if facts["last_seq"] < expected or viewed["accepted"] != records + 1:
            raise SystemExit(f"view upkeep: the view reached seq {facts['last_seq']} of "
                             f"{expected}; sync accepted {viewed['accepted']}")
        return alone_s, facts["done_at"] - started, viewed["records_per_s"], {
            "alone_rate": int(alone["records_per_s"]), "quads": facts["quads"]}


def report(records: int = 20_000) -> bool:
    """Measure and print; False when the target is missed."""
    alone_s, viewed_s, viewed_rate, facts = measure(records)
    cost = viewed_s / alone_s - 1
    print(f"view upkeep:   sync of {records:,} records {alone_s:.1f} s alone "
          f"({facts['alone_rate']:,} records/s in the worker); synced and viewed "
          f"({facts['quads']:,} quads) after {viewed_s:.1f} s ({viewed_rate:,.0f} records/s in "
          f"the worker): {cost:+.0%} time (target <= +30%)")
    return cost <= 0.30


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    args = parser.parse_args()
    ok = report(args.records)
    print("OK" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
