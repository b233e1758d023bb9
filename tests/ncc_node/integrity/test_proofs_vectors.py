"""The W3C vc-di-eddsa test vectors, reproduced byte for byte (tests/data/vectors/README.md)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node.errors import BadSignature, UnknownKey
from ncc_node.integrity.cryptosuites import (
    canonicalize_document,
    canonicalize_proof_config,
    hash_data,
    proof_configuration,
)
from ncc_node.integrity.multibase import multibase_encode
from ncc_node.integrity.multikey import decode_public_key, decode_secret_key, encode_public_key
from ncc_node.integrity.proofs import sign, verify, verify_proof_set
from vocab import DocumentLoader

from ..conftest import EDDSA, read_json

KEY_PAIR = read_json(EDDSA / "keyPair.json")
DID = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
METHOD = f"{DID}#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
CREATED = datetime.fromisoformat("2023-02-24T23:36:38Z")

# (folder, cryptosuite, file suffix, unsigned document)
SUITES = [
    ("jcs-2022", "eddsa-jcs-2022", "JCS", "unsigned.json"),
    ("rdfc-2022", "eddsa-rdfc-2022", "DataInt", "unsigned.json"),
    ("rdfc-2022/employ", "eddsa-rdfc-2022", "DataInt", "employmentAuth.json"),
]


def did_key_lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
    """Resolve the vectors' ``did:key`` methods: the fragment is the Multikey itself."""
    did, _, fragment = verification_method.partition("#")
    if did != f"did:key:{fragment}":
        raise UnknownKey(verification_method)
    return decode_public_key(fragment)


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(params=SUITES, ids=[suite[0] for suite in SUITES])
def vector(request: pytest.FixtureRequest) -> dict[str, Any]:
    folder, cryptosuite, suffix, unsigned = request.param
    here = EDDSA / folder

    def file(stem: str, ext: str = "txt") -> Path:
        return here / f"{stem}{suffix}.{ext}"

    return {
        "cryptosuite": cryptosuite,
        "unsigned": read_json(EDDSA / unsigned),
        "proofConfig": read_json(file("proofConfig", "json")),
        "canonDoc": file("canonDoc").read_bytes(),
        "docHash": text(file("docHash")),
        "proofCanon": file("proofCanon").read_bytes(),
        "proofHash": text(file("proofHash")),
        "combinedHash": text(file("combinedHash")),
        "sigHex": text(file("sigHex")),
        "sigBTC58": text(file("sigBTC58")),
        "signed_text": text(file("signed", "json")),
    }


def test_key_pair_decodes_to_the_documented_bytes() -> None:
    secret = decode_secret_key(KEY_PAIR["privateKeyMultibase"])
    assert encode_public_key(secret.public_key()) == KEY_PAIR["publicKeyMultibase"]
    public = decode_public_key(KEY_PAIR["publicKeyMultibase"])
    raw = public.public_bytes_raw()
    assert raw.hex().startswith("b00d8d93") and raw.hex().endswith("a2810f")


def test_intermediate_values(vector: dict[str, Any], vector_loader: DocumentLoader) -> None:
    suite = vector["cryptosuite"]
    options = {key: value for key, value in vector["proofConfig"].items() if key != "@context"}
    config = proof_configuration(options, vector["unsigned"])
    assert config == vector["proofConfig"]

    canon_doc = canonicalize_document(
        vector["unsigned"], cryptosuite=suite, document_loader=vector_loader
    )
    assert canon_doc == vector["canonDoc"]
    assert hashlib.sha256(canon_doc).hexdigest() == vector["docHash"]

    proof_canon = canonicalize_proof_config(
        config, cryptosuite=suite, document_loader=vector_loader
    )
    assert proof_canon == vector["proofCanon"]
    assert hashlib.sha256(proof_canon).hexdigest() == vector["proofHash"]

    combined = hash_data(proof_canon, canon_doc)
    assert combined.hex() == vector["combinedHash"]
    signature = decode_secret_key(KEY_PAIR["privateKeyMultibase"]).sign(combined)
    assert signature.hex() == vector["sigHex"]
    assert multibase_encode(signature) == vector["sigBTC58"]


def test_signed_document_byte_for_byte(
    vector: dict[str, Any], vector_loader: DocumentLoader
) -> None:
    signed = sign(
        vector["unsigned"],
        private_key=decode_secret_key(KEY_PAIR["privateKeyMultibase"]),
        verification_method=METHOD,
        cryptosuite=vector["cryptosuite"],
        created=CREATED,
        document_loader=vector_loader,
    )
    assert json.dumps(signed, indent=2, ensure_ascii=False) == vector["signed_text"]


def test_signed_vector_verifies(vector: dict[str, Any], vector_loader: DocumentLoader) -> None:
    result = verify(
        json.loads(vector["signed_text"]),
        key_lookup=did_key_lookup,
        document_loader=vector_loader,
    )
    assert result.verification_method == METHOD
    assert result.created == CREATED
    assert result.cryptosuite == vector["cryptosuite"]


def test_tampered_vector_fails(vector: dict[str, Any], vector_loader: DocumentLoader) -> None:
    document = json.loads(vector["signed_text"])
    document["name"] = "Tampered Credential"
    with pytest.raises(BadSignature):
        verify(document, key_lookup=did_key_lookup, document_loader=vector_loader)


