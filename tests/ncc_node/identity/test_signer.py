"""Rotation takes effect at once in every process of a node; too-late proofs are repaired.

Each "process" here is its own store connection and identity, loaded from the same database
and key folder, as a granian worker or ``ncc import`` would be.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from ncc_node.errors import KeyFileError, KeyNotValidAt
from ncc_node.identity import NodeSigner, rotate_identity
from ncc_node.identity.descriptor import key_lookup_from_descriptor
from ncc_node.identity.node_identity import NodeIdentity, init_identity, load_identity
from ncc_node.integrity import sign, verify
from ncc_node.jsonbody import dump_body
from ncc_node.records.publish import Publisher
from ncc_node.settings import Settings, load_settings
from ncc_node.store import Store, open_store
from ncc_node.timestamps import parse_timestamp
from tests.databases import test_database

BASE = "http://127.0.0.1:8471"


@pytest.fixture(params=["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return load_settings({"node.base_url": BASE, "node.country": "EE", "node.name": "NCC EE",
                          "node.data_dir": str(tmp_path / "ee"),
                          "node.cryptosuite": request.param,
                          "node.database": str(test_database(tmp_path / "ee"))}, environ={})


@pytest.fixture
def open_process(settings: Settings) -> Iterator[Callable[[], tuple[Store, Publisher]]]:
    """Open the node as another process would: its own store connection and identity."""
    stores: list[Store] = []

    def start() -> tuple[Store, Publisher]:
        store = open_store(settings.database())
        stores.append(store)
        return store, Publisher(store, load_identity(settings, store))

    first = open_store(settings.database())
    stores.append(first)
    init_identity(settings, first)
    yield start
    for store in stores:
        store.close()


def _check(body: bytes, store: Store) -> str:
    descriptor = json.loads(store.descriptor(f"{BASE}/node").body)  # type: ignore[union-attr]
    record = json.loads(body)
    return verify(record, key_lookup=key_lookup_from_descriptor(descriptor)).verification_method


def test_a_running_publisher_signs_with_the_new_key_at_once(
    settings: Settings, open_process: Callable[[], tuple[Store, Publisher]],
    make_payload: Callable[..., Any],
) -> None:
    server_store, server = open_process()  # loaded before the rotation, as `ncc serve` is
    first = server.create("Initiative", make_payload())
    assert _check(first.body, server_store).endswith("#key-1")
    cli_store, cli = open_process()  # `ncc keys rotate`, another process
    rotate_identity(settings, cli_store, cli.identity)
    second = server.create("Initiative", make_payload())
    updated = server.update(first.id, make_payload(), if_match=first.etag)
    deleted = server.delete(second.id)
    for stored in (second, updated, deleted):
        assert _check(stored.body, server_store).endswith("#key-2")
        proof = json.loads(stored.body)["proof"]
        assert proof["cryptosuite"] == settings["node.cryptosuite"]


def test_a_rotation_between_signing_and_writing_is_caught_in_the_transaction(
    settings: Settings, open_process: Callable[[], tuple[Store, Publisher]],
    make_payload: Callable[..., Any],
) -> None:
    server_store, server = open_process()
    signing = server.signer.current()
    record, body = server.prepare("Initiative", make_payload(), signing=signing)
    assert record["proof"]["verificationMethod"].endswith("#key-1")
    cli_store, cli = open_process()
    rotate_identity(settings, cli_store, cli.identity)  # commits after the record was signed
    [stored] = server._commit([(record, body, 0, None)], signing)
    assert _check(stored.body, server_store).endswith("#key-2")


def test_rotations_from_two_stale_processes_follow_each_other(
    settings: Settings, open_process: Callable[[], tuple[Store, Publisher]],
) -> None:
    store_a, a = open_process()
    store_b, b = open_process()
    rotate_identity(settings, store_a, a.identity)
    # b still holds version 1, but rotates what is stored: version 3, key-3, not a fork
    rotated = rotate_identity(settings, store_b, b.identity)
    assert rotated.descriptor["version"] == 3
    assert rotated.active_key.key_id == "key-3"


def _stale_signed(identity: NodeIdentity, store: Store, record_id: str,
                  created: datetime) -> None:
    """Write what an old server did: a new version signed with the retired key, too late."""
    current = json.loads(store.get(record_id).body)  # type: ignore[union-attr]
    unsigned = {k: v for k, v in current.items() if k != "proof"}
    unsigned["version"] += 1
    stale = sign(unsigned, private_key=identity.keys["key-1"].private_key,
                 verification_method=f"{identity.node_iri}#key-1", created=created,
                 cryptosuite=identity.cryptosuite)
    store.put(stale, dump_body(stale), expect_version=current["version"])


def test_repair_re_signs_records_signed_after_their_keys_retirement(
    settings: Settings, open_process: Callable[[], tuple[Store, Publisher]],
    make_payload: Callable[..., Any],
) -> None:
    store, publisher = open_process()
    good = publisher.create("Initiative", make_payload())
    bad = publisher.create("Method", make_payload("Method"))
    gone = publisher.create("Initiative", make_payload())
    publisher.delete(gone.id)
    identity = publisher.identity
    rotated = rotate_identity(settings, store, identity)
    retired = parse_timestamp(rotated.descriptor["verificationMethod"][0]["retired"])
    _stale_signed(identity, store, bad.id, retired + timedelta(seconds=5))
    _stale_signed(identity, store, gone.id, retired + timedelta(seconds=6))  # a tombstone
    with pytest.raises(KeyNotValidAt, match="retired"):
        _check(store.get(bad.id).body, store)  # type: ignore[union-attr]

    repaired = publisher.repair_signatures()

    assert sorted(repaired) == sorted([(bad.id, 2, 3), (gone.id, 3, 4)])
    for record_id in (good.id, bad.id, gone.id):
        assert _check(store.get(record_id).body, store)  # type: ignore[union-attr]
    assert json.loads(store.get(gone.id).body)["type"] == "Tombstone"  # type: ignore[union-attr]
    assert store.get(good.id).version == 1  # type: ignore[union-attr]
    assert publisher.repair_signatures() == []


def test_signer_refuses_a_key_file_that_does_not_match(
    settings: Settings, open_process: Callable[[], tuple[Store, Publisher]],
) -> None:
    store, publisher = open_process()
    other_store, other = open_process()
    rotate_identity(settings, other_store, other.identity)
    key_file = settings.path("node.key_dir") / "key-2.pem"
    key_file.unlink()
    signer = NodeSigner(store, publisher.identity)
    with pytest.raises(KeyFileError, match="key-2.pem"):
        signer.current()
