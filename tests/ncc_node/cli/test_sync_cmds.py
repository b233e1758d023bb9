"""``ncc sync``, ``ncc sync status``, ``ncc quarantine`` and ``ncc digest`` on real nodes."""

from __future__ import annotations

import json
from pathlib import Path

from ncc_node.digest import digest

from .conftest import SAMPLE_CSV, Invoke, node_at


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
