"""Our context composes with the Data Integrity v2 context, and old records still hold.

``tests/data/signed/before-data-integrity-context.json`` holds the bundled examples signed with
both suites under the context as it was before it defined the proof terms as Data Integrity v2
does; they must keep validating and verifying (jcs signs the JSON bytes, rdfc the RDF meaning,
which the change kept).
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node.integrity.cryptosuites import rdfc_canonicalize
from ncc_node.integrity.proofs import sign, verify_proof_set
from vocab import (
    CONTEXT_URL,
    DATA_INTEGRITY_V2_URL,
    RECORD_CONTEXTS,
    check_terms,
    context_terms,
    data_integrity_context,
    document_loader,
    is_record_context,
    validate_record,
)

from ..example_keys import example_key

OLD = Path(__file__).parents[2] / "data" / "signed" / "before-data-integrity-context.json"
FORMS = [CONTEXT_URL if isinstance(f, str) else list(f) for f in RECORD_CONTEXTS]


def _old_records() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(OLD.read_text(encoding="utf-8"))
    return records


def _lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
    return example_key(verification_method).public_key


def _label(record: dict[str, Any]) -> str:
    proofs = record["proof"] if isinstance(record["proof"], list) else [record["proof"]]
    return f"{record['type']}-{proofs[0]['cryptosuite']}"


@pytest.mark.parametrize("record", _old_records(), ids=_label)
def test_records_signed_before_the_change_still_validate_and_verify(
    record: dict[str, Any],
) -> None:
    assert validate_record(record) == []
    results = verify_proof_set(record, key_lookup=_lookup, now=datetime.fromisoformat(
        "2030-01-01T00:00:00+00:00"))
    assert results


def test_the_old_records_cover_both_suites_and_every_kind() -> None:
    assert {_label(r) for r in _old_records()} == {
        f"{kind}-{suite}" for kind in ("Initiative", "Method", "Tombstone", "Node")
        for suite in ("eddsa-jcs-2022", "eddsa-rdfc-2022")}


def test_proof_terms_are_defined_exactly_as_data_integrity_v2_does() -> None:
    ours, theirs = context_terms(), data_integrity_context()["@context"]
    # JSON-LD 1.1 lets a protected term be redefined only identically: the shared top-level terms
    # and the type-scoped context of DataIntegrityProof must be the same JSON.
    assert ours["DataIntegrityProof"] == theirs["DataIntegrityProof"]
    scoped = theirs["DataIntegrityProof"]["@context"]
    assert ours["proofPurpose"] == scoped["proofPurpose"]
    for term in ("id", "type"):
        assert ours[term] == theirs[term]
    # the descriptor's key list keeps its @set but yields to the proof's definition in a proof
    assert ours["verificationMethod"]["@protected"] is False


@pytest.mark.parametrize("record", _old_records(), ids=_label)
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_every_accepted_form_means_the_same(record: dict[str, Any], form: Any) -> None:
    unsecured = {k: v for k, v in record.items() if k != "proof"}
    plain = rdfc_canonicalize(unsecured)
    composed = rdfc_canonicalize(dict(unsecured, **{"@context": form}))
    assert composed == plain
    assert is_record_context(form)
    assert check_terms(dict(record, **{"@context": form})) == []
    assert validate_record(dict(record, **{"@context": form})) == []


@pytest.mark.parametrize("form", [
    [CONTEXT_URL, DATA_INTEGRITY_V2_URL, CONTEXT_URL], [DATA_INTEGRITY_V2_URL], [],
    [CONTEXT_URL, "https://example.org/other"], {"@vocab": "https://example.org/"}, None,
], ids=str)
def test_other_forms_are_not_accepted(form: Any) -> None:
    record = _old_records()[0]
    assert not is_record_context(form)
    assert validate_record(dict(record, **{"@context": form}))


@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
@pytest.mark.parametrize("form", FORMS, ids=str)
def test_records_in_every_form_sign_and_verify(suite: str, form: Any) -> None:
    record = {k: v for k, v in _old_records()[0].items() if k != "proof"}
    record["@context"] = copy.deepcopy(form)
    vm = "https://ncc-de.example.org/node#key-1"
    signed = sign(record, private_key=example_key(vm).private_key, verification_method=vm,
                  cryptosuite=suite, document_loader=document_loader())
    assert verify_proof_set(signed, key_lookup=_lookup)[0].cryptosuite == suite
