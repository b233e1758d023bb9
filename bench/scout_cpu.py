"""CPU time per candidate query of bench/scout.py's mix, by query type (a probe, no target).

Wall-clock latencies mean little on a shared, loaded machine; the CPU time a query takes in
this process (``time.process_time``) does not depend on what else runs. Builds (or reuses) the
same 100,000-record store as bench/scout.py and reports p50/p95/max CPU ms per query type and
over the whole mix; ``--profile FILE`` writes a cProfile of the timed queries.
Run: python bench/scout_cpu.py [--records N] [--queries N] [--store PATH] [--profile FILE]
"""

from __future__ import annotations

import argparse
import cProfile
import random
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scout import KINDS, open_bench_store, p95, query_mix  # noqa: E402

from ncc_node.scout import Weights, find_candidates  # noqa: E402


def line(label: str, values: list[float]) -> str:
    """p50, p95 and max of ``values`` (ms)."""
    spread = p95(values) if len(values) >= 2 else values[0]
    return (f"{label:24} p50 {statistics.median(values):6.1f}  p95 {spread:6.1f}  "
            f"max {max(values):6.1f} ms CPU  ({len(values)} queries)")


def main() -> int:
    """Run the probe; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=350)
    parser.add_argument("--store", type=Path, help="keep the store here (reused when present)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the timed queries")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ncc-bench-scout-cpu-") as tmp:
        path = args.store or Path(tmp) / "node.db"
        store = open_bench_store(path, args.records)
        try:
            weights = Weights()
            mix = query_mix(random.Random(7))
            find_candidates(store, mix[0](), weights=weights)  # warm-up, as bench/scout.py
            by_kind: dict[str, list[float]] = defaultdict(list)
            profile = cProfile.Profile() if args.profile else None
            for index in range(args.queries):
                query = mix[index % len(mix)]()
                if profile is not None:
                    profile.enable()
                start = time.process_time()
                find_candidates(store, query, weights=weights)
                by_kind[KINDS[index % len(mix)]].append((time.process_time() - start) * 1000)
                if profile is not None:
                    profile.disable()
            if profile is not None:
                profile.dump_stats(str(args.profile))
        finally:
            store.close()
    for kind in KINDS:
        if by_kind[kind]:
            print(line(kind, by_kind[kind]))
    print(line("all", [v for values in by_kind.values() for v in values]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
