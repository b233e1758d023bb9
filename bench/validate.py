"""Benchmark: fast validator vs pyshacl on the same 1,000 records (issue 2).

Prints records/s of both and their ratio; exits 1 if the fast validator is not at least
20x faster or if the two disagree on any record. Run: python bench/validate.py [--records N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from records import initiatives  # noqa: E402

from vocab.validation import fast_validator, validate_fast, validate_shacl  # noqa: E402

TARGET = 20.0


def main() -> int:
    """Run the benchmark and return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args()
    records = initiatives(args.records)
    # every other record broken once, so both engines also work on failures
    for index, record in enumerate(records):
        if index % 2:
            record["stage"] = "maturity:unknown"
    fast_validator()  # compile the shapes outside the timed loop
    validate_shacl(records[0])  # warm up PyLD's context cache and pyshacl's imports

    start = time.perf_counter()
    fast = [validate_fast(r) for r in records]
    fast_s = time.perf_counter() - start
    print(f"fast validator: {len(records) / fast_s:10.1f} records/s", flush=True)

    shacl = []
    start = time.perf_counter()
    for index, record in enumerate(records):
        shacl.append(validate_shacl(record))
        if index % 100 == 99:
            print(f"  pyshacl {index + 1}/{len(records)}", file=sys.stderr, flush=True)
    shacl_s = time.perf_counter() - start
    print(f"pyshacl:        {len(records) / shacl_s:10.1f} records/s")

    disagreements = sum(bool(a) != bool(b) for a, b in zip(fast, shacl, strict=True))
    invalid = sum(bool(a) for a in fast)
    # the generator must produce valid records; only the deliberately broken half may fail
    unexpected = [i for i, found in enumerate(fast) if bool(found) != bool(i % 2)]
    if unexpected:
        print(f"FAIL: record {unexpected[0]} has unexpected verdict: {fast[unexpected[0]]}",
              file=sys.stderr)
        return 1
    ratio = shacl_s / fast_s
    print(f"records: {len(records)} ({invalid} invalid); disagreements: {disagreements}")
    print(f"ratio fast/pyshacl: {ratio:.1f}x (target >= {TARGET:.0f}x)")
    if disagreements or ratio < TARGET:
        print("FAIL", file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
