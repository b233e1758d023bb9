"""Identity and publishing: keys, descriptor, rotation, minting, validation, signing, CAS."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ncc_node.errors import (
    ConfigError,
    Conflict,
    Gone,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RecordRejected,
)
from ncc_node.identity.descriptor import (
    key_lookup_from_descriptor,
    verify_descriptor,
    verify_rotation,
)
from ncc_node.identity.node_identity import init_identity, load_identity, rotate_identity
from ncc_node.integrity.proofs import verify
from ncc_node.jsonbody import dump_body
from ncc_node.records.publish import Publisher
from ncc_node.settings import Settings, load_settings
from ncc_node.store import Store, open_store
from tests.databases import test_database
from vocab import validate_record

BASE = "http://127.0.0.1:8470"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"node.base_url": BASE, "node.country": "NL", "node.name": "NCC NL",
                          "node.data_dir": str(tmp_path / "nl"),
                          "node.database": str(test_database(tmp_path / "nl"))}, environ={})


@pytest.fixture
def store(settings: Settings) -> Any:
    opened = open_store(settings.database())
    yield opened
    opened.close()


@pytest.fixture
def publisher(settings: Settings, store: Store) -> Publisher:
    return Publisher(store, init_identity(settings, store))


def test_init_creates_a_private_key_and_a_valid_descriptor(settings: Settings,
                                                           store: Store) -> None:
    identity = init_identity(settings, store)
    key_file = settings.path("node.key_dir") / "key-1.pem"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    descriptor = json.loads(store.descriptor(f"{BASE}/node").body)
    assert descriptor["jurisdiction"] == "country:NLD" == identity.jurisdiction
    assert validate_record(descriptor) == []
    assert verify_descriptor(descriptor)[0].verification_method == f"{BASE}/node#key-1"
    with pytest.raises(ConfigError, match="already initialised"):
        init_identity(settings, store)


def test_load_identity_explains_what_is_missing(settings: Settings, store: Store) -> None:
    with pytest.raises(ConfigError, match="not initialised: run `ncc init`"):
        load_identity(settings, store)
    init_identity(settings, store)
    assert load_identity(settings, store).active_key.key_id == "key-1"
    (settings.path("node.key_dir") / "key-1.pem").unlink()
    with pytest.raises(ConfigError, match="has no PEM file"):
        load_identity(settings, store)


def test_rotation_keeps_old_records_verifiable(settings: Settings, store: Store,
                                               make_payload: Callable[..., Any]) -> None:
    identity = init_identity(settings, store)
    old_descriptor = identity.descriptor
    before = Publisher(store, identity).create("Initiative", make_payload())
    rotated = rotate_identity(settings, store, identity)
    assert rotated.active_key.key_id == "key-2"
    assert load_identity(settings, store).active_key.key_id == "key-2"
    verify_rotation(old_descriptor, rotated.descriptor)
    lookup = key_lookup_from_descriptor(rotated.descriptor)
    assert verify(json.loads(before.body), key_lookup=lookup).verification_method.endswith("#key-1")
    after = Publisher(store, rotated).create("Initiative", make_payload())
    assert verify(json.loads(after.body), key_lookup=lookup).verification_method.endswith("#key-2")


def test_create_mints_validates_and_signs(publisher: Publisher,
                                          make_payload: Callable[..., Any]) -> None:
    stored = publisher.create("Initiative", make_payload())
    record = json.loads(stored.body)
    assert record["id"].startswith(f"{BASE}/initiatives/") and record["version"] == 1
    assert record["origin"] == f"{BASE}/node" and stored.seq == 2  # 1 = the descriptor
    assert validate_record(record) == []
    lookup = key_lookup_from_descriptor(publisher.identity.descriptor)
    assert verify(record, key_lookup=lookup).verification_method == f"{BASE}/node#key-1"
    assert stored.body == dump_body(record)


@pytest.mark.parametrize(
    ("change", "path"),
    [({"id": f"{BASE}/initiatives/x"}, "id"), ({"version": 7}, "version"),
     ({"proof": {}}, "proof"), ({"@context": "https://evil.example/ctx"}, "@context"),
     ({"type": "Method"}, "type"), ({"sdgs": ["sdg:42"]}, "sdgs[0]"),
     ({"nmae": {"en": "typo"}}, "nmae"), ({"website": None}, "website")],
)
def test_rejected_payloads_change_nothing(publisher: Publisher, make_payload: Callable[..., Any],
                                          change: dict[str, Any], path: str) -> None:
    before = publisher.store.last_seq()
    with pytest.raises(RecordRejected) as info:
        publisher.create("Initiative", make_payload(**change))
    assert path in {d["path"] for d in info.value.details}
    assert publisher.store.last_seq() == before


def test_update_and_delete_rules(publisher: Publisher, make_payload: Callable[..., Any]) -> None:
    created = publisher.create("Method", make_payload("Method"))
    with pytest.raises(PreconditionRequired, match=created.etag):
        publisher.update(created.id, make_payload("Method"), if_match=None)
    with pytest.raises(PreconditionFailed):
        publisher.update(created.id, make_payload("Method"), if_match='"1-stale"')
    with pytest.raises(NotFound):
        publisher.update(created.id, make_payload(), if_match=created.etag, kind="Initiative")
    updated = publisher.update(created.id, make_payload("Method", name={"en": "Renamed"}),
                               if_match=created.etag)
    assert updated.version == 2 and json.loads(updated.body)["name"] == {"en": "Renamed"}
    deleted = publisher.delete(created.id, if_match=updated.etag)
    tombstone = json.loads(deleted.body)
    assert (tombstone["type"], tombstone["version"], tombstone["formerType"]) == (
        "Tombstone", 3, "Method")
    assert validate_record(tombstone) == []
    with pytest.raises(Gone) as info:
        publisher.update(created.id, make_payload("Method"), if_match="*")
    assert info.value.tombstone == deleted.body


def test_records_of_other_origins_are_read_only(publisher: Publisher,
                                                make_payload: Callable[..., Any]) -> None:
    foreign = dict(make_payload(), **{
        "@context": "https://w3id.org/ncc/context/v1", "type": "Initiative",
        "id": "https://ncc-ee.example.org/initiatives/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d",
        "origin": "https://ncc-ee.example.org/node", "version": 1,
        "modified": "2026-01-01T00:00:00Z"})
    publisher.store.put(foreign, dump_body(foreign))
    with pytest.raises(Conflict, match="read-only"):
        publisher.update(foreign["id"], make_payload(), if_match="*")
    with pytest.raises(Conflict):
        publisher.delete(foreign["id"])


def test_upsert_many_is_idempotent_by_identifier(publisher: Publisher,
                                                 make_payload: Callable[..., Any]) -> None:
    rows = [("Initiative", make_payload(identifier=f"ext-{n}")) for n in range(3)]
    assert publisher.upsert_many(rows) == {"created": 3, "updated": 0, "unchanged": 0}
    seq = publisher.store.last_seq()
    assert publisher.upsert_many(rows) == {"created": 0, "updated": 0, "unchanged": 3}
    assert publisher.store.last_seq() == seq
    rows[1] = ("Initiative", make_payload(identifier="ext-1", stage="maturity:established"))
    assert publisher.upsert_many(rows) == {"created": 0, "updated": 1, "unchanged": 2}
    stored = publisher.store.find_by_identifier(f"{BASE}/node", "ext-1")
    assert stored is not None and stored.version == 2
    with pytest.raises(RecordRejected, match="appears twice"):
        publisher.upsert_many([rows[0], rows[0]])
    bad = [("Initiative", make_payload(identifier="ext-9")), ("Initiative", make_payload(
        identifier="ext-10", stage="maturity:legendary"))]
    with pytest.raises(RecordRejected):
        publisher.upsert_many(bad)
    assert publisher.store.find_by_identifier(f"{BASE}/node", "ext-9") is None


def test_every_write_is_in_the_audit_log(publisher: Publisher, store: Store,
                                         make_payload: Callable[..., Any]) -> None:
    created = publisher.create("Initiative", make_payload(), actor="user:ann")
    updated = publisher.update(created.id, make_payload(identifier="x-2"),
                               if_match=created.etag, actor="token:ops")
    retired = publisher.delete(created.id, actor="user:bob")
    publisher.upsert_many([("Initiative", make_payload(identifier="imported"))])
    rows = [(r.actor, r.action, r.record_id, r.version) for r in store.audit_log()][::-1]
    assert rows[:3] == [("user:ann", "record.create", created.id, 1),
                        ("token:ops", "record.update", created.id, updated.version),
                        ("user:bob", "record.retire", created.id, retired.version)]
    assert rows[3][:2] == ("cli:import", "record.create") and rows[3][3] == 1
    with pytest.raises(RecordRejected):
        publisher.create("Initiative", {"name": "not a language map"}, actor="user:ann")
    assert len(store.audit_log()) == 4  # a refused write leaves no row
