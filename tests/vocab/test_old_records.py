"""Records signed before the vocabulary grew still validate and verify.

tests/data/old-records holds 52 initiatives and methods signed by a node of the earlier
vocabulary (config/samples/de.jsonl imported and exported as JSON Lines), with that node's
descriptor (public keys only).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ncc_node.errors import ProofError
from ncc_node.identity.key_validity import descriptor_keys, lookup_from_keys
from ncc_node.integrity import verify
from vocab.validation import certainly_valid, validate_record, validate_shacl

OLD = Path(__file__).resolve().parents[1] / "data" / "old-records"
RECORDS = [json.loads(line) for line in (OLD / "de-records.jsonl").read_text().splitlines()]
DESCRIPTOR = json.loads((OLD / "de-node.json").read_text())


def test_there_are_old_records_of_both_kinds() -> None:
    assert len(RECORDS) == 52
    assert {r["type"] for r in RECORDS} == {"Initiative", "Method"}


def test_old_records_are_valid_for_every_validator() -> None:
    assert [r["id"] for r in RECORDS if validate_record(r)] == []
    assert [r["id"] for r in RECORDS if not certainly_valid(r)] == []
    assert validate_record(DESCRIPTOR) == []
    for record in RECORDS[:5]:  # pyshacl is slow; the agreement tests cover the rest
        assert validate_shacl(record) == []


def test_old_records_verify_against_their_node() -> None:
    lookup = lookup_from_keys(descriptor_keys(DESCRIPTOR), DESCRIPTOR["id"])
    for record in RECORDS:
        verify(record, key_lookup=lookup)  # raises a ProofError unless the signature holds
    tampered = dict(RECORDS[0], version=RECORDS[0]["version"] + 1)
    with pytest.raises(ProofError):  # the check is real, not vacuous
        verify(tampered, key_lookup=lookup)