# Proof sets and chains (eddsa-rdfc-2022, four key pairs).

SET_CHAIN = EDDSA / "proof-set-chain"
MULTI_KEYS = read_json(SET_CHAIN / "multiKeyPairs.json")


def _add_proof(
    document: dict[str, Any], config_name: str, loader: DocumentLoader
) -> dict[str, Any]:
    config = read_json(SET_CHAIN / config_name)
    method = config["verificationMethod"]
    pair = next(p for p in MULTI_KEYS.values() if method.endswith("#" + p["publicKeyMultibase"]))
    return sign(
        document,
        private_key=decode_secret_key(pair["privateKeyMultibase"]),
        verification_method=method,
        cryptosuite=config["cryptosuite"],
        created=datetime.fromisoformat(config["created"]),
        proof_purpose=config["proofPurpose"],
        document_loader=loader,
        proof_set=True,
        proof_id=config.get("id"),
        previous_proof=config.get("previousProof"),
    )


def test_proof_set_and_chain_byte_for_byte(vector_loader: DocumentLoader) -> None:
    document = read_json(SET_CHAIN / "unsigned.json")
    steps = [
        ("proofSetConfig1.json", "signedProofSet1.json"),
        ("proofSetConfig2.json", "signedProofSet2.json"),
        ("proofChainConfig1.json", "signedProofChain1.json"),
        ("proofChainConfig2.json", "signedProofChain2.json"),
    ]
    for config_name, signed_name in steps:
        document = _add_proof(document, config_name, vector_loader)
        expected = text(SET_CHAIN / signed_name)
        assert json.dumps(document, indent=2, ensure_ascii=False) == expected, signed_name
        results = verify_proof_set(
            json.loads(expected), key_lookup=did_key_lookup, document_loader=vector_loader
        )
        proofs = document["proof"]
        assert len(results) == (len(proofs) if isinstance(proofs, list) else 1)


def test_chain_proof_signs_the_previous_proofs(vector_loader: DocumentLoader) -> None:
    document = read_json(SET_CHAIN / "signedProofChain2.json")
    first = document["proof"][0]
    # A different, valid proof with the same id: it verifies on its own, but the chained proof
    # that named it signed the original, so the chain breaks.
    pair = MULTI_KEYS["keyPair1"]
    resigned = sign(
        read_json(SET_CHAIN / "unsigned.json"),
        private_key=decode_secret_key(pair["privateKeyMultibase"]),
        verification_method=first["verificationMethod"],
        cryptosuite="eddsa-rdfc-2022",
        created=datetime.fromisoformat("2023-02-25T00:00:00Z"),
        document_loader=vector_loader,
        proof_id=first["id"],
    )
    document["proof"][0] = resigned["proof"]
    with pytest.raises(BadSignature, match="z6MkmEq87wkHCYnWnNZkigeDMGTN7oUw1upkhzd77KuXERS1"):
        verify_proof_set(document, key_lookup=did_key_lookup, document_loader=vector_loader)


def test_protocol_example() -> None:
    """The worked example of docs/protocol-proofs.md §9 (W3C test key, our context)."""
    record = {
        "@context": "https://w3id.org/ncc/context/v1",
        "id": "https://ncc-de.example.org/initiatives/3f1c6a52-8e0b-4b7e-9a55-4b7d0c8e2a11",
        "type": "Initiative",
        "origin": "https://ncc-de.example.org/node",
        "version": 3,
        "modified": "2026-03-01T10:00:00Z",
        "name": {"de": "Digitale Lernpatenschaften", "en": "Digital learning mentorships"},
        "sdgs": ["sdg:4"],
        "seeksPartners": True,
    }
    method = "https://ncc-de.example.org/node#key-1"
    signed = sign(
        record,
        private_key=decode_secret_key(KEY_PAIR["privateKeyMultibase"]),
        verification_method=method,
        created=datetime.fromisoformat("2026-03-01T10:00:00Z"),
    )
    proof = signed["proof"]
    config = proof_configuration(proof, record)
    proof_canon = canonicalize_proof_config(config, cryptosuite="eddsa-jcs-2022")
    assert proof_canon == (
        b'{"@context":"https://w3id.org/ncc/context/v1","created":"2026-03-01T10:00:00Z",'
        b'"cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod",'
        b'"type":"DataIntegrityProof","verificationMethod":"https://ncc-de.example.org/node#key-1"}'
    )
    assert hashlib.sha256(proof_canon).hexdigest() == (
        "8159f2bb5d4c8d48e3ea47098d67ad0954f9758a2843a0ebb293815ff5c4c840"
    )
    canon_doc = canonicalize_document(record, cryptosuite="eddsa-jcs-2022")
    assert hashlib.sha256(canon_doc).hexdigest() == (
        "9b50f6b24ff0acd063fc85375b13bd14f2c8a88bf8d0fc4a5ed7a3a14956b9b6"
    )
    assert proof["proofValue"] == (
        "zz9wjU2JqKscn5SwG1tMWZYmJ6XVwBMgDp9zMVZmzJCf1BbvGKXEHGoboYJL4yGpfLV3dAA523EuvVQY2TujjNBe"
    )
    public = decode_public_key(KEY_PAIR["publicKeyMultibase"])
    assert verify(signed, key_lookup=lambda vm, created: public).verification_method == method
