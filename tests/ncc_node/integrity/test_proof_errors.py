"""Every typed proof error with its precise reason, and proof sets."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node import errors
from ncc_node.errors import (
    BadSignature,
    CanonicalizationFailed,
    CreatedInFuture,
    KeyNotValidAt,
    MalformedProof,
    NccError,
    UnknownKey,
    UnsupportedCryptosuite,
)
from ncc_node.identity.signing_key import NodeKey, generate_key
from ncc_node.integrity.multibase import multibase_encode
from ncc_node.integrity.proofs import sign, verify, verify_proof_set

from ..conftest import NODE, NOW, T0, Record, check, lookup_for, signed_record


def test_error_codes_are_stable() -> None:
    expected = {
        "NccError": "error",
        "ProofError": "invalid_proof",
        "UnknownKey": "unknown_key",
        "KeyNotValidAt": "key_not_valid_at",
        "BadSignature": "bad_signature",
        "UnsupportedCryptosuite": "unsupported_cryptosuite",
        "ProofContextMismatch": "proof_context_mismatch",
        "ProofPurposeMismatch": "proof_purpose_mismatch",
        "MalformedProof": "malformed_proof",
        "CreatedInFuture": "created_in_future",
        "CanonicalizationFailed": "canonicalization_failed",
        "MultikeyError": "bad_multikey",
        "KeyFileError": "key_file",
        "DescriptorError": "bad_descriptor",
        "RotationRejected": "rotation_rejected",
    }
    assert {name: getattr(errors, name).code for name in expected} == expected
    assert all(issubclass(getattr(errors, name), NccError) for name in expected)
    assert errors.KeyFileError.http_status == 500 and errors.BadSignature.http_status == 400


def test_unknown_key(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    document = signed_record(make_record(), keypair)
    with pytest.raises(UnknownKey) as caught:
        verify(document, key_lookup=lookup_for(generate_key("key-9")), now=NOW)
    assert caught.value.verification_method == f"{NODE}#key-1"


def test_key_not_valid_at_created(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    document = signed_record(make_record(), keypair)
    lookup = lookup_for(keypair, valid_from=T0 + timedelta(seconds=1))
    with pytest.raises(KeyNotValidAt) as caught:
        verify(document, key_lookup=lookup, now=NOW)
    assert caught.value.created == T0


def test_lookup_gets_method_and_created(
    keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    seen: list[tuple[str, datetime]] = []

    def key_lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
        seen.append((verification_method, created))
        return keypair.public_key

    verify(signed_record(make_record(), keypair), key_lookup=key_lookup, now=NOW)
    assert seen == [(f"{NODE}#key-1", T0)]


def test_created_in_the_future(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    document = signed_record(make_record(), keypair, created=NOW + timedelta(minutes=6))
    with pytest.raises(CreatedInFuture):
        check(document, keypair)
    # Within the skew it is accepted; the skew is configurable.
    assert check(document, keypair, max_future_skew=timedelta(minutes=6))
    edge = signed_record(make_record(), keypair, created=NOW + timedelta(minutes=5))
    assert check(edge, keypair)


def test_unsupported_cryptosuite(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    with pytest.raises(UnsupportedCryptosuite, match="bbs-2023"):
        signed_record(make_record(), keypair, "bbs-2023")


@pytest.mark.parametrize(
    ("field", "value", "detail"),
    [
        ("type", None, "missing"),
        ("cryptosuite", 7, "expected a string"),
        ("verificationMethod", None, "missing"),
        ("verificationMethod", ["x"], "expected a string"),
        ("proofPurpose", None, "missing"),
        ("created", None, "missing"),
        ("created", 1772359200, "expected a string"),
        ("created", "2026-03-01 10:00:00Z", "not an XSD dateTime"),
        ("created", "2026-03-01T10:00:00", "with a time zone"),
        ("created", "2026-02-30T10:00:00Z", "day is out of range"),
        ("created", "２０２６-03-01T10:00:00Z", "not an XSD dateTime"),
        ("proofValue", None, "missing"),
        ("proofValue", "uAAAA", "unsupported multibase prefix"),
        ("proofValue", "z0OIl", "not in the alphabet"),
        ("proofValue", multibase_encode(b"\1" * 63), "63 signature bytes"),
        ("id", 5, "expected a string"),
        ("previousProof", "urn:uuid:x", "verified by verify_proof_set"),
    ],
)
def test_malformed_proof_names_the_field(
    field: str, value: Any, detail: str, keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    document = signed_record(make_record(), keypair)
    if value is None:
        del document["proof"][field]
    else:
        document["proof"][field] = value
    with pytest.raises(MalformedProof, match=detail) as caught:
        check(document, keypair)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("proof", "detail"),
    [(None, "missing"), ("z123", "expected an object"), ([{}], "proof set")],
)
def test_malformed_proof_container(
    proof: Any, detail: str, keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    document = make_record()
    if proof is not None:
        document["proof"] = proof
    with pytest.raises(MalformedProof, match=detail):
        check(document, keypair)


def test_document_must_be_an_object(keypair: NodeKey) -> None:
    with pytest.raises(MalformedProof, match="not a JSON object"):
        check([1, 2], keypair)  # type: ignore[arg-type]


def test_uncanonicalizable_documents(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    with pytest.raises(CanonicalizationFailed):
        signed_record(make_record(version=2**53), keypair)
    with pytest.raises(CanonicalizationFailed, match="remote contexts are never fetched"):
        signed_record(
            make_record(**{"@context": "https://example.org/c"}), keypair, "eddsa-rdfc-2022"
        )


def test_naive_datetimes_are_refused(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        signed_record(make_record(), keypair, created=datetime(2026, 3, 1))
    with pytest.raises(ValueError, match="timezone-aware"):
        check(signed_record(make_record(), keypair), keypair, now=datetime(2026, 3, 2))


def test_proof_set_of_two_keys_and_suites(make_record: Callable[..., Record]) -> None:
    first, second = generate_key("key-1"), generate_key("key-2")
    document = signed_record(make_record(), first)
    with pytest.raises(ValueError, match="already has a proof"):
        signed_record(document, second)
    document = signed_record(document, second, "eddsa-rdfc-2022", proof_set=True)
    assert [p["verificationMethod"] for p in document["proof"]] == [
        f"{NODE}#key-1",
        f"{NODE}#key-2",
    ]
    results = verify_proof_set(document, key_lookup=lookup_for(first, second), now=NOW)
    assert [r.cryptosuite for r in results] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    with pytest.raises(MalformedProof, match="verify_proof_set"):
        verify(document, key_lookup=lookup_for(first, second), now=NOW)
    # Each proof signs the document without proofs: dropping one leaves the other valid ...
    document["proof"] = document["proof"][1]
    assert verify(document, key_lookup=lookup_for(second), now=NOW).cryptosuite
    # ... and one bad proof fails the whole set.
    document["proof"] = [
        document["proof"],
        {**document["proof"], "created": "2026-03-01T10:00:01Z"},
    ]
    with pytest.raises(BadSignature):
        verify_proof_set(document, key_lookup=lookup_for(first, second), now=NOW)


def test_proof_set_errors(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    with pytest.raises(MalformedProof, match="empty proof set"):
        verify_proof_set(make_record(proof=[]), key_lookup=lookup_for(keypair), now=NOW)
    with pytest.raises(MalformedProof, match="previousProof"):
        sign(
            signed_record(make_record(), keypair),
            private_key=keypair.private_key,
            verification_method=keypair.verification_method(NODE),
            proof_set=True,
            previous_proof="urn:uuid:nothing",
        )
