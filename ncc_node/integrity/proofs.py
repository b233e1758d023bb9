"""Sign and verify W3C Data Integrity proofs (``DataIntegrityProof``, EdDSA cryptosuites).

Pure functions: no HTTP, no key files. The signer passes an Ed25519 private key; the verifier
passes ``key_lookup(verification_method, created) -> Ed25519PublicKey``, which raises
:class:`~ncc_node.errors.UnknownKey` or :class:`~ncc_node.errors.KeyNotValidAt`. Every failure is
a typed :class:`~ncc_node.errors.ProofError` naming its reason. See docs/protocol-proofs.md.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from vocab import DocumentLoader

from ..errors import (
    BadSignature,
    CreatedInFuture,
    MalformedProof,
    MultikeyError,
    ProofContextMismatch,
    ProofPurposeMismatch,
    UnsupportedCryptosuite,
)
from ..timestamps import format_timestamp, parse_timestamp, utc_now
from .cryptosuites import (
    CRYPTOSUITES,
    EDDSA_JCS_2022,
    PROOF_TYPE,
    canonicalize_document,
    canonicalize_proof_config,
    hash_data,
    proof_configuration,
    unsecured_document,
)
from .multibase import multibase_decode, multibase_encode
from .proof_sets import previous_proofs, proof_list

__all__ = [
    "ASSERTION_METHOD",
    "DEFAULT_MAX_FUTURE_SKEW",
    "KeyLookup",
    "VerifiedProof",
    "sign",
    "verify",
    "verify_proof_set",
]

KeyLookup = Callable[[str, datetime], Ed25519PublicKey]

ASSERTION_METHOD = "assertionMethod"
DEFAULT_MAX_FUTURE_SKEW = timedelta(minutes=5)
_SIGNATURE_LENGTH = 64


@dataclass(frozen=True, slots=True)
class VerifiedProof:
    """A proof that verified: the verification method that signed, when, and with which suite."""

    verification_method: str
    created: datetime
    cryptosuite: str


def sign(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    cryptosuite: str = EDDSA_JCS_2022,
    created: datetime | None = None,
    proof_purpose: str = ASSERTION_METHOD,
    document_loader: DocumentLoader | None = None,
    proof_set: bool = False,
    proof_id: str | None = None,
    previous_proof: str | Sequence[str] | None = None,
    in_place: bool = False,
) -> dict[str, Any]:
    """Return a signed deep copy of ``document``; ``proof_set=True`` adds to existing proofs.

    ``in_place=True`` signs and returns ``document`` itself (a dict the caller owns and will
    not mutate afterwards), skipping the deep copy, which costs as much as the signature.

    Data Integrity §4.2 Add Proof. Without ``proof_set`` a document that already carries a proof
    is refused (re-signing must start from the unsigned document). ``previous_proof`` names, by
    ``id``, the proofs this one chains onto (§2.1.2); they are signed with the document.
    """
    if cryptosuite not in CRYPTOSUITES:
        raise UnsupportedCryptosuite(f"cannot sign with cryptosuite {cryptosuite!r}")
    if "proof" in document and not proof_set:
        raise ValueError("document already has a proof; pass proof_set=True to add another")
    if in_place and isinstance(document, dict):
        signed = document
    else:
        signed = copy.deepcopy(dict(document))
    existing = proof_list(signed) if "proof" in signed else []
    options: dict[str, Any] = {"type": PROOF_TYPE}
    if proof_id is not None:
        options["id"] = proof_id
    options["cryptosuite"] = cryptosuite
    options["created"] = format_timestamp(created if created is not None else utc_now())
    options["verificationMethod"] = verification_method
    options["proofPurpose"] = proof_purpose
    if previous_proof is not None:
        options["previousProof"] = (
            previous_proof if isinstance(previous_proof, str) else list(previous_proof)
        )
    unsecured = unsecured_document(signed)
    if previous_proof is not None:
        unsecured["proof"] = previous_proofs(existing, options["previousProof"])
    config = proof_configuration(options, unsecured)
    hashed = hash_data(
        canonicalize_proof_config(config, cryptosuite=cryptosuite, document_loader=document_loader),
        canonicalize_document(unsecured, cryptosuite=cryptosuite, document_loader=document_loader),
    )
    # jcs keeps @context in the emitted proof (signedJCS.json); rdfc does not (signedDataInt.json).
    proof = dict(config) if cryptosuite == EDDSA_JCS_2022 else dict(options)
    proof["proofValue"] = multibase_encode(private_key.sign(hashed))
    signed["proof"] = [*existing, proof] if existing else proof
    return signed


def verify(
    document: Mapping[str, Any],
    *,
    key_lookup: KeyLookup,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
    document_loader: DocumentLoader | None = None,
    expected_purpose: str = ASSERTION_METHOD,
) -> VerifiedProof:
    """Verify the document's single proof; return who signed it, or raise a typed ProofError."""
    if not isinstance(document, Mapping):
        raise MalformedProof("proof", "the secured document is not a JSON object")
    proof = document.get("proof")
    if isinstance(proof, list):
        raise MalformedProof("proof", "a proof set (list); verify it with verify_proof_set")
    return _verify_one(
        unsecured_document(document),
        proof,
        key_lookup=key_lookup,
        now=_now(now),
        max_future_skew=max_future_skew,
        document_loader=document_loader,
        expected_purpose=expected_purpose,
    )


