"""The node descriptor: self-signed version 1, rotation by key continuity, key validity windows."""

from __future__ import annotations

import copy
import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ncc_node.errors import DescriptorError, KeyNotValidAt, RotationRejected, UnknownKey
from ncc_node.identity.descriptor import (
    key_lookup_from_descriptor,
    new_descriptor,
    rotate,
    sign_descriptor,
    verify_descriptor,
    verify_rotation,
)
from ncc_node.identity.key_validity import descriptor_keys, node_iri_for
from ncc_node.identity.signing_key import NodeKey, generate_key
from ncc_node.integrity.cryptosuites import rdfc_canonicalize, unsecured_document
from ncc_node.integrity.proofs import sign, verify

from ..conftest import BASE, NODE, T0, Record

T1 = T0 + timedelta(days=30)  # first rotation
T2 = T0 + timedelta(days=60)  # second rotation
LATER = T0 + timedelta(days=90)


def first(key: NodeKey) -> Record:
    return new_descriptor(
        base_url=BASE,
        name={"en": "NCC Germany", "de": "NKZ Deutschland"},
        jurisdiction="country:DEU",
        key=key,
        created=T0,
    )


def record_signed(key: NodeKey, at: datetime, make_record: Any) -> Record:
    return sign(
        make_record(),
        private_key=key.private_key,
        verification_method=key.verification_method(NODE),
        created=at,
    )


def unsigned_successor(descriptor: Record) -> Record:
    successor = copy.deepcopy(unsecured_document(descriptor))
    successor["version"] += 1
    return successor


def test_version_one_is_self_signed(keypair: NodeKey) -> None:
    d1 = first(keypair)
    assert d1["id"] == NODE and d1["origin"] == NODE and d1["version"] == 1
    assert d1["feed"] == f"{BASE}/feed"
    assert d1["verificationMethod"] == [
        {
            "id": f"{NODE}#key-1",
            "type": "Multikey",
            "controller": NODE,
            "publicKeyMultibase": keypair.public_multikey,
            "keyStatus": "active",
            "created": "2026-03-01T10:00:00Z",
        }
    ]
    [result] = verify_descriptor(d1, now=LATER)
    assert result.verification_method == f"{NODE}#key-1"
    # The descriptor is well-formed JSON-LD under our context, key status included.
    assert b"<https://w3id.org/ncc/vocab#keyStatus>" in rdfc_canonicalize(unsecured_document(d1))


@pytest.mark.parametrize(
    "base",
    [
        "http://ncc.example.org",
        "ftp://ncc.example.org",
        "https://",
        "https://x/?q=1",
        "https://x/#f",
        "https://user:pw@ncc.example.org",
        "http://[::1]:8000",
        "http://LOCALHOST:8000",
        "https://Ncc.example.org",
        "https://ncc.example.org/a b",
        "https://ncc.example.org/ä",
        "https://ncc_de.example.org",
    ],
)
def test_base_url_must_be_https_or_loopback(base: str) -> None:
    with pytest.raises(DescriptorError, match="base URL"):
        node_iri_for(base)
    assert node_iri_for("http://localhost:8000/") == "http://localhost:8000/node"
    assert node_iri_for("https://ncc.example.org/de") == "https://ncc.example.org/de/node"


HOSTS = ["localhost", "LOCALHOST", "127.0.0.1", "[::1]", "ncc.example.org", "Ncc.example.org",
         "ncc_de.example.org", "xn--bcher-kva.example", "10.0.0.7", "bücher.example"]
SEGMENTS = ["/de", "/a b", "/ä", "/x~y.z_-", "/%41", "/", "//", "/node"]


@settings(max_examples=400, deadline=None)
@given(scheme=st.sampled_from(["http", "https"]), host=st.sampled_from(HOSTS),
       port=st.sampled_from(["", ":8471", ":0"]), path=st.lists(st.sampled_from(SEGMENTS),
                                                               max_size=3).map("".join))
