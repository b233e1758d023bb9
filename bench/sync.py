"""Benchmark sync (issue 5): one run, two nodes on loopback.

- Throughput: `ncc sync --once` of N records (default 50,000: fetch, verify, validate, store)
  must reach at least 50% of the raw Ed25519 verify rate measured in the same run on the same
  signatures (the hashData each proof signs, computed beforehand, then only `verify`).
- Memory bounded by the page size: syncing N records may use at most 20% more peak RSS than
  syncing N/5 (10,000), each in a fresh `ncc sync --once` process (its VmHWM as it exits).
- An up-to-date peer costs little: a round with nothing new takes one request per peer
  (counted by a WSGI middleware around the origin's app).

The origin is a real node served by waitress in this process (so its requests can be counted);
its records are imported with `ncc import` as bench/serve.py does. Prints figures; exits 1 when
a target is missed. Run: python bench/sync.py [--records 50000] [--page-size 500]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import waitress

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import free_port, run, write_payloads  # noqa: E402

from ncc_node.app import create_app  # noqa: E402
from ncc_node.identity.descriptor import key_lookup_from_descriptor  # noqa: E402
from ncc_node.integrity.cryptosuites import (  # noqa: E402
    canonicalize_document,
    canonicalize_proof_config,
    hash_data,
    proof_configuration,
    unsecured_document,
)
from ncc_node.integrity.multibase import multibase_decode  # noqa: E402
from ncc_node.store import SqliteStore  # noqa: E402
from ncc_node.timestamps import parse_timestamp  # noqa: E402


class CountingApp:
    """WSGI middleware counting requests by path (the origin's access log, in memory)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.paths: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        with self.lock:
            self.paths[environ.get("PATH_INFO", "")] += 1
        return self.app(environ, start_response)

    def take(self) -> dict[str, int]:
        """The counts since the last call, and reset them."""
        with self.lock:
            counts = dict(self.paths)
            self.paths.clear()
        return counts


def serve_origin(config: Path, port: int) -> CountingApp:
    """Serve the origin node with waitress in a daemon thread (it ends with the process)."""
    app = CountingApp(create_app({"config_file": str(config)}))
    server = waitress.create_server(app, host="127.0.0.1", port=port, threads=4,
                                    ident="ncc-bench", outbuf_overflow=16 * 1024 * 1024,
                                    send_bytes=256 * 1024)
    threading.Thread(target=server.run, name="origin", daemon=True).start()
    return app


# The worker's own peak RSS, read from /proc/self/status (VmHWM) as it exits. Not ru_maxrss
# from wait4: Linux records the pre-exec memory of the forked (or vforked) child there, which is
# this bench process's size, not the worker's. The checking processes (sync/checkpool.py) are
# not in VmHWM: a thread samples the RSS of the whole process tree every 50 ms and keeps the
# largest sum, reported beside it. It walks the tree from the worker down through each task's
# /proc children list, not the whole of /proc: the sampling must not take the worker's CPU.
PEAK_WRAPPER = """\
import atexit, os, sys, threading, time
peak_file = sys.argv.pop(1)
tree_peak = [0]
def children(pid):
    found = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as listed:
                found.extend(int(child) for child in listed.read().split())
    except OSError:
        pass
    return found
def tree_rss():
    total, todo = 0, [os.getpid()]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)
        except OSError:
            continue
        todo.extend(children(pid))
    return total
def sample():
    while True:
        tree_peak[0] = max(tree_peak[0], tree_rss())
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
def report():
    with open("/proc/self/status") as status, open(peak_file, "w") as out:
        own = next(line for line in status if line.startswith("VmHWM")).split()[1]
        out.write(f"{own} {tree_peak[0]}")
atexit.register(report)
from ncc_cli import main
if os.environ.get("BENCH_PROFILE"):  # cProfile each worker process into <file>.<pid>
    import cProfile
    out = os.environ["BENCH_PROFILE"] + f".{os.getpid()}"
    cProfile.run('main(prog_name="ncc", standalone_mode=False)', out)
else:
    main(prog_name="ncc")
"""


def sync_once(config: Path, env: dict[str, str]) -> tuple[dict[str, Any], float, int, int]:
    """Run `ncc sync --once --json` in a fresh process: (its result, wall s, its peak RSS and
    the peak RSS of its process tree, checking processes included, in KiB)."""
    with tempfile.TemporaryDirectory() as tmp:
        peak = Path(tmp) / "peak"
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", PEAK_WRAPPER, str(peak), "sync", "--once",
                               "--json", "--config", str(config)],
                              env=env, capture_output=True, text=True)
        wall = time.perf_counter() - start
        if done.returncode != 0:
            sys.exit(f"ncc sync --once failed ({done.returncode}):\n{done.stderr[-2000:]}")
        own_kib, tree_kib = (int(part) for part in peak.read_text().split())
    return json.loads(done.stdout)[0], wall, own_kib, tree_kib


def raw_verify_rate(db: Path, node_iri: str) -> tuple[float, int]:
    """Raw Ed25519 verify rate over the stored records' signatures (hashData precomputed)."""
    store = SqliteStore(db)
    try:
        descriptor = store.descriptor(node_iri)
        assert descriptor is not None
        lookup = key_lookup_from_descriptor(json.loads(descriptor.body))
        inputs = []
        for stored in store.iter_records(kind="Initiative"):
            document = json.loads(stored.body)
            proof = document["proof"]
            unsecured = unsecured_document(document)
            suite = proof["cryptosuite"]
            hashed = hash_data(
                canonicalize_proof_config(proof_configuration(proof, unsecured),
                                          cryptosuite=suite),
                canonicalize_document(unsecured, cryptosuite=suite))
            key = lookup(proof["verificationMethod"], parse_timestamp(proof["created"]))
            inputs.append((key, multibase_decode(proof["proofValue"]), hashed))
    finally:
        store.close()
    best = 0.0
    for _ in range(3):  # best of three, as bench/proofs.py does
        start = time.perf_counter()
        for key, signature, hashed in inputs:
            key.verify(signature, hashed)
        best = max(best, len(inputs) / (time.perf_counter() - start))
    return best, len(inputs)


