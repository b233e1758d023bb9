"""The pure steps of the EdDSA cryptosuites ``eddsa-jcs-2022`` and ``eddsa-rdfc-2022``.

vc-di-eddsa v1.0 §3.2 (rdfc) and §3.3 (jcs): *transformation* canonicalizes the unsecured
document, *proof configuration* canonicalizes the proof options carrying the document's
``@context``, *hashing* concatenates SHA-256(proof config) ‖ SHA-256(document), and the Ed25519
signature over those 64 bytes is the ``proofValue``. Each step is its own function so the W3C
vectors can check every intermediate value (canonDoc, proofCanon, combinedHash) byte for byte.
"""

from __future__ import annotations

from collections.abc import Mapping
from hashlib import sha256
from typing import Any

import vocab
from vocab import DocumentLoader, refused_cause

from ..errors import CanonicalizationFailed, UnsupportedCryptosuite
from .jcs import canonicalize

__all__ = [
    "CRYPTOSUITES",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "PROOF_TYPE",
    "canonicalize_document",
    "canonicalize_proof_config",
    "hash_data",
    "proof_configuration",
    "rdfc_canonicalize",
    "unsecured_document",
]

PROOF_TYPE = "DataIntegrityProof"
EDDSA_JCS_2022 = "eddsa-jcs-2022"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
CRYPTOSUITES = frozenset({EDDSA_JCS_2022, EDDSA_RDFC_2022})


def _check_suite(cryptosuite: str) -> None:
    if cryptosuite not in CRYPTOSUITES:
        supported = ", ".join(sorted(CRYPTOSUITES))
        raise UnsupportedCryptosuite(
            f"cryptosuite {cryptosuite!r} is not supported (supported: {supported})"
        )


def unsecured_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return a shallow copy of ``document`` without its ``proof`` (Data Integrity §4.2)."""
    unsecured = dict(document)
    unsecured.pop("proof", None)
    return unsecured


def proof_configuration(options: Mapping[str, Any], unsecured: Mapping[str, Any]) -> dict[str, Any]:
    """Return the proof configuration: the options without ``proofValue``, with the doc's context.

    vc-di-eddsa §3.2.5 / §3.3.5: ``proofConfig.@context = unsecuredDocument.@context``.
    """
    config = {key: value for key, value in options.items() if key != "proofValue"}
    if "@context" in unsecured:
        config["@context"] = unsecured["@context"]
    return config


def rdfc_canonicalize(
    document: Mapping[str, Any], *, document_loader: DocumentLoader | None = None
) -> bytes:
    """Return the RDFC-1.0 (URDNA2015) canonical N-Quads of a JSON-LD document, UTF-8."""
    # A bundled-only loader is built per call, never kept in a module global (CONVENTIONS §1).
    loader = document_loader if document_loader is not None else vocab.document_loader()
    options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}
    from pyld import jsonld  # on first use: the JCS suite, which nodes sign with, never needs it

    try:
        nquads = jsonld.normalize(dict(document), options)
    except jsonld.JsonLdError as exc:
        refused = refused_cause(exc)
        reason = str(refused) if refused is not None else f"JSON-LD error: {exc}"
        raise CanonicalizationFailed(f"RDFC-1.0 canonicalization failed: {reason}") from exc
    except RecursionError as exc:
        raise CanonicalizationFailed("RDFC-1.0 canonicalization failed: nested too deeply") from exc
    if not isinstance(nquads, str):  # PyLD returns a dataset object for other formats only
        raise CanonicalizationFailed("RDFC-1.0 canonicalization did not return N-Quads")
    return nquads.encode("utf-8")


def canonicalize_document(
    unsecured: Mapping[str, Any],
    *,
    cryptosuite: str,
    document_loader: DocumentLoader | None = None,
) -> bytes:
    """Return the canonical unsecured document (vc-di-eddsa §3.2.3 / §3.3.3 Transformation)."""
    _check_suite(cryptosuite)
    if cryptosuite == EDDSA_JCS_2022:
        return canonicalize(unsecured)
    return rdfc_canonicalize(unsecured, document_loader=document_loader)


def canonicalize_proof_config(
    config: Mapping[str, Any],
    *,
    cryptosuite: str,
    document_loader: DocumentLoader | None = None,
) -> bytes:
    """Return the canonical proof configuration (vc-di-eddsa §3.2.5 / §3.3.5)."""
    _check_suite(cryptosuite)
    if cryptosuite == EDDSA_JCS_2022:
        return canonicalize(config)
    return rdfc_canonicalize(config, document_loader=document_loader)


def hash_data(canonical_proof_config: bytes, canonical_document: bytes) -> bytes:
    """Return SHA-256(proof config) ‖ SHA-256(document), the 64 bytes that are signed (§3.2.4)."""
    return sha256(canonical_proof_config).digest() + sha256(canonical_document).digest()