def test_a_base_url_accepted_mints_ids_the_shapes_accept(scheme: str, host: str, port: str,
                                                          path: str) -> None:
    from rdflib.namespace import SH

    from vocab.resources import shapes_graph

    node_pattern = next(re.compile(str(o)) for o in shapes_graph().objects(None, SH.pattern)
                        if str(o).endswith("/node$"))
    try:
        node = node_iri_for(f"{scheme}://{host}{port}{path}")
    except DescriptorError:
        return
    assert node_pattern.match(node), node


def test_rotation_is_accepted(keypair: NodeKey) -> None:
    d1 = first(keypair)
    d2, key2 = rotate(d1, current_key=keypair, at=T1)
    assert (
        key2.key_id == "key-2" and d2["version"] == 2 and d2["modified"] == "2026-03-31T10:00:00Z"
    )
    old, new = d2["verificationMethod"]
    assert (old["keyStatus"], old["retired"]) == ("retired", "2026-03-31T10:00:00Z")
    assert (new["keyStatus"], new["publicKeyMultibase"]) == ("active", key2.public_multikey)
    # Proof set: continuity by the previous active key first, then possession of the new key.
    assert [p["verificationMethod"] for p in d2["proof"]] == [f"{NODE}#key-1", f"{NODE}#key-2"]
    results = verify_rotation(d1, d2, now=LATER)
    assert [r.verification_method for r in results] == [f"{NODE}#key-1", f"{NODE}#key-2"]

    d3, key3 = rotate(d2, current_key=key2, at=T2)
    assert key3.key_id == "key-3"
    verify_rotation(d2, d3, now=LATER)
    # Rotations are applied one at a time: key-2 was never active in version 1.
    with pytest.raises(RotationRejected, match="not signed by a key that is active"):
        verify_rotation(d1, d3, now=LATER)


def test_a_plain_update_signed_by_the_active_key_is_accepted(keypair: NodeKey) -> None:
    d1 = first(keypair)
    update = unsigned_successor(d1)
    update["name"]["fr"] = "CNC Allemagne"
    d2 = sign_descriptor(update, [keypair], created=T1)
    verify_rotation(d1, d2, now=LATER)


def test_old_key_is_valid_until_its_retirement(keypair: NodeKey, make_record: Any) -> None:
    d2, key2 = rotate(first(keypair), current_key=keypair, at=T1)
    lookup = key_lookup_from_descriptor(d2)
    for at in (T0, T1 - timedelta(seconds=1), T1):  # the retirement instant is included
        record = record_signed(keypair, at, make_record)
        assert verify(record, key_lookup=lookup, now=LATER).created == at
    with pytest.raises(KeyNotValidAt, match="retired 2026-03-31T10:00:00Z"):
        verify(record_signed(keypair, T1 + timedelta(seconds=1), make_record), key_lookup=lookup)
    with pytest.raises(KeyNotValidAt, match="created 2026-03-31T10:00:00Z"):
        verify(record_signed(key2, T1 - timedelta(seconds=1), make_record), key_lookup=lookup)
    assert verify(record_signed(key2, LATER, make_record), key_lookup=lookup, now=LATER)
    with pytest.raises(UnknownKey, match="not listed by"):
        verify(record_signed(generate_key("key-9"), T1, make_record), key_lookup=lookup)


def test_rotation_signed_by_a_stranger_is_rejected(keypair: NodeKey) -> None:
    d1 = first(keypair)
    d2, key2 = rotate(d1, current_key=keypair, at=T1)
    stranger = generate_key("key-1")  # same id, other material, not in the descriptor
    forged = sign_descriptor(unsecured_document(d2), [stranger, key2], created=T1)
    with pytest.raises(RotationRejected, match="new descriptor: bad_signature"):
        verify_rotation(d1, forged, now=LATER)
    unknown = generate_key("key-7")
    forged = sign_descriptor(unsecured_document(d2), [unknown, key2], created=T1)
    with pytest.raises(RotationRejected, match="new descriptor: unknown_key"):
        verify_rotation(d1, forged, now=LATER)


