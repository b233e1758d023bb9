"""Benchmark the federation at EU scale: N real nodes on loopback in three topologies.

N nodes (default 30: the 27 member states and Iceland, Liechtenstein, Norway), each a real
`ncc serve` (granian, one worker) plus its `ncc sync --daemon`, each starting with its own small
records (default 1,000, texts from config/samples). Topologies:
- mesh: every node pulls every other node's own feed;
- star: an EU-level aggregator pulls every national feed and relays (`scope=all`); each national
  node pulls only the aggregator, `scope=all`;
- chain: node i pulls nodes i-1 and i+1 with `scope=all` (a line of relays).

Per topology it measures: seconds and sync rounds until every node's digest agrees; bytes on
the wire (sync and push requests and responses, heads included, as the daemons count them)
against the raw size of the records that moved (their signed bodies as stored); requests per
peer per round once up to date; the propagation time (p50/p95/max) of records published on
random nodes while the daemons run with push; in the mesh also with push off (pull only); the
RSS of each node's processes while it syncs and when idle.

Targets (exit 1 when one is missed): convergence in every topology; bytes on the wire <= 0.3 of
the raw size in the mesh; 1 request per peer per round when up to date; push propagation p95
<= 2 s in the star and the chain (the mesh is reported); pull propagation p95 <= one interval
plus the jitter in the mesh. Bounded: every wait has a deadline, and every process it started
is stopped at the end, also on failure or Ctrl-C.

Run: python bench/federation.py [--nodes 30] [--records 1000] [--interval 20] [--jitter 4]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

# run as a script, its folder comes first on sys.path, and bench/sync.py would shadow the sync
# package that ncc_cli imports
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
from ncc_cli.ports import free_port_run, port_free  # noqa: E402
from ncc_node import SqliteStore, digest  # noqa: E402

NCC = [sys.executable, "-m", "ncc_cli"]
ROOT = Path(__file__).resolve().parent.parent
# EU member states, then the three EEA countries
COUNTRIES = ("AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
             "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
             "IS", "LI", "NO")
AGGREGATOR = "EU"  # the EU-level node's jurisdiction: the EU itself, no member state's
PEER_LINE = re.compile(r"(?P<notified>notified: )?http\S+\s+(?:ok|FAILED).*?"
                       r"(?P<requests>\d+) request\(s\), (?P<wire>[\d,]+) B on the wire")
ROUND_LINE = re.compile(r"round (?P<n>\d+): (?P<peers>\d+) peer\(s\), [\d,]+ accepted, "
                        r"(?P<requests>\d+) request\(s\).*?; push since the last round: "
                        r".*?(?P<preq>\d+) request\(s\), (?P<pwire>[\d,]+) B on the wire|"
                        r"round (?P<n2>\d+): (?P<peers2>\d+) peer\(s\), [\d,]+ accepted, "
                        r"(?P<requests2>\d+) request\(s\)")


def small_records(country: str, count: int, seed: int) -> list[dict[str, Any]]:
    """``count`` small initiatives of ``country``: names and a description from the samples."""
    from ncc_node.identity import country_concept

    samples = []
    for path in sorted((ROOT / "config" / "samples").glob("*.jsonl")):
        samples += [row for row in map(json.loads, path.read_text(encoding="utf-8").splitlines())
                    if row["type"] == "Initiative"]
    rng = random.Random(seed)
    concept = country_concept(country)
    rows = []
    for index in range(count):
        sample = rng.choice(samples)
        row = {key: sample[key] for key in ("type", "languages", "sdgs", "stage", "themes",
                                            "targetGroups", "seeksPartners", "leadOrganisation")
               if key in sample}
        row["identifier"] = f"{country.lower()}-{index}"
        row["name"] = {"en": f"{sample['name']['en']} ({country} {index})"}
        row["description"] = {"en": rng.choice([s for s in samples
                                                 if "en" in s["description"]])["description"]["en"]}
        row["countries"] = [concept]
        rows.append(row)
    return rows


def ncc(*args: str, env: dict[str, str]) -> str:
    """Run an ncc command; return its stdout (exit on failure)."""
    done = subprocess.run([*NCC, *args], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ncc {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-2000:]}")
    return done.stdout


@dataclass
class Node:
    """One node of the federation: its folder, URL, token and processes."""

    name: str
    country: str
    url: str
    folder: Path
    token: str = ""
    peers: list[dict[str, str]] = field(default_factory=list)
    server: subprocess.Popen[bytes] | None = None
    daemon: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    peak_rss: int = 0

    @property
    def db(self) -> Path:
        """The node's SQLite file."""
        return self.folder / "node.db"

    @property
    def port(self) -> int:
        """The port its server listens on (fixed: the base URL is in its signed descriptor)."""
        return int(self.url.rsplit(":", 1)[1])

    @property
    def node_iri(self) -> str:
        """The node's IRI."""
        return self.url + "/node"


