"""The documented example records carry real, verifiable proofs."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node.errors import BadSignature
from ncc_node.identity.descriptor import verify_descriptor
from ncc_node.integrity.proofs import verify
from vocab import example, example_names, validate_record

from .example_keys import EXAMPLES, example_key, resign


def lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
    return example_key(verification_method).public_key


@pytest.mark.parametrize("name", example_names())
def test_example_proofs_verify(name: str) -> None:
    record = example(name)
    assert validate_record(record) == []
    if record["type"] == "Node":
        signers = {p.verification_method for p in verify_descriptor(record)}
        assert signers == {f"{record['id']}#key-1", f"{record['id']}#key-2"}
    else:
        verify(record, key_lookup=lookup)
        record["version"] += 1
        with pytest.raises(BadSignature):
            verify(record, key_lookup=lookup)


@pytest.mark.parametrize("name", example_names())
def test_examples_are_signed_as_committed(name: str) -> None:
    on_disk = json.loads((EXAMPLES / name).read_text(encoding="utf-8"))
    assert resign(name) == on_disk, "run: python -m tests.ncc_node.example_keys"
