"""W3C Data Integrity: EdDSA cryptosuites, proofs and proof sets, JCS, Multikey, multibase.

Pure functions only: no HTTP, no key files; a verifier gets its keys through a lookup callable
(CONVENTIONS §6).
"""

from .cryptosuites import CRYPTOSUITES, EDDSA_JCS_2022, EDDSA_RDFC_2022
from .jcs import canonicalize
from .multikey import decode_public_key, encode_public_key
from .proofs import (
    DEFAULT_MAX_FUTURE_SKEW,
    KeyLookup,
    VerifiedProof,
    sign,
    verify,
    verify_proof_set,
)

__all__ = [
    "CRYPTOSUITES",
    "DEFAULT_MAX_FUTURE_SKEW",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "KeyLookup",
    "VerifiedProof",
    "canonicalize",
    "decode_public_key",
    "encode_public_key",
    "sign",
    "verify",
    "verify_proof_set",
]