def test_rotation_without_continuity_is_rejected(keypair: NodeKey) -> None:
    d1 = first(keypair)
    d2, key2 = rotate(d1, current_key=keypair, at=T1)
    # Signed only by the new key: valid on its own, but nothing ties it to version 1.
    alone = sign_descriptor(unsecured_document(d2), [key2], created=T1)
    verify_descriptor(alone, now=LATER)
    with pytest.raises(RotationRejected, match="not signed by a key that is active in the prev"):
        verify_rotation(d1, alone, now=LATER)


def test_new_key_needs_proof_of_possession(keypair: NodeKey) -> None:
    d1 = first(keypair)
    d2, _ = rotate(d1, current_key=keypair, at=T1)
    continuity_only = sign_descriptor(unsecured_document(d2), [keypair], created=T1)
    with pytest.raises(RotationRejected, match="new descriptor: bad_descriptor"):
        verify_rotation(d1, continuity_only, now=LATER)  # key-1 is retired in d2 itself
    # Even when the new descriptor keeps the old key active, an added key must prove itself.
    extra = unsigned_successor(d1)
    extra["verificationMethod"].append(
        {**d2["verificationMethod"][1], "publicKeyMultibase": generate_key().public_multikey}
    )
    with pytest.raises(RotationRejected, match="key-2' carries no proof of possession"):
        verify_rotation(d1, sign_descriptor(extra, [keypair], created=T1), now=LATER)


def test_rotation_signed_by_a_retired_key_is_rejected(keypair: NodeKey) -> None:
    d2, key2 = rotate(first(keypair), current_key=keypair, at=T1)
    key3 = generate_key("key-3")
    # Whoever still holds retired key-1 tries to add key-3 ...
    d3 = unsigned_successor(d2)
    d3["verificationMethod"].append(
        {**d2["verificationMethod"][1], "id": f"{NODE}#key-3", "created": "2026-05-01T10:00:00Z"}
    )
    d3["verificationMethod"][2]["publicKeyMultibase"] = key3.public_multikey
    after = sign_descriptor(d3, [keypair, key3], created=T2)
    with pytest.raises(RotationRejected, match="key_not_valid_at"):
        verify_rotation(d2, after, now=LATER)
    # ... and backdating the proofs to the retirement instant does not help either.
    d3["verificationMethod"][2]["created"] = "2026-03-31T10:00:00Z"
    backdated = sign_descriptor(d3, [keypair, key3], created=T1)
    with pytest.raises(RotationRejected, match="not signed by a key that is active in the prev"):
        verify_rotation(d2, backdated, now=LATER)


def test_swapped_key_material_is_rejected(keypair: NodeKey) -> None:
    d1 = first(keypair)
    impostor = generate_key("key-1")
    swapped = unsigned_successor(d1)
    swapped["verificationMethod"][0]["publicKeyMultibase"] = impostor.public_multikey
    forged = sign_descriptor(swapped, [impostor], created=T1)
    verify_descriptor(forged, now=LATER)  # consistent on its own
    with pytest.raises(RotationRejected, match="key-1' changed its public key material"):
        verify_rotation(d1, forged, now=LATER)


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (lambda d: d.update(id=f"{BASE}/other/node"), "descriptor id changed"),
        (lambda d: d.update(version=1), "version 1 does not follow 1"),
        (lambda d: d["verificationMethod"][0].update(created="2026-01-01T00:00:00Z"),
         "changed its creation date"),
    ],
)  # fmt: skip
def test_identity_version_and_history_are_kept(keypair: NodeKey, edit: Any, reason: str) -> None:
    d1 = first(keypair)
    changed = unsigned_successor(d1)
    edit(changed)
    if changed["id"] != NODE:
        for entry in changed["verificationMethod"]:
            entry["id"] = entry["id"].replace(NODE, changed["id"])
            entry["controller"] = changed["id"]
    with pytest.raises(RotationRejected, match=reason):
        verify_rotation(d1, sign_descriptor(changed, [keypair], created=T1), now=LATER)


