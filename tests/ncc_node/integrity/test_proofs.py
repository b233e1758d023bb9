"""Signing and verifying our own records: round trips, tampering, and every typed error reason."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from ncc_node.errors import (
    BadSignature,
    CanonicalizationFailed,
    ProofContextMismatch,
    ProofError,
    ProofPurposeMismatch,
    UnsupportedCryptosuite,
)
from ncc_node.identity.signing_key import NodeKey, generate_key
from ncc_node.integrity.proofs import verify
from vocab import CONTEXT_URL

from ..conftest import NODE, NOW, T0, Record, check, lookup_for, signed_record

SUITES = ["eddsa-jcs-2022", "eddsa-rdfc-2022"]


@pytest.mark.parametrize("suite", SUITES)
def test_round_trip(suite: str, keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    record = make_record()
    original = copy.deepcopy(record)
    document = signed_record(record, keypair, suite)
    assert record == original  # the input is not touched
    proof = document["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["created"] == "2026-03-01T10:00:00Z"
    assert proof["verificationMethod"] == f"{NODE}#key-1"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["proofValue"].startswith("z")
    # jcs keeps the document's @context in the proof (signedJCS.json), rdfc does not.
    assert ("@context" in proof) == (suite == "eddsa-jcs-2022")
    result = check(document, keypair)
    assert (result.verification_method, result.created, result.cryptosuite) == (
        f"{NODE}#key-1",
        T0,
        suite,
    )


def _tampered(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return [*value, "sdg:17"] if not value or isinstance(value[0], str) else value[:-1]
    first = next(iter(value))
    return {**value, first: _tampered(value[first])}


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("field", [name for name in ("id", "type", "origin", "version",
    "modified", "name", "description", "problem", "approach", "results", "transferPotential",
    "sdgs", "themes", "countries", "languages", "stage", "leadOrganisation", "partners",
    "seeksPartners")])  # fmt: skip
def test_tampering_a_top_level_field_fails(
    suite: str, field: str, keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    document = signed_record(make_record(), keypair, suite)
    if field == "type":
        document["type"] = "Method"
    else:
        document[field] = _tampered(document[field])
    with pytest.raises(BadSignature):
        check(document, keypair)


@pytest.mark.parametrize("suite", SUITES)
def test_tampering_nested_fields_fails(
    suite: str, keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    edits: list[Callable[[Record], None]] = [
        lambda d: d["leadOrganisation"].update(legalName="Andere gGmbH"),
        lambda d: d["partners"][1].update(countries=["country:LVA"]),
        lambda d: d["name"].update(de="Digitale Lernpatenschaften für Grundschulkinder!"),
        lambda d: d.pop("results"),
    ]
    for edit in edits:
        document = signed_record(make_record(), keypair, suite)
        edit(document)
        with pytest.raises(BadSignature):
            check(document, keypair)


def test_jcs_detects_an_added_field_or_option(
    keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    # jcs signs the JSON itself; rdfc signs the RDF, where a term the context does not define
    # has no meaning (the strict vocabulary check refuses such records before they get here).
    document = signed_record(make_record(), keypair)
    document["unknownField"] = "x"
    with pytest.raises(BadSignature):
        check(document, keypair)
    document = signed_record(make_record(), keypair)
    document["proof"]["nonce"] = "added"
    with pytest.raises(BadSignature):
        check(document, keypair)


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize(
    ("option", "value", "error"),
    [
        ("created", "2026-03-01T10:00:01Z", BadSignature),
        ("verificationMethod", f"{NODE}#key-2", BadSignature),
        ("proofValue", None, BadSignature),
        ("type", "Ed25519Signature2020", UnsupportedCryptosuite),
        ("cryptosuite", "ecdsa-jcs-2019", UnsupportedCryptosuite),
        ("proofPurpose", "authentication", ProofPurposeMismatch),
    ],
)
def test_tampering_proof_options_fails(
    suite: str,
    option: str,
    value: Any,
    error: type[ProofError],
    keypair: NodeKey,
    make_record: Callable[..., Record],
) -> None:
    other = generate_key("key-2")
    document = signed_record(make_record(), keypair, suite)
    if option == "proofValue":  # a valid signature, over another document
        value = signed_record(make_record(version=4), keypair, suite)["proof"]["proofValue"]
    document["proof"][option] = value
    with pytest.raises(error):
        verify(document, key_lookup=lookup_for(keypair, other), now=NOW)


def test_proof_purpose_is_signed(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    document = signed_record(make_record(), keypair)
    document["proof"]["proofPurpose"] = "authentication"
    with pytest.raises(BadSignature):
        check(document, keypair, expected_purpose="authentication")


def test_switching_the_cryptosuite_fails(
    keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    for suite, other in zip(SUITES, reversed(SUITES), strict=True):
        document = signed_record(make_record(), keypair, suite)
        document["proof"]["cryptosuite"] = other
        with pytest.raises(BadSignature):
            check(document, keypair)


@pytest.mark.parametrize(
    ("document_context", "proof_context", "error"),
    [
        ("https://example.org/other", None, ProofContextMismatch),
        (["https://example.org/first", CONTEXT_URL], None, ProofContextMismatch),
        ([], None, ProofContextMismatch),
        (CONTEXT_URL, [CONTEXT_URL, "https://example.org/x"], ProofContextMismatch),
        (None, "https://example.org/other", ProofContextMismatch),
        # Consistent in document and proof, but not what was signed.
        ([CONTEXT_URL, {"x": "https://example.org/x"}],) * 2 + (BadSignature,),
    ],
)
def test_tampering_the_context_fails(
    document_context: Any,
    proof_context: Any,
    error: type[ProofError],
    keypair: NodeKey,
    make_record: Callable[..., Record],
) -> None:
    document = signed_record(make_record(), keypair)
    document["@context"] = document_context
    if proof_context is not None:
        document["proof"]["@context"] = proof_context
    with pytest.raises(error):
        check(document, keypair)


def test_a_context_appended_after_signing_is_not_covered(
    keypair: NodeKey, make_record: Callable[..., Record]
) -> None:
    # vc-di-eddsa §3.3.2: the document's @context need only *start with* the proof's; what
    # follows is not signed. Refusing unknown contexts is the acceptance rules' job
    # (architecture §6).
    document = signed_record(make_record(), keypair)
    document["@context"] = [CONTEXT_URL, "https://example.org/appended"]
    assert check(document, keypair).verification_method == f"{NODE}#key-1"


def test_rdfc_context_swap_fails(keypair: NodeKey, make_record: Callable[..., Record]) -> None:
    document = signed_record(make_record(), keypair, "eddsa-rdfc-2022")
    document["@context"] = "https://example.org/other"
    with pytest.raises(CanonicalizationFailed, match="refused"):
        check(document, keypair)
