"""Benchmark a node under hostile SPARQL use: memory of its process tree and /node latency.

Against a real `ncc serve` (its defaults: granian, `[sparql]` defaults) on 127.0.0.1 with N
initiatives (default 20,000, imported with `ncc import`): 4 clients loop on the slow query
``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1`` for 30 s, while one client
times ``GET /node`` and a sampler reads the resident memory of the server's whole process tree
(serving workers and query processes) from /proc. Prints the peak RSS, the /node p50/p95/max and
what the slow queries were answered; exits 1 when the peak RSS exceeds 1 GiB or the /node p95
exceeds 500 ms. Linux only (/proc). Run: python bench/hostile.py [--records N] [--seconds S]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import NCC, free_port, run, wait_until_up, write_payloads  # noqa: E402

SLOW = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CLIENTS = 4
RSS_LIMIT = 1024 ** 3
P95_LIMIT_S = 0.5
PAGE_BYTES = os.sysconf("SC_PAGE_SIZE")


def tree(root: int) -> list[int]:
    """``root`` and all its descendants (from /proc/<pid>/stat's parent field)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(parents.get(pid, []))
    return found


def rss(pids: list[int]) -> int:
    """Summed resident set size of ``pids`` (processes that ended meanwhile count 0)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as statm:
                total += int(statm.read().split()[1]) * PAGE_BYTES
        except OSError:
            continue
    return total


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    failures = []
    with tempfile.TemporaryDirectory(prefix="ncc-hostile-") as tmp:
        root = Path(tmp)
        url = f"http://127.0.0.1:{free_port()}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}
        run("init", "--country", "DE", "--base-url", url, "--dir", str(root / "de"), env=env)
        env["NCC_CONFIG"] = str(root / "de" / "ncc.toml")
        env["NCC_SERVER_PORT"] = url.rsplit(":", 1)[1]
        payloads = root / "payloads.jsonl"
        print(f"generating and importing {args.records:,} records ...", file=sys.stderr,
              flush=True)
        write_payloads(payloads, args.records)
        run("import", str(payloads), env=env)
        server = subprocess.Popen([*NCC, "serve"], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
        try:
            wait_until_up(url, server)
            idle = rss(tree(server.pid))
            # one query first: the query processes build their views (not part of the attack)
            requests.get(f"{url}/sparql", timeout=300,
                         params={"query": "ASK { ?s ?p ?o }"}).raise_for_status()
            ready = rss(tree(server.pid))
            print(f"rss:         {idle / 2**20:,.0f} MiB serving, {ready / 2**20:,.0f} MiB with "
                  "the query processes' views built", flush=True)
            stop = threading.Event()
            answers: Counter[str] = Counter()
            peak = [ready]

            def attack() -> None:
                with requests.Session() as session:
                    while not stop.is_set():
                        response = session.get(f"{url}/sparql", params={"query": SLOW},
                                               timeout=120)
                        code = (response.json().get("error", {}).get("code", "")
                                if response.status_code >= 400 else "")
                        answers[f"{response.status_code} {code}".strip()] += 1

            def sample() -> None:
                while not stop.is_set():
                    peak[0] = max(peak[0], rss(tree(server.pid)))
                    stop.wait(0.1)

            threads = [threading.Thread(target=attack) for _ in range(CLIENTS)]
            threads.append(threading.Thread(target=sample))
            for thread in threads:
                thread.start()
            latencies = []
            ended = time.monotonic() + args.seconds
            print(f"attack:      {CLIENTS} clients looping the slow query for "
                  f"{args.seconds:g} s ...", file=sys.stderr, flush=True)
            with requests.Session() as session:
                while time.monotonic() < ended:
                    began = time.perf_counter()
                    session.get(f"{url}/node", timeout=30).raise_for_status()
                    latencies.append(time.perf_counter() - began)
                    time.sleep(0.05)  # a monitoring client, not a load generator
            stop.set()
            for thread in threads:
                thread.join(180)
            p95 = statistics.quantiles(latencies, n=20)[-1]
            print(f"peak rss:    {peak[0] / 2**20:,.0f} MiB, the node's whole process tree "
                  f"(target <= {RSS_LIMIT / 2**20:,.0f} MiB)")
            print(f"GET /node:   p50 {statistics.median(latencies) * 1000:.1f} ms, p95 "
                  f"{p95 * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over "
                  f"{len(latencies)} requests (target p95 <= {P95_LIMIT_S * 1000:.0f} ms)")
            print("slow query:  " + ", ".join(f"{n} x {answer}"
                                              for answer, n in sorted(answers.items())))
            if peak[0] > RSS_LIMIT:
                failures.append("peak RSS of the process tree above 1 GiB")
            if p95 > P95_LIMIT_S:
                failures.append("GET /node p95 above 500 ms")
            if any(answer.startswith("5") and not answer.startswith("503")
                   for answer in answers):
                failures.append("a slow query was answered with a 5xx other than 503")
        finally:
            family = tree(server.pid)
            server.terminate()
            server.wait(timeout=60)
            gone = time.monotonic() + 15  # query processes notice their parent is gone
            while time.monotonic() < gone and any(Path(f"/proc/{p}").exists() for p in family):
                time.sleep(0.1)
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