class Federation:
    """Starts and stops the nodes' processes; reads their logs and databases."""

    def __init__(self, nodes: list[Node], args: argparse.Namespace) -> None:
        self.nodes = nodes
        self.args = args
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}

    def node_env(self, node: Node, push: bool, aggregator: bool) -> dict[str, str]:
        """The settings of one node's processes, as NCC_* variables."""
        return {**self.env, "NCC_PEERS": json.dumps(node.peers),
                "NCC_SERVER_WORKERS": str(self.args.aggregator_workers if aggregator else 1),
                "NCC_SYNC_INTERVAL_S": str(self.args.interval),
                "NCC_SYNC_JITTER_S": str(self.args.jitter),
                "NCC_SYNC_CHECK_WORKERS": "1", "NCC_SYNC_CONNECT_TIMEOUT_S": "10",
                "NCC_SYNC_READ_TIMEOUT_S": "60",
                "NCC_PUSH_ENABLED": "true" if push else "false"}

    def start_servers(self, aggregator: Node | None) -> None:
        """`ncc serve` every node, then wait until each answers."""
        busy = [f"{n.port} ({n.name})" for n in self.nodes if not port_free(n.port)]
        if busy:  # chosen in build(), kept for every topology: another process took them since
            raise OSError(f"port(s) {', '.join(busy)} on 127.0.0.1 taken by another process "
                          "since the bench chose them; run it again")
        for node in self.nodes:
            env = self.node_env(node, True, node is aggregator)
            with (node.folder / "serve.log").open("wb") as log:
                node.server = subprocess.Popen(
                    [*NCC, "serve", "--config", str(node.folder / "ncc.toml")], env=env,
                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 300
        for node in self.nodes:
            while True:
                if node.server is not None and node.server.poll() is not None:
                    raise OSError(server_exited(node))
                try:
                    if requests.get(node.url + "/node", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline:
                    sys.exit(f"{node.name} did not come up within 300 s")
                time.sleep(0.2)

    def start_daemons(self, push: bool, aggregator: Node | None, tag: str) -> None:
        """`ncc sync --daemon` every node, its output in a log file."""
        for node in self.nodes:
            node.log = node.folder / f"sync-{tag}.log"
            with node.log.open("wb") as out:
                node.daemon = subprocess.Popen(
                    [*NCC, "sync", "--daemon", "--no-progress", "--config",
                     str(node.folder / "ncc.toml")],
                    env=self.node_env(node, push, node is aggregator), stdout=out,
                    stderr=subprocess.STDOUT, start_new_session=True)

    def stop_daemons(self) -> None:
        """SIGTERM the sync daemons and wait (bounded); kill what is left."""
        stop([n.daemon for n in self.nodes])
        for node in self.nodes:
            node.daemon = None

    def stop_all(self) -> None:
        """Stop every process started."""
        stop([n.daemon for n in self.nodes] + [n.server for n in self.nodes])
        for node in self.nodes:
            node.daemon = node.server = None

    # -- reading what happened -------------------------------------------------------------
    def counts(self) -> list[int]:
        """How many records each node holds."""
        result = []
        for node in self.nodes:
            with sqlite3.connect(f"file:{node.db}?mode=ro", uri=True, timeout=30) as conn:
                result.append(conn.execute("SELECT count(*) FROM records").fetchone()[0])
        return result

    def digests(self) -> set[str]:
        """The distinct digests of the nodes."""
        found = set()
        for node in self.nodes:
            store = SqliteStore(node.db)
            try:
                found.add(digest(store))
            finally:
                store.close()
        return found

    def raw_moved(self) -> int:
        """Bytes of the signed bodies each node holds from other origins (what moved)."""
        total = 0
        for node in self.nodes:
            with sqlite3.connect(f"file:{node.db}?mode=ro", uri=True, timeout=30) as conn:
                total += conn.execute("SELECT coalesce(sum(length(body)), 0) FROM records "
                                      "WHERE origin != ?", (node.node_iri,)).fetchone()[0]
        return total

    def log_lines(self, node: Node) -> list[str]:
        """The sync daemon's output so far."""
        if node.log is None or not node.log.exists():
            return []
        return node.log.read_text(encoding="utf-8", errors="replace").splitlines()

    def rounds_done(self) -> list[int]:
        """Full rounds each daemon has finished."""
        return [sum(1 for line in self.log_lines(n) if " round " in line) for n in self.nodes]

    def wire(self) -> tuple[int, int]:
        """(bytes on the wire, requests) the daemons logged so far, sync and push."""
        wire = reqs = 0
        for node in self.nodes:
            for line in self.log_lines(node):
                if (match := PEER_LINE.search(line)) is not None:
                    wire += int(match["wire"].replace(",", ""))
                    reqs += int(match["requests"])
                elif (match := ROUND_LINE.search(line)) is not None and match["pwire"]:
                    wire += int(match["pwire"].replace(",", ""))
                    reqs += int(match["preq"])
        return wire, reqs

    def idle_rounds(self, after: list[int]) -> tuple[int, int, int, int]:
        """(feed requests, peer-rounds, push requests, digest comparisons) in full rounds after
        ``after[i]`` rounds. A peer-round that compared digests (anti-entropy, every
        ``sync.anti_entropy_every`` runs with a peer, push pulls included, so at 30 nodes some
        land in any idle window) is counted apart, not as feed requests."""
        feed = peer_rounds = push = compared = 0
        for node, skip in zip(self.nodes, after, strict=True):
            seen = 0
            # the round's peer lines before its total (push pulls say "notified:"): (requests,
            # whether it compared digests)
            round_peers: list[tuple[int, bool]] = []
            for line in self.log_lines(node):
                match = ROUND_LINE.search(line)
                if match is None:
                    peer = PEER_LINE.search(line)
                    if peer is not None and not peer["notified"]:
                        round_peers.append((int(peer["requests"]), "; anti-entropy: " in line))
                    continue
                seen += 1
                peers, round_peers = round_peers, []
                if seen <= skip:
                    continue
                push += int(match["preq"] or 0)
                compared += sum(1 for _, digests in peers if digests)
                feed += sum(requests for requests, digests in peers if not digests)
                peer_rounds += sum(1 for _, digests in peers if not digests)
        return feed, peer_rounds, push, compared

    def sample_rss(self) -> list[int]:
        """Each node's RSS now (KiB): its server, granian worker, daemon and their children."""
        parents: dict[int, int] = {}
        rss: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry)], rss[int(entry)] = int(fields[1]), int(fields[21]) * 4
        sizes = []
        for node in self.nodes:
            todo = [p.pid for p in (node.server, node.daemon) if p is not None]
            total = 0
            while todo:
                pid = todo.pop()
                total += rss.get(pid, 0)
                todo.extend(child for child, parent in parents.items() if parent == pid)
            sizes.append(total)
            node.peak_rss = max(node.peak_rss, total)
        return sizes