def test_retired_key_cannot_be_reactivated(keypair: NodeKey) -> None:
    d2, key2 = rotate(first(keypair), current_key=keypair, at=T1)
    revived = unsigned_successor(d2)
    del revived["verificationMethod"][0]["retired"]
    revived["verificationMethod"][0]["keyStatus"] = "active"
    with pytest.raises(RotationRejected, match="retired key .* was reactivated or re-dated"):
        verify_rotation(d2, sign_descriptor(revived, [key2], created=T2), now=LATER)


def test_a_tampered_previous_descriptor_is_rejected(keypair: NodeKey) -> None:
    d1 = first(keypair)
    d2, _ = rotate(d1, current_key=keypair, at=T1)
    d1["jurisdiction"] = "country:FRA"
    with pytest.raises(RotationRejected, match="previous descriptor: bad_signature"):
        verify_rotation(d1, d2, now=LATER)


def test_rotate_refuses_wrong_current_key(keypair: NodeKey) -> None:
    d2, key2 = rotate(first(keypair), current_key=keypair, at=T1)
    with pytest.raises(DescriptorError, match="not an active key"):
        rotate(d2, current_key=keypair, at=T2)
    with pytest.raises(DescriptorError, match="does not match"):
        rotate(d2, current_key=generate_key("key-2"), at=T2)
    with pytest.raises(DescriptorError, match="already listed"):
        rotate(d2, current_key=key2, new_key=generate_key("key-1"), at=T2)


def _key(**changes: Any) -> dict[str, Any]:
    entry = {
        "id": f"{NODE}#key-1",
        "type": "Multikey",
        "controller": NODE,
        "publicKeyMultibase": "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2",
        "keyStatus": "active",
        "created": "2026-03-01T10:00:00Z",
    }
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"type": "Tombstone"}, "type 'Node'"),
        ({"id": "https://ncc.example.org/"}, "must be <base>/node"),
        ({"id": "http://ncc.example.org/node"}, "must use https"),
        ({"version": 0}, "integer >= 1"),
        ({"version": True}, "integer >= 1"),
        ({"verificationMethod": []}, "non-empty list"),
        ({"verificationMethod": [_key(id=f"{NODE}#")]}, "must be"),
        ({"verificationMethod": [_key(controller="https://x/node")]}, "controller"),
        ({"verificationMethod": [_key(type="JsonWebKey")]}, "type must be Multikey"),
        ({"verificationMethod": [_key(publicKeyMultibase="z3u2en7t")]}, "publicKeyMultibase"),
        ({"verificationMethod": [_key(keyStatus="revoked")]}, "keyStatus"),
        ({"verificationMethod": [_key(retired="2026-04-01T00:00:00Z")]}, "no retired date"),
        ({"verificationMethod": [_key(keyStatus="retired")]}, "retired: "),
        (
            {"verificationMethod": [_key(keyStatus="retired", retired="2026-01-01T00:00:00Z")]},
            "retired before it was created",
        ),
        ({"verificationMethod": [_key(created="yesterday")]}, "created"),
        ({"verificationMethod": [_key(), _key()]}, "listed twice"),
        ({"verificationMethod": [_key(), _key(id=f"{NODE}#key-2")]}, "repeats the material"),
    ],
)
def test_malformed_descriptors(keypair: NodeKey, changes: dict[str, Any], reason: str) -> None:
    descriptor = {**first(keypair), **changes}
    with pytest.raises(DescriptorError, match=reason):
        descriptor_keys(descriptor)
