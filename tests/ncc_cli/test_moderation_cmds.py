"""``ncc hide``, ``ncc unhide``, ``ncc hidden``; the review queue moved from review.db."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ncc_node.store import RecordFilter

from .conftest import Invoke, init_node, node_at


def _peer_record(ncc: Invoke, tmp_path: Path, node_config: Path,
                 make_payload: Callable[..., dict[str, Any]]) -> tuple[str, str]:
    """A record published by another node, held by this one (as a sync would store it)."""
    other = init_node(ncc, tmp_path / "ee", "EE", "http://127.0.0.1:8472")
    with node_at(other) as ee:
        record = ee.publisher.create("Initiative", make_payload())
        descriptor = ee.store.descriptor(ee.identity.node_iri)
        assert descriptor is not None
        bodies = [descriptor.body, record.body]
        origin = ee.identity.node_iri
    with node_at(node_config) as de, de.store.write() as writer:
        for body in bodies:
            writer.put(json.loads(body), body, received_from="http://127.0.0.1:8472")
    return record.id, origin


def _shown(config: Path) -> int:
    with node_at(config) as node:
        return node.store.count(RecordFilter(kind="Initiative", country=None, q="mentors"))


def test_hide_and_unhide(ncc: Invoke, tmp_path: Path, node_config: Path,
                         make_payload: Callable[..., dict[str, Any]]) -> None:
    record_id, origin = _peer_record(ncc, tmp_path, node_config, make_payload)
    assert _shown(node_config) == 1
    no_reason = ncc("hide", record_id, "--config", node_config)
    assert no_reason.exit_code != 0 and "--reason" in no_reason.output
    hidden = ncc("hide", record_id, "--reason", "spam", "--no-relay", "--config", node_config)
    assert hidden.exit_code == 0, hidden.output
    assert "hidden (1 record(s), not relayed)" in hidden.output
    assert _shown(node_config) == 0
    listed = ncc("hidden", "--config", node_config)
    assert f"record\t{record_id}\tnot-relayed\tcli:moderation" in listed.output
    assert ncc("unhide", record_id, "--config", node_config).exit_code == 0
    assert _shown(node_config) == 1
    missing = ncc("unhide", record_id, "--config", node_config)
    assert missing.exit_code != 0 and "not hidden" in missing.output
    whole = ncc("hide", origin, "--origin", "--reason", "test node", "--config", node_config)
    assert whole.exit_code == 0 and _shown(node_config) == 0
    with node_at(node_config) as node:
        own = node.identity.node_iri
    refused = ncc("hide", own, "--origin", "--reason", "x", "--config", node_config)
    assert refused.exit_code != 0 and "own records" in refused.output


def test_an_old_review_db_moves_into_the_store(ncc: Invoke, node_config: Path,
                                               make_payload: Callable[..., dict[str, Any]]
                                               ) -> None:
    old = node_config.parent / "review.db"
    db = sqlite3.connect(old)
    db.execute("CREATE TABLE held (identifier TEXT PRIMARY KEY, kind TEXT NOT NULL, "
               "payload TEXT NOT NULL, reasons TEXT NOT NULL, source TEXT NOT NULL, "
               "status TEXT NOT NULL DEFAULT 'held', held_at TEXT NOT NULL)")
    for identifier, status in (("kept-1", "held"), ("gone-1", "rejected")):
        db.execute("INSERT INTO held VALUES (?, 'Initiative', ?, ?, 'old import', ?, "
                   "'2026-01-01T00:00:00Z')",
                   (identifier, json.dumps(make_payload(identifier=identifier)),
                    json.dumps([["spam", "looks like an advert"]]), status))
    db.commit()
    db.close()
    listing = ncc("review", "list", "--config", node_config)
    assert listing.exit_code == 0 and "kept-1\tspam" in listing.output
    assert "gone-1" in ncc("review", "list", "--rejected", "--config", node_config).output
    assert not old.exists() and (node_config.parent / "review.db.moved").exists()