def server_exited(node: Node) -> str:
    """Why a node's ``ncc serve`` ended before it answered: its port, and its log's end."""
    assert node.server is not None
    taken = "" if port_free(node.port) else f"; port {node.port} is taken by another process"
    lines = (node.folder / "serve.log").read_text(encoding="utf-8",
                                                  errors="replace").splitlines()
    return (f"ncc serve of {node.name} on port {node.port} exited with "
            f"{node.server.returncode}{taken}:\n" + "\n".join(lines[-5:]))


def stop(processes: Iterable[subprocess.Popen[bytes] | None]) -> None:
    """SIGTERM each process group, wait up to 30 s for all, then SIGKILL what is left."""
    live = [p for p in processes if p is not None and p.poll() is None]
    for process in live:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    for process in live:
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)


def wait_converged(fed: Federation, expected: int, timeout: float) -> tuple[float, list[int]]:
    """Seconds until every node holds ``expected`` records and the digests agree, and the
    rounds each daemon had finished by then (RSS sampled meanwhile)."""
    start = time.monotonic()
    last = -1
    while time.monotonic() - start < timeout:
        fed.sample_rss()
        counts = fed.counts()
        held = sum(counts)
        if held != last:
            print(f"  {time.monotonic() - start:6.1f} s: {held:,} of {expected * len(counts):,} "
                  f"records held", file=sys.stderr, flush=True)
            last = held
        if all(c == expected for c in counts) and len(fed.digests()) == 1:
            return time.monotonic() - start, fed.rounds_done()
        time.sleep(2)
    raise TimeoutError(f"no convergence within {timeout:.0f} s: counts {fed.counts()}")


