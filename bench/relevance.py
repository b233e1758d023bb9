"""Scouting relevance on real cases: nDCG@10 and recall@10 of a judged query set, per language.

The cases (bench/data/relevance-cases.jsonl) are real European social-innovation and ESF
cases (sources and licences in bench/data/README.md): mostly English, a third Dutch, a few
German and French. The queries (bench/data/relevance-queries.json) are written as scouts
would, at least five in each of en, de, et, nl and fr, each with graded judgments (2: the case
is about it, 1: it addresses it in part; unjudged cases count 0).

Each case becomes an initiative of its source's node, stored as a node holds synced records;
each query asks ``find_candidates`` for Estonia (no case is Estonian, so none is excluded).

recall@10 is the share of the judged-relevant cases in the top 10 out of as many as could be
there (``min(10, relevant)``), so 1.0 means ten relevant cases or all of them.
Exits non-zero below nDCG@10 0.60 overall or 0.45 in any language.
Run: python bench/relevance.py [--cases FILE] [--queries FILE] [--verbose]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from ncc_node.scout import ScoutQuery, Weights, find_candidates
from ncc_node.store import SqliteStore

DATA = Path(__file__).resolve().parent / "data"
TARGET_OVERALL = 0.60
TARGET_LANGUAGE = 0.45
CUTOFF = 10
TEXT_TERMS = ("name", "description", "approach", "impact", "results")


def record(case: dict[str, Any], index: int) -> dict[str, Any]:
    """A case as an initiative of its source's node (the fields scouting reads)."""
    base = f"https://{case['source']}.example.org"
    body: dict[str, Any] = {
        "@context": "https://w3id.org/ncc/context/v1",
        "id": f"{base}/initiatives/{uuid.uuid5(uuid.NAMESPACE_URL, case['key'])}",
        "type": "Initiative", "origin": f"{base}/node", "version": 1,
        "modified": "2026-12-01T00:00:00Z", "identifier": case["key"],
        "countries": [f"country:{c}" for c in case.get("countries", [])],
        "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-jcs-2022",
                  "proofValue": f"zbench{index}"},
    }
    for term in (*TEXT_TERMS, "startDate", "endDate", "sameAs"):
        if case.get(term):
            body[term] = case[term]
    if case.get("organisation"):
        body["leadOrganisation"] = {"type": "Organization", "legalName": case["organisation"]}
    return body


def dcg(gains: list[int]) -> float:
    """Discounted cumulative gain with exponential gains."""
    return sum((2 ** g - 1) / math.log2(rank + 2) for rank, g in enumerate(gains))


def evaluate(store: SqliteStore, queries: list[dict[str, Any]], by_key: dict[str, str],
             verbose: bool) -> tuple[dict[str, list[float]], dict[str, list[float]], list[float]]:
    """nDCG@10 and recall@10 of every query, grouped by language; query latencies (ms)."""
    ndcg: dict[str, list[float]] = defaultdict(list)
    recall: dict[str, list[float]] = defaultdict(list)
    latencies = []
    weights = Weights()
    for query in queries:
        judged: dict[str, int] = query["relevant"]
        start = time.perf_counter()
        found = find_candidates(store, ScoutQuery(country="EE", q=query["query"],
                                                  limit=CUTOFF), weights=weights)
        latencies.append((time.perf_counter() - start) * 1000)
        keys = [by_key.get(c.id, "") for c in found]
        gains = [judged.get(k, 0) for k in keys]
        ideal = dcg(sorted(judged.values(), reverse=True)[:CUTOFF])
        value = dcg(gains) / ideal if ideal else 0.0
        relevant = sum(1 for v in judged.values() if v > 0)
        hits = sum(1 for g in gains if g > 0)
        share = hits / min(CUTOFF, relevant) if relevant else 0.0
        ndcg[query["language"]].append(value)
        recall[query["language"]].append(share)
        if verbose:
            print(f"  {query['id']} [{query['language']}] {query['query']!r}: nDCG@10 "
                  f"{value:.2f}, recall@10 {share:.2f}  top: {keys[:5]}")
    return ndcg, recall, latencies


def main() -> int:
    """Build the store, run the judged queries, print the figures; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=Path, default=DATA / "relevance-cases.jsonl")
    parser.add_argument("--queries", type=Path, default=DATA / "relevance-queries.json")
    parser.add_argument("--verbose", action="store_true", help="one line per query")
    args = parser.parse_args()
    cases = [json.loads(line) for line in args.cases.read_text("utf-8").splitlines() if line]
    queries = json.loads(args.queries.read_text("utf-8"))["queries"]
    with tempfile.TemporaryDirectory(prefix="ncc-bench-relevance-") as tmp:
        store = SqliteStore(Path(tmp) / "node.db")
        try:
            by_key = {}
            start = time.perf_counter()
            with store.write() as writer:
                for index, case in enumerate(cases):
                    body = record(case, index)
                    by_key[body["id"]] = case["key"]
                    writer.put(body, json.dumps(body, ensure_ascii=False).encode("utf-8"),
                               received_from="https://peer.example.org")
            print(f"build:     {len(cases)} cases in {time.perf_counter() - start:.2f} s")
            ndcg, recall, latencies = evaluate(store, queries, by_key, args.verbose)
        finally:
            store.close()
    failures = []
    print(f"queries:   {len(queries)}, p50 {statistics.median(latencies):.1f} ms, "
          f"max {max(latencies):.1f} ms")
    for language in sorted(ndcg):
        value = statistics.mean(ndcg[language])
        print(f"{language}:        nDCG@10 {value:.3f}  recall@10 "
              f"{statistics.mean(recall[language]):.3f}  ({len(ndcg[language])} queries)")
        if value < TARGET_LANGUAGE:
            failures.append(f"nDCG@10 {value:.3f} in {language} below {TARGET_LANGUAGE}")
    overall = statistics.mean(v for values in ndcg.values() for v in values)
    overall_recall = statistics.mean(v for values in recall.values() for v in values)
    print(f"overall:   nDCG@10 {overall:.3f}  recall@10 {overall_recall:.3f}")
    if overall < TARGET_OVERALL:
        failures.append(f"nDCG@10 {overall:.3f} overall below {TARGET_OVERALL}")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