def verify_proof_set(
    document: Mapping[str, Any],
    *,
    key_lookup: KeyLookup,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
    document_loader: DocumentLoader | None = None,
    expected_purpose: str = ASSERTION_METHOD,
) -> tuple[VerifiedProof, ...]:
    """Verify every proof of a proof set or chain (a single proof too); all must hold.

    Data Integrity §4.4: each proof signs the document without proofs, except that a proof with
    ``previousProof`` signs it together with the proofs that ``previousProof`` names.
    """
    if not isinstance(document, Mapping):
        raise MalformedProof("proof", "the secured document is not a JSON object")
    proofs = proof_list(document)
    base = unsecured_document(document)
    moment = _now(now)
    results = []
    for proof in proofs:
        unsecured = dict(base)
        if "previousProof" in proof:
            unsecured["proof"] = previous_proofs(proofs, proof["previousProof"])
        results.append(
            _verify_one(
                unsecured,
                proof,
                key_lookup=key_lookup,
                now=moment,
                max_future_skew=max_future_skew,
                document_loader=document_loader,
                expected_purpose=expected_purpose,
            )
        )
    return tuple(results)


def _now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(UTC)
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _field(proof: Mapping[str, Any], name: str) -> str:
    value = proof.get(name)
    if value is None:
        raise MalformedProof(name, "missing")
    if not isinstance(value, str):
        raise MalformedProof(name, f"expected a string, got {type(value).__name__}")
    return value


def _context_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _verify_one(
    unsecured: dict[str, Any],
    proof: object,
    *,
    key_lookup: KeyLookup,
    now: datetime,
    max_future_skew: timedelta,
    document_loader: DocumentLoader | None,
    expected_purpose: str,
) -> VerifiedProof:
    if not isinstance(proof, Mapping):
        detail = "missing" if proof is None else f"expected an object, got {type(proof).__name__}"
        raise MalformedProof("proof", detail)
    proof_type = _field(proof, "type")
    if proof_type != PROOF_TYPE:
        raise UnsupportedCryptosuite(f"proof type {proof_type!r} is not supported")
    cryptosuite = _field(proof, "cryptosuite")
    if cryptosuite not in CRYPTOSUITES:
        raise UnsupportedCryptosuite(f"cryptosuite {cryptosuite!r} is not supported")
    verification_method = _field(proof, "verificationMethod")
    purpose = _field(proof, "proofPurpose")
    try:
        created = parse_timestamp(_field(proof, "created"))
    except ValueError as exc:
        raise MalformedProof("created", str(exc)) from exc
    try:
        signature = multibase_decode(_field(proof, "proofValue"))
    except MultikeyError as exc:
        raise MalformedProof("proofValue", exc.message) from exc
    if len(signature) != _SIGNATURE_LENGTH:
        raise MalformedProof("proofValue", f"{len(signature)} signature bytes, expected 64")
    if "id" in proof:
        _field(proof, "id")
    if "previousProof" in proof and "proof" not in unsecured:
        raise MalformedProof("previousProof", "chained proofs are verified by verify_proof_set")
    if purpose != expected_purpose:
        raise ProofPurposeMismatch(f"proofPurpose is {purpose!r}, expected {expected_purpose!r}")
    if cryptosuite == EDDSA_JCS_2022 and "@context" in proof:
        # vc-di-eddsa §3.3.2 step 4: the document's @context must start with the proof's.
        expected = _context_list(proof["@context"])
        actual = _context_list(unsecured.get("@context"))
        if "@context" not in unsecured or actual[: len(expected)] != expected:
            raise ProofContextMismatch(
                "the document's @context does not start with the proof's @context"
            )
        unsecured["@context"] = proof["@context"]
    if created > now + max_future_skew:
        raise CreatedInFuture(
            f"proof created {format_timestamp(created)} is more than "
            f"{max_future_skew} ahead of {format_timestamp(now)}"
        )
    public_key = key_lookup(verification_method, created)
    hashed = hash_data(
        canonicalize_proof_config(
            proof_configuration(proof, unsecured),
            cryptosuite=cryptosuite,
            document_loader=document_loader,
        ),
        canonicalize_document(unsecured, cryptosuite=cryptosuite, document_loader=document_loader),
    )
    try:
        public_key.verify(signature, hashed)
    except InvalidSignature:
        raise BadSignature(
            f"signature by {verification_method!r} does not verify ({cryptosuite})"
        ) from None
    return VerifiedProof(verification_method, created, cryptosuite)