def publish_and_watch(fed: Federation, count: int, timeout: float,
                      rng: random.Random) -> list[float]:
    """Publish ``count`` records on random nodes (0.2-1 s apart) while the daemons run; return
    each one's seconds until every node holds it (inf if it did not within ``timeout``)."""
    from ncc_node.identity import country_concept

    targets = [n for n in fed.nodes if n.name != "EU"]
    sent: dict[str, float] = {}
    seen: dict[str, set[int]] = {}
    done: dict[str, float] = {}
    conns = [sqlite3.connect(f"file:{n.db}?mode=ro", uri=True, timeout=30) for n in fed.nodes]
    next_at = time.monotonic()
    session = requests.Session()
    try:
        while len(done) < count and (not sent or time.monotonic() - max(sent.values()) < timeout):
            now = time.monotonic()
            if len(sent) < count and now >= next_at:
                origin = rng.choice(targets)
                body = {"type": "Initiative", "name": {"en": f"Published {len(sent)}"},
                        "description": {"en": "A record published while the daemons run."},
                        "countries": [country_concept(origin.country)],
                        "languages": ["lang:ENG"], "sdgs": ["sdg:4"], "stage": "maturity:pilot",
                        "leadOrganisation": {"type": "Organization", "legalName": "Bench"}}
                started = time.monotonic()
                response = session.post(origin.url + "/initiatives", json=body, timeout=30,
                                        headers={"Authorization": f"Bearer {origin.token}"})
                if response.status_code != 201:
                    sys.exit(f"publishing on {origin.name}: {response.status_code} "
                             f"{response.text[:300]}")
                record_id = response.json()["id"]
                sent[record_id], seen[record_id] = started, set()
                next_at = now + rng.uniform(0.2, 1.0)
            pending = [r for r in sent if r not in done]
            if pending:
                marks = ",".join("?" * len(pending))
                for index, conn in enumerate(conns):
                    for (record_id,) in conn.execute(
                            f"SELECT id FROM records WHERE id IN ({marks})", pending):
                        seen[record_id].add(index)
                now = time.monotonic()
                for record_id in pending:
                    if len(seen[record_id]) == len(conns):
                        done[record_id] = now - sent[record_id]
            time.sleep(0.05)
    finally:
        for conn in conns:
            conn.close()
    return [done.get(r, float("inf")) for r in sent]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank: the ceil(q*n)-th smallest (p95 of 20 is the 19th)."""
    ordered = sorted(values)
    rank = math.ceil(q * len(ordered) - 1e-9)  # 0.95 * 20 may come out a hair above 19
    return ordered[min(len(ordered) - 1, max(0, rank - 1))]


def build(root: Path, args: argparse.Namespace) -> list[Node]:
    """`ncc init` and `ncc import` the national nodes and the aggregator (kept as templates)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NCC_")}
    # below the ephemeral range (as `ncc demo`), so no outgoing connection takes one meanwhile
    base = free_port_run(args.nodes + 1)
    nodes = [Node(c, c, f"http://127.0.0.1:{base + i}", root / c.lower())
             for i, c in enumerate(COUNTRIES[: args.nodes])]
    seeds = {node.name: index for index, node in enumerate(nodes)}
    nodes.append(Node("EU", AGGREGATOR, f"http://127.0.0.1:{base + args.nodes}", root / "eu"))

    def make(node: Node) -> None:
        name = ["--name", "EU social innovation aggregator"] if node.name == "EU" else []
        ncc("init", "--country", node.country, "--base-url", node.url, "--dir",
            str(node.folder), *name, env=env)
        config = str(node.folder / "ncc.toml")
        if node.name != "EU":
            rows = small_records(node.country, args.records, seed=seeds[node.name])
            data = node.folder / "records.jsonl"
            data.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows),
                            encoding="utf-8")
            ncc("import", str(data), "--config", config, env=env)
        node.token = ncc("token", "create", "bench", "--scope", "write", "--config", config,
                         env=env).strip()

    with ThreadPoolExecutor(2) as pool:
        list(pool.map(make, nodes))
    return nodes


def topology(name: str, nodes: list[Node]) -> tuple[list[Node], Node | None]:
    """The nodes taking part and their peers; the aggregator for the star."""
    national, eu = nodes[:-1], nodes[-1]
    for node in nodes:
        node.peers = []
    if name == "mesh":
        for node in national:
            node.peers = [{"base_url": p.url, "scope": "own"} for p in national if p is not node]
        return national, None
    if name == "star":
        eu.peers = [{"base_url": p.url, "scope": "own"} for p in national]
        for node in national:
            node.peers = [{"base_url": eu.url, "scope": "all"}]
        return nodes, eu
    for index, node in enumerate(national):
        node.peers = [{"base_url": p.url, "scope": "all"}
                      for p in (national[index - 1] if index else None,
                                national[index + 1] if index + 1 < len(national) else None)
                      if p is not None]
    return national, None


