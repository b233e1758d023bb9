"""``ncc sync``, ``ncc sync status``, ``ncc quarantine`` and ``ncc digest`` on real nodes.

Peers are live nodes (``live_node``: real HTTP on 127.0.0.1, port 0); the node that syncs is
made by ``ncc init`` and configured with ``[[peers]]`` like an operator would.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from ncc_node.records.digest import digest
from ncc_node.settings import read_toml
from sync import SyncWorker
from tests import processes
from tests.nodes import LiveNode

from .conftest import SAMPLE_CSV, Invoke, node_at

Start = Callable[..., LiveNode]
DEADLINE_S = 30.0
FAST = {"retries": 0, "backoff_s": 0.0, "connect_timeout_s": 2.0, "read_timeout_s": 1.0}


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)


def configure(config: Path, peers: list[dict[str, Any]], **sync: Any) -> Path:
    """Rewrite an ``ncc init`` config with ``[sync]`` options and ``[[peers]]`` tables."""
    values = read_toml(config)
    lines = ["[node]"] + [f"{key.partition('.')[2]} = {_toml(value)}"
                          for key, value in values.items() if key.startswith("node.")]
    lines += ["[sync]"] + [f"{key} = {_toml(value)}" for key, value in {**FAST, **sync}.items()]
    for peer in peers:
        lines += ["[[peers]]"] + [f"{key} = {_toml(value)}" for key, value in peer.items()]
    config.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return config


def publish(node: LiveNode, count: int, make_payload: Callable[..., dict[str, Any]]) -> None:
    """Publish ``count`` initiatives on a live node."""
    for index in range(count):
        node.context.publisher.create("Initiative", make_payload(
            identifier=f"{node.context.identity.jurisdiction}-{index}",
            name={"en": f"Initiative {index}"}))


@pytest.fixture
def silent_peer() -> Iterator[str]:
    """A peer that accepts connections and never answers (a hung server)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def refusing_peer() -> str:
    """A base URL where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def _quarantine(config: Path, count: int, *, peer: str = "http://127.0.0.1:8472",
                reason: str = "bad_signature") -> None:
    with node_at(config) as node, node.store.write() as writer:
        for index in range(count):
            writer.quarantine(peer=peer, record_id=f"{peer}/initiatives/{index}", reason=reason,
                              detail=f"signature {index} does not verify",
                              body=json.dumps({"id": index}).encode())


def test_digest_prints_the_nodes_digest(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    result = ncc("digest", "--config", node_config)
    assert result.exit_code == 0, result.output
    with node_at(node_config) as node:
        expected = digest(node.store)
    assert result.output == (f"{expected}  http://127.0.0.1:8471/node (4 records)\n")


def test_digest_without_a_node_fails_cleanly(ncc: Invoke) -> None:
    result = ncc("digest")
    assert result.exit_code == 1
    assert result.output.startswith("Error: no node configuration")


def test_quarantine_list_is_empty_on_a_fresh_node(ncc: Invoke, node_config: Path) -> None:
    result = ncc("quarantine", "list", "--config", node_config)
    assert result.exit_code == 0 and "Quarantine is empty." in result.output


def test_quarantine_list_filters_and_pages(ncc: Invoke, node_config: Path) -> None:
    _quarantine(node_config, 3)
    _quarantine(node_config, 2, peer="http://127.0.0.1:8473", reason="equivocation")
    every = ncc("quarantine", "list", "--config", node_config)
    assert every.exit_code == 0, every.output
    assert every.output.count("bad_signature") == 3 and every.output.count("equivocation") == 2
    page = ncc("quarantine", "list", "--limit", "2", "--config", node_config)
    assert len(page.stdout.splitlines()) == 3  # header + 2
    assert "(more may follow: --after 2)" in page.stderr
    rest = ncc("quarantine", "list", "--after", "2", "--json", "--config", node_config)
    assert [json.loads(line)["id"] for line in rest.output.splitlines()] == [3, 4, 5]
    by_reason = ncc("quarantine", "list", "--reason", "equivocation", "--json",
                    "--config", node_config)
    items = [json.loads(line) for line in by_reason.output.splitlines()]
    assert [i["peer"] for i in items] == ["http://127.0.0.1:8473"] * 2
    by_peer = ncc("quarantine", "list", "--peer", "http://127.0.0.1:8472/", "--json",
                  "--config", node_config)
    assert len(by_peer.output.splitlines()) == 3


def test_quarantine_show_prints_reason_and_body(ncc: Invoke, node_config: Path) -> None:
    _quarantine(node_config, 2)
    shown = ncc("quarantine", "show", "2", "--config", node_config)
    assert shown.exit_code == 0, shown.output
    assert "Reason    bad_signature" in shown.output
    assert "signature 1 does not verify" in shown.output
    assert '"id": 1' in shown.output
    as_json = json.loads(ncc("quarantine", "show", "1", "--json", "--config", node_config).output)
    assert as_json["body"] == '{"id": 0}' and as_json["record_id"].endswith("/initiatives/0")
    missing = ncc("quarantine", "show", "9", "--config", node_config)
    assert missing.exit_code == 1
    assert "Error: no quarantined item 9" in missing.output


def test_sync_once_pulls_every_peer_and_summarises_each(
        ncc: Invoke, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia, netherlands = live_node("EE"), live_node("NL")
    publish(estonia, 3, make_payload)
    publish(netherlands, 2, make_payload)
    configure(node_config, [{"base_url": estonia.url}, {"base_url": netherlands.url}])
    result = ncc("sync", "--once", "--config", node_config)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # the descriptor comes first from /node, then again in the feed: "already held"
    assert lines[0].startswith(f"{estonia.url}  ok     4 accepted, 0 rejected, 1 already held, "
                               "1 page(s), ")
    assert lines[1].startswith(f"{netherlands.url}  ok     3 accepted, 0 rejected, ")
    assert all(line.endswith("records/s, up to date") for line in lines)
    with node_at(node_config) as node:
        held = {r.origin for r in node.store.iter_records()}
    assert held == {estonia.context.identity.node_iri, netherlands.context.identity.node_iri,
                    "http://127.0.0.1:8471/node"}

    again = ncc("sync", "--once", "--json", "--config", node_config)
    assert again.exit_code == 0, again.output
    results = json.loads(again.stdout)
    assert [(r["base_url"], r["accepted"], r["requests"], r["up_to_date"]) for r in results] == [
        (estonia.url, 0, 1, True), (netherlands.url, 0, 1, True)]  # up to date: one request


def test_a_round_that_compares_digests_says_so(
        ncc: Invoke, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    """The anti-entropy check costs a request: the line says it ran (bench/federation.py counts
    such rounds apart from the feed's one request per up-to-date round)."""
    estonia = live_node("EE")
    publish(estonia, 2, make_payload)
    configure(node_config, [{"base_url": estonia.url}], anti_entropy_every=2)
    first = ncc("sync", "--once", "--config", node_config)
    assert first.exit_code == 0 and "anti-entropy" not in first.output, first.output
    second = ncc("sync", "--once", "--config", node_config)
    assert second.exit_code == 0, second.output
    assert second.stdout.rstrip().endswith("up to date; anti-entropy: digests agree")
    assert " 1 page(s), 2 request(s), " in second.stdout  # the feed's page and the digest


def test_sync_status_shows_cursor_lag_and_counts(
        ncc: Invoke, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia = live_node("EE")
    publish(estonia, 2, make_payload)
    configure(node_config, [{"base_url": estonia.url}])
    before = ncc("sync", "status", "--config", node_config)
    assert before.exit_code == 0, before.output
    assert f"Peer  {estonia.url}  scope own" in before.output
    assert "(lag never synced)" in before.output
    assert ncc("sync", "--once", "--config", node_config).exit_code == 0
    text = ncc("sync", "--config", node_config, "status")  # --config before the subcommand too
    assert text.exit_code == 0, text.output
    assert re.search(r"last success  \S+Z  \(lag \d+ s\)", text.output), text.output
    assert "accepted      3" in text.output and "rejected      0" in text.output
    info = json.loads(ncc("sync", "status", "--json", "--config", node_config).output)
    (peer,) = info["peers"]
    assert peer["node"] == estonia.context.identity.node_iri
    assert peer["accepted"] == 3 and peer["rejected"] == {} and peer["lag_s"] >= 0
    assert peer["cursor"] and peer["last_error"] is None and peer["configured"] is True


def test_a_broken_or_silent_peer_never_stops_the_others(
        ncc: Invoke, node_config: Path, live_node: Start, refusing_peer: str,
        silent_peer: str, make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia = live_node("EE")
    publish(estonia, 2, make_payload)
    configure(node_config, [{"base_url": refusing_peer}, {"base_url": silent_peer},
                            {"base_url": estonia.url}])
    started = time.monotonic()
    result = ncc("sync", "--once", "--config", node_config)
    assert time.monotonic() - started < DEADLINE_S
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"{refusing_peer}  FAILED peer_unreachable")
    assert lines[1].startswith(f"{silent_peer}  FAILED peer_timeout")
    assert lines[2].startswith(f"{estonia.url}  ok     3 accepted")
    assert "Error: 2 of 3 peer(s) failed" in result.stderr
    status = json.loads(ncc("sync", "status", "--json", "--config", node_config).output)
    by_url = {p["base_url"]: p for p in status["peers"]}
    assert by_url[refusing_peer]["last_error"].startswith("peer_unreachable")
    assert by_url[silent_peer]["last_success"] is None
    assert by_url[estonia.url]["last_success"] and by_url[estonia.url]["accepted"] == 3


def test_peer_selects_peers_and_unknown_ones_are_refused(
        ncc: Invoke, node_config: Path, live_node: Start, refusing_peer: str) -> None:
    estonia = live_node("EE")
    configure(node_config, [{"base_url": refusing_peer}, {"base_url": estonia.url}])
    only = ncc("sync", "--once", "--peer", estonia.url + "/", "--config", node_config)
    assert only.exit_code == 0, only.output
    assert refusing_peer not in only.output
    unknown = ncc("sync", "--once", "--peer", "http://127.0.0.1:9/", "--config", node_config)
    assert unknown.exit_code == 1
    assert "Error: not a configured peer: http://127.0.0.1:9/" in unknown.output


def test_without_peers_or_a_mode_it_says_what_is_missing(ncc: Invoke, node_config: Path) -> None:
    none = ncc("sync", "--once", "--config", node_config)
    assert none.exit_code == 1 and "Error: no peers configured" in none.output
    neither = ncc("sync", "--config", node_config)
    assert neither.exit_code == 2 and "pass --once or --daemon" in neither.output
    both = ncc("sync", "--once", "--daemon", "--config", node_config)
    assert both.exit_code == 2


def test_rejected_items_are_listed_in_status_and_quarantine(
        ncc: Invoke, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia, netherlands = live_node("EE"), live_node("NL")
    publish(netherlands, 2, make_payload)
    relay = SyncWorker(estonia.context.store, estonia.context.identity,
                       {**estonia.context.settings, "peers": [{"base_url": netherlands.url}]})
    assert [r.error for r in relay.run_once()] == [None]
    # Estonia relays the Dutch records; this node takes only its direct peers' origins
    configure(node_config, [{"base_url": estonia.url, "scope": "all"}], trust_introduced=False)
    result = ncc("sync", "--once", "--config", node_config)
    assert result.exit_code == 0, result.output
    assert re.search(r"1 accepted, 3 rejected \((\w+) 3\)", result.output), result.output
    reason = re.search(r"rejected \((\w+) 3\)", result.output).group(1)  # type: ignore[union-attr]
    status = json.loads(ncc("sync", "status", "--json", "--config", node_config).output)
    assert status["peers"][0]["rejected"] == {reason: 3}
    listing = ncc("quarantine", "list", "--json", "--config", node_config)
    items = [json.loads(line) for line in listing.output.splitlines()]
    assert [(i["peer"], i["reason"]) for i in items] == [(estonia.url, reason)] * 3
    shown = ncc("quarantine", "show", str(items[-1]["id"]), "--config", node_config)
    assert f"Reason    {reason}" in shown.output
    assert netherlands.context.identity.node_iri in shown.output  # the body, as received


def _wait_for(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _held(config: Path) -> int:
    with node_at(config) as node:
        return sum(1 for _ in node.store.iter_records())


@pytest.mark.parametrize("command", [["sync", "--daemon"], ["serve", "--port", "0"]])
def test_the_daemon_syncs_each_interval_and_stops_on_sigterm(
        command: list[str], tmp_path: Path, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia = live_node("EE")
    publish(estonia, 2, make_payload)
    configure(node_config, [{"base_url": estonia.url}], interval_s=0.2, jitter_s=0.0,
              in_serve=command[0] == "serve")
    log = tmp_path / "daemon.log"
    with log.open("w") as out:
        process = processes.start([sys.executable, "-m", "ncc_cli", *command,
                                   "--config", str(node_config)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: _held(node_config) == 4, "the first round")
        publish(estonia, 1, lambda **kw: make_payload(**{**kw, "identifier": "later"}))
        _wait_for(lambda: _held(node_config) == 5, "a later round")
        process.send_signal(signal.SIGTERM)
        assert processes.wait_or_kill(process, DEADLINE_S) == 0, log.read_text()
    finally:
        processes.end(process)  # nothing of its group may outlive the test (server workers)
    text = log.read_text()
    assert text.rstrip().endswith("Stopped."), text
    assert f"{estonia.url}  ok     " in text  # each round's summary (printed or logged)


def test_every_reason_an_operator_can_see_is_documented() -> None:
    import sync

    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    errors = [c.code for c in vars(sync).values()
              if isinstance(c, type) and issubclass(c, sync.SyncError) and c is not sync.SyncError]
    missing = [code for code in [*sync.REASONS, *errors] if f"`{code}`" not in docs]
    assert not missing, f"reason codes missing from docs/operations.md: {missing}"


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in text.split()]


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads /proc (Linux)")
def test_sync_inside_serve_ends_when_the_server_is_killed(
        tmp_path: Path, node_config: Path, live_node: Start,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia = live_node("EE")
    publish(estonia, 1, make_payload)
    configure(node_config, [{"base_url": estonia.url}], interval_s=0.2, jitter_s=0.0,
              in_serve=True)
    with (tmp_path / "serve.log").open("w") as out:
        process = processes.start([sys.executable, "-m", "ncc_cli", "serve", "--port", "0",
                                   "--config", str(node_config)],
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_for(lambda: _held(node_config) == 3, "the first round")
        (syncing,) = [c for c in _children(process.pid) if " sync --daemon" in _cmdline(c)]
        process.kill()  # no chance to stop its sync process: that one must notice by itself
        processes.wait_or_kill(process, DEADLINE_S)
        _wait_for(lambda: not _cmdline(syncing), "the sync process to end")
    finally:
        processes.end(process)
