"""The acceptance rules as functions: real keys, a real store for what is held, no network."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ncc_node import (
    SqliteStore,
    dump_body,
    generate_key,
    new_descriptor,
    rotate,
    sign,
    too_deep,
)
from ncc_node.identity.signing_key import NodeKey
from ncc_node.store import open_store
from sync import REASONS, Limits, TrustPolicy, Verdict, check_item
from sync.knowledge import PageKnowledge
from sync.rules import json_depth
from tests.databases import test_database
from vocab import example

BASE = "https://ncc-nl.example.org"
ORIGIN = f"{BASE}/node"
OWN = "https://ncc-de.example.org/node"
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqliteStore]:
    opened = open_store(test_database(tmp_path))
    yield opened
    opened.close()


@pytest.fixture
def key() -> NodeKey:
    return generate_key("key-1")


def descriptor(key: NodeKey) -> dict[str, Any]:
    return new_descriptor(base_url=BASE, name={"en": "NCC NL"}, jurisdiction="country:NLD",
                          key=key, created=NOW - timedelta(days=30))


def record(key: NodeKey, *, version: int = 1, created: datetime | None = None,
           **fields: Any) -> tuple[dict[str, Any], bytes]:
    body = example("initiative.jsonld")
    for minted in ("proof", "usesMethods", "adapts"):
        body.pop(minted, None)
    body.update(id=f"{BASE}/initiatives/3f1c6a52-8e0b-4b7e-9a55-4b7d0c8e2a11", origin=ORIGIN,
                version=version, **fields)
    signed = sign(body, private_key=key.private_key, verification_method=f"{ORIGIN}#key-1",
                  created=created or NOW - timedelta(days=1))
    return signed, dump_body(signed)


def check(store: SqliteStore, value: dict[str, Any], raw: bytes | None = None,
          via: str = BASE, **policy: Any) -> Verdict:
    knowledge = PageKnowledge(store, {})
    return check_item(dump_body(value) if raw is None else raw, value, knowledge=knowledge,
                      policy=TrustPolicy(OWN, **policy), limits=Limits(), now=NOW, via=via)


def hold(store: SqliteStore, value: dict[str, Any]) -> None:
    store.put(value, dump_body(value))


def test_a_descriptor_then_its_records(store: SqliteStore, key: NodeKey) -> None:
    node = descriptor(key)
    item, _ = record(key)
    assert check(store, item).reason == "unknown_origin"
    first = check(store, node)
    assert first.accepted and first.kind == "Node" and first.expect_version == 0
    hold(store, node)
    verdict = check(store, item)
    assert verdict.accepted and verdict.record == item and verdict.origin == ORIGIN


def test_rotation_one_step_at_a_time(store: SqliteStore, key: NodeKey) -> None:
    v1 = descriptor(key)
    hold(store, v1)
    v2, key2 = rotate(v1, current_key=key, at=NOW - timedelta(days=2))
    v3, _ = rotate(v2, current_key=key2, at=NOW - timedelta(days=1))
    skipped = check(store, v3)
    assert skipped.reason == "rotation_rejected" and "previous descriptor" in skipped.detail
    assert check(store, v2).accepted
    hold(store, v2)
    assert check(store, v3).accepted
    assert check(store, v1).reason == "stale"


def test_same_content_in_other_bytes_is_a_duplicate(store: SqliteStore, key: NodeKey) -> None:
    hold(store, descriptor(key))
    item, raw = record(key)
    hold(store, item)
    spaced = json.dumps(item, indent=2).encode()
    assert check(store, item, spaced).reason == "duplicate"
    assert check(store, item, raw).reason == "duplicate"
    other, _ = record(key, seeksPartners=False)
    assert check(store, other).reason == "equivocation"
    newer, _ = record(key, version=2)
    verdict = check(store, newer)
    assert verdict.accepted and verdict.expect_version == 1


def test_proof_reasons_keep_the_verifiers_codes(store: SqliteStore, key: NodeKey) -> None:
    hold(store, descriptor(key))
    future, _ = record(key, created=NOW + timedelta(hours=1))
    assert check(store, future).reason == "created_in_future"
    early, _ = record(key, created=NOW - timedelta(days=60))
    assert check(store, early).reason == "key_not_valid_at"


def test_tombstones(store: SqliteStore, key: NodeKey) -> None:
    hold(store, descriptor(key))
    stone = {"@context": "https://w3id.org/ncc/context/v1",
             "id": f"{BASE}/initiatives/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
             "type": "Tombstone", "origin": ORIGIN, "version": 4,
             "modified": "2026-05-02T12:30:00Z", "formerType": "Initiative",
             "deleted": "2026-05-02T12:30:00Z"}
    signed = sign(stone, private_key=key.private_key, verification_method=f"{ORIGIN}#key-1",
                  created=NOW - timedelta(days=1))
    assert check(store, signed).accepted  # a record deleted before we ever saw it
    odd = sign(dict(stone, formerType="Node"), private_key=key.private_key,
               verification_method=f"{ORIGIN}#key-1", created=NOW - timedelta(days=1))
    assert check(store, odd).reason == "malformed"


def test_policy(store: SqliteStore, key: NodeKey) -> None:
    node = descriptor(key)
    assert check(store, node, trust_introduced=False).reason == "untrusted_origin"
    assert check(store, node, trust_introduced=False, direct={ORIGIN: ()}).accepted
    pinned = check(store, node, direct={ORIGIN: (generate_key("x").public_multikey,)})
    assert pinned.reason == "pin_mismatch"
    assert check(store, node, direct={ORIGIN: (key.public_multikey,)}).accepted
    # a direct peer's first descriptor is taken from the peer, not from a relay
    relayed = check(store, node, via="https://relay.example.org", direct={ORIGIN: ()})
    assert relayed.reason == "unknown_origin"
    # introduced by a relay: taken once the origin confirms it, or under a pinned key
    introduced = check(store, node, via="https://relay.example.org")
    assert introduced.reason == "unconfirmed_origin"
    assert check(store, node, via="https://relay.example.org", confirm_introduced=False).accepted
    assert check(store, node, via="https://relay.example.org",
                 pinned={ORIGIN: (key.public_multikey,)}).accepted
    other = generate_key("y").public_multikey
    assert check(store, node, via="https://relay.example.org",
                 pinned={ORIGIN: (other,)}).reason == "pin_mismatch"
    assert check(store, node, via=ORIGIN.removesuffix("/node")).accepted  # from the origin


def test_every_reason_is_documented(store: SqliteStore, key: NodeKey) -> None:
    hold(store, descriptor(key))
    item, _ = record(key)
    values: list[Any] = [item, [1], dict(item, version="1"), dict(item, origin="x"),
                         dict(item, type="Thing"), dict(item, id=f"{BASE}/methods/x")]
    reasons = {check(store, v, dump_body({"x": 1}) if not isinstance(v, dict) else None).reason
               for v in values}
    assert reasons <= set(REASONS) | {"accepted"}
    assert {"not_object", "malformed", "bad_signature", "accepted"} <= reasons


def test_json_depth() -> None:
    assert json_depth({"a": [1, {"b": 2}]}, 32) == 4  # counted as the API counts (scalars too)
    deep: Any = 0
    for _ in range(10_000):  # deep enough to break a recursive walk
        deep = [deep]
    assert json_depth(deep, 32) == 33


def test_too_deep_agrees_with_the_walk() -> None:
    """The bracket-count shortcut never changes a verdict, brackets in strings included."""
    rng = random.Random(5)
    def value(depth: int) -> Any:
        pick = rng.random()
        if depth <= 1 or pick < 0.2:
            return rng.choice([0, "x", "]]]}}", "{[{[", None, True, ""])
        if pick < 0.6:
            return [value(depth - 1) for _ in range(rng.randint(0, 3))]
        return {f"k{i}": value(depth - 1) for i in range(rng.randint(0, 3))}
    checked = deep_enough = 0
    for _ in range(3000):
        item = value(rng.randint(1, 12))
        raw = json.dumps(item).encode()
        for limit in (1, 2, 3, 5, 8, 32):
            expected = json_depth(item, limit) > limit
            assert too_deep(raw, item, limit) == expected, (raw, limit)
            checked += 1
            deep_enough += expected
    assert checked == 18_000 and deep_enough > 1000  # both verdicts are exercised


def test_reasons_are_listed_in_docs_sync() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "sync.md").read_text()
    missing = [reason for reason in REASONS if f"`{reason}`" not in text]
    assert not missing, f"reason codes missing from docs/sync.md: {missing}"