@dataclass
class Figures:
    """One topology's measurements."""

    name: str
    nodes: int
    converged_s: float = float("nan")
    rounds: int = 0
    wire: int = 0
    raw: int = 0
    idle_requests: float = float("nan")
    idle_push_requests: int = 0
    idle_compared: int = 0  # peer-rounds of the idle rounds that also compared digests
    push: list[float] = field(default_factory=list)
    pull: list[float] = field(default_factory=list)
    rss_idle: list[int] = field(default_factory=list)
    rss_sync: list[int] = field(default_factory=list)
    rss_aggregator: tuple[int, int] | None = None
    db_bytes: int = 0  # the aggregator's SQLite files (star), else the largest node's
    error: str | None = None


def run_topology(name: str, template: list[Node], root: Path, args: argparse.Namespace,
                 rng: random.Random) -> Figures:
    """Copy the template nodes, run the topology, measure, stop everything."""
    folder = root / name
    nodes = [Node(n.name, n.country, n.url, folder / n.folder.name, n.token) for n in template]
    for source, node in zip(template, nodes, strict=True):
        shutil.copytree(source.folder, node.folder)
    members, aggregator = topology(name, nodes)
    fed = Federation(members, args)
    figures = Figures(name, len(members))
    expected = args.nodes * (args.records + 1) + (1 if aggregator else 0)
    print(f"{name}: starting {len(members)} nodes ...", file=sys.stderr, flush=True)
    try:
        fed.start_servers(aggregator)
        fed.start_daemons(True, aggregator, "push")
        figures.converged_s, rounds = wait_converged(fed, expected, args.timeout)
        figures.rounds = max(rounds) + 1  # the round in progress when the digests agreed
        figures.rss_sync = [n.peak_rss for n in members if n is not aggregator]
        print(f"{name}: converged in {figures.converged_s:.0f} s; idle rounds ...",
              file=sys.stderr, flush=True)
        # the round under way may hold the subscriptions' handshakes: idle rounds start after
        after = [done + 1 for done in fed.rounds_done()]
        deadline = time.monotonic() + 3 * (args.interval + args.jitter) + 60
        while min(r - a for r, a in zip(fed.rounds_done(), after, strict=True)) < 2:
            if time.monotonic() > deadline:
                raise TimeoutError("daemons did not finish two idle rounds in time")
            time.sleep(1)
        feed, peer_rounds, figures.idle_push_requests, figures.idle_compared = \
            fed.idle_rounds(after)
        figures.idle_requests = feed / max(1, peer_rounds)
        sizes = fed.sample_rss()
        figures.rss_idle = [s for n, s in zip(members, sizes, strict=True) if n is not aggregator]
        if aggregator is not None:
            figures.rss_aggregator = (aggregator.peak_rss, sizes[members.index(aggregator)])
        figures.db_bytes = max(sum(f.stat().st_size for f in n.folder.glob("node.db*"))
                               for n in ([aggregator] if aggregator else members))
        figures.wire, _ = fed.wire()
        figures.raw = fed.raw_moved()
        print(f"{name}: publishing {args.publish} records with push ...", file=sys.stderr,
              flush=True)
        figures.push = publish_and_watch(fed, args.publish, 30, rng)
        if name == "mesh":
            fed.stop_daemons()
            fed.start_daemons(False, aggregator, "pull")
            print(f"{name}: publishing {args.publish} records, pull only ...", file=sys.stderr,
                  flush=True)
            time.sleep(1)
            figures.pull = publish_and_watch(fed, args.publish,
                                             2 * (args.interval + args.jitter) + 30, rng)
    except (TimeoutError, OSError) as exc:
        figures.error = str(exc)
    finally:
        fed.stop_all()
    return figures


def fmt_p(values: Sequence[float]) -> str:
    """p50 / p95 / max in seconds."""
    if not values:
        return "-"
    return (f"{percentile(values, 0.5):.2f} / {percentile(values, 0.95):.2f} / "
            f"{max(values):.2f}")