def bench_environment() -> dict[str, str]:
    """This process's environment without NCC_* settings (each node reads its own config)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}


def peer_environment(env: dict[str, str], origin_url: str, page_size: int) -> dict[str, str]:
    """The environment of a receiving node's `ncc sync`: the origin as its one peer."""
    return {**env, "NCC_PEERS": json.dumps([{"base_url": origin_url}]),
            "NCC_SYNC_PAGE_SIZE": str(page_size)}


def init_receivers(root: Path, names: Sequence[str], env: dict[str, str]) -> list[Path]:
    """`ncc init` a fresh Estonian node per name under ``root``; return their configs."""
    configs = []
    for name in names:
        run("init", "--country", "EE", "--base-url", f"http://127.0.0.1:{free_port()}",
            "--dir", str(root / name), env=env)
        configs.append(root / name / "ncc.toml")
    return configs


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()
    small = args.records // 5
    failures = []
    with tempfile.TemporaryDirectory(prefix="ncc-bench-sync-") as tmp:
        root = Path(tmp)
        env = bench_environment()
        origin_url = f"http://127.0.0.1:{free_port()}"
        run("init", "--country", "DE", "--base-url", origin_url, "--dir", str(root / "de"),
            env=env)
        origin_config = root / "de" / "ncc.toml"
        payloads = root / "payloads.jsonl"
        print(f"generating {args.records} payloads ...", file=sys.stderr, flush=True)
        write_payloads(payloads, args.records)
        lines = payloads.read_text(encoding="utf-8").splitlines(keepends=True)
        (root / "small.jsonl").write_text("".join(lines[:small]), encoding="utf-8")
        print(f"importing {small} ...", file=sys.stderr, flush=True)
        run("import", str(root / "small.jsonl"), "--config", str(origin_config), env=env)
        origin = serve_origin(origin_config, int(origin_url.rsplit(":", 1)[1]))
        sync_env = peer_environment(env, origin_url, args.page_size)
        configs = init_receivers(root, ("small", "large"), env)
        print(f"syncing {small} ...", file=sys.stderr, flush=True)
        small_result, small_wall, small_rss, small_tree = sync_once(configs[0], sync_env)
        print(f"importing the other {args.records - small} ...", file=sys.stderr, flush=True)
        run("import", str(payloads), "--config", str(origin_config), env=env)
        print(f"syncing {args.records} ...", file=sys.stderr, flush=True)
        origin.take()
        large_result, large_wall, large_rss, large_tree = sync_once(configs[1], sync_env)
        full_round = origin.take()
        idle_result, _, idle_rss, _ = sync_once(configs[1], sync_env)
        idle_round = origin.take()
        raw_rate, signatures = raw_verify_rate(root / "de" / "node.db", f"{origin_url}/node")

    for label, result, wall in (("small", small_result, small_wall),
                                ("large", large_result, large_wall)):
        print(f"sync {label}:  {result['accepted']:7,} accepted, {result['pages']} pages, "
              f"{result['records_per_s']:8,.0f} records/s in the worker "
              f"({wall:.1f} s wall for the whole `ncc sync --once` process)")
    expected = args.records + 1  # and the origin's descriptor
    if large_result["accepted"] != expected or large_result["error"]:
        failures.append(f"large sync accepted {large_result['accepted']} of {expected} "
                        f"(error: {large_result['error']})")
    ratio = large_result["records_per_s"] / raw_rate
    print(f"raw verify:  {raw_rate:8,.0f} signatures/s (Ed25519 only, same {signatures:,} "
          "signatures, hashData precomputed, best of 3)")
    print(f"sync/raw:    {ratio:8.2f} (target >= 0.50)")
    if ratio < 0.5:
        failures.append("sync below 50% of the raw Ed25519 verify rate")
    growth = large_rss / small_rss
    print(f"peak RSS:    {small_rss / 1024:8.1f} MiB syncing {small:,}, {large_rss / 1024:.1f} MiB "
          f"syncing {args.records:,}: x{growth:.2f} (target <= x1.20); "
          f"{idle_rss / 1024:.1f} MiB for a round with nothing new")
    tree_growth = large_tree / small_tree
    print(f"with checks: {small_tree / 1024:8.1f} MiB syncing {small:,}, "
          f"{large_tree / 1024:.1f} MiB syncing {args.records:,}: x{tree_growth:.2f} "
          "(the worker and its checking processes, sampled every 50 ms; target <= x1.20)")
    if growth > 1.2 or tree_growth > 1.2:
        failures.append("peak RSS grows more than 20% from N/5 to N records")
    print(f"requests:    full sync {sum(full_round.values())} ({_paths(full_round)}); "
          f"up-to-date round {sum(idle_round.values())} ({_paths(idle_round)}), "
          f"up_to_date={idle_result['up_to_date']} (target: 1 per peer)")
    if sum(idle_round.values()) != 1:
        failures.append("an up-to-date round took more than one request")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


def _paths(counts: dict[str, int]) -> str:
    return ", ".join(f"{path} x{count}" for path, count in sorted(counts.items()))


if __name__ == "__main__":
    sys.exit(main())