def main() -> int:
    """Run the benchmark; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", type=int, default=30, choices=range(2, len(COUNTRIES) + 1),
                        metavar="N")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--interval", type=float, default=20.0)
    parser.add_argument("--jitter", type=float, default=4.0)
    parser.add_argument("--publish", type=int, default=20,
                        help="records published per topology to time propagation")
    parser.add_argument("--aggregator-workers", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900,
                        help="most seconds a topology may take to converge")
    parser.add_argument("--topologies", default="mesh,star,chain")
    parser.add_argument("--keep", type=Path,
                        help="copy the daemons' logs into this folder before cleaning up")
    args = parser.parse_args()
    rng = random.Random(21)
    results: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="ncc-bench-federation-") as tmp:
        root = Path(tmp)
        started = time.monotonic()
        print(f"setting up {args.nodes} nodes with {args.records} records each and the "
              "aggregator ...", file=sys.stderr, flush=True)
        template = build(root / "template", args)
        print(f"  {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)
        for name in args.topologies.split(","):
            results.append(run_topology(name, template, root, args, rng))
            if args.keep is not None:
                for log in (root / name).glob("*/sync-*.log"):
                    target = args.keep / name / log.parent.name
                    target.mkdir(parents=True, exist_ok=True)
                    shutil.copy(log, target / log.name)
    return report(results, args)


def report(results: list[Figures], args: argparse.Namespace) -> int:
    """Print the table and the verdicts; return the exit code."""
    failures = []
    allowed_pull = args.interval + args.jitter
    print(f"{'topology':9} {'nodes':>5} {'converged':>10} {'rounds':>6} {'wire/raw':>9} "
          f"{'req/peer/round':>14} {'push p50/p95/max s':>20} {'pull p50/p95/max s':>20} "
          f"{'RSS idle/sync MiB (median)':>26}")
    for f in results:
        ratio = f.wire / f.raw if f.raw else float("nan")
        rss = (f"{statistics.median(f.rss_idle) / 1024:.0f} / "
               f"{statistics.median(f.rss_sync) / 1024:.0f}" if f.rss_idle and f.rss_sync
               else "-")
        print(f"{f.name:9} {f.nodes:5} {f.converged_s:9.0f}s {f.rounds:6} {ratio:9.3f} "
              f"{f.idle_requests:14.2f} {fmt_p(f.push):>20} {fmt_p(f.pull):>20} {rss:>26}")
        if f.error:
            failures.append(f"{f.name}: {f.error}")
            continue
        if f.name == "mesh" and not ratio <= 0.3:
            failures.append(f"mesh: {ratio:.3f} of the raw size on the wire (target <= 0.3)")
        if not f.idle_requests <= 1.0:
            failures.append(f"{f.name}: {f.idle_requests:.2f} requests per peer per up-to-date "
                            "round (target 1)")
        p95 = percentile(f.push, 0.95) if f.push else float("inf")
        if f.name in ("star", "chain") and not p95 <= 2.0:
            failures.append(f"{f.name}: push propagation p95 {p95:.2f} s (target <= 2 s)")
        if f.name == "mesh":
            pull95 = percentile(f.pull, 0.95) if f.pull else float("inf")
            if not pull95 <= allowed_pull:
                failures.append(f"mesh: pull propagation p95 {pull95:.2f} s (target <= "
                                f"{allowed_pull:g} s, one interval plus jitter)")
    for f in results:
        print(f"{f.name}: {f.wire:,} B on the wire for {f.raw:,} B of records moved; idle: "
              f"{f.idle_push_requests} push request(s) (lease renewals) and "
              f"{f.idle_compared} digest comparison(s) (anti-entropy) besides the feed; "
              f"RSS per node idle max {max(f.rss_idle, default=0) / 1024:.0f} MiB, syncing max "
              f"{max(f.rss_sync, default=0) / 1024:.0f} MiB"
              + (f"; aggregator syncing {f.rss_aggregator[0] / 1024:.0f} MiB, idle "
                 f"{f.rss_aggregator[1] / 1024:.0f} MiB" if f.rss_aggregator else "")
              + f"; database {f.db_bytes / 1024 / 1024:.0f} MiB"
              + (" (aggregator)" if f.rss_aggregator else " (largest node)"))
    print(f"settings: interval {args.interval:g} s + jitter up to {args.jitter:g} s, "
          f"{args.records} records per node, granian 1 worker per node "
          f"({args.aggregator_workers} for the aggregator), checks in the daemon's process")
    for failure in failures:
        print(f"FAIL: {failure}", file=sys.stderr)
    print("OK" if not failures else "FAIL")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
