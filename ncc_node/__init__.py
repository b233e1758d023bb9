"""A national competence centre node: records, proofs, keys, store, HTTP API and CLI.

This package exports the pure core only (proofs, keys, descriptor, store, publishing); the web
layer lives in :mod:`ncc_node.app` / :mod:`ncc_node.api` and is never imported from here, so
``sync`` can use the core without Flask (DESIGN §2).
"""

from .cryptosuites import CRYPTOSUITES, EDDSA_JCS_2022, EDDSA_RDFC_2022
from .descriptor import (
    key_lookup_from_descriptor,
    new_descriptor,
    rotate,
    verify_descriptor,
    verify_rotation,
)
from .descriptor_keys import descriptor_keys, node_iri_for
from .digest import digest
from .errors import (
    BadSignature,
    Conflict,
    CreatedInFuture,
    DescriptorError,
    KeyNotValidAt,
    MalformedProof,
    NccError,
    ProofContextMismatch,
    ProofError,
    RecordRejected,
    RotationRejected,
    UnknownKey,
    UnsupportedCryptosuite,
)
from .identity import NodeIdentity, init_identity, load_identity, rotate_identity
from .jcs import canonicalize
from .jsonbody import dump_body, json_depth, parse_json, too_deep
from .keys import NodeKey, generate_key, load_key, save_key
from .multikey import decode_public_key, encode_public_key
from .proofs import KeyLookup, VerifiedProof, sign, verify, verify_proof_set
from .publish import Publisher, payload_of
from .settings import SETTINGS, Settings, load_settings
from .store import PeerState, RecordFilter, SqliteStore, Store, StoredRecord
from .timestamps import format_timestamp, parse_timestamp, utc_now

__all__ = [
    "BadSignature",
    "CRYPTOSUITES",
    "Conflict",
    "CreatedInFuture",
    "DescriptorError",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "KeyLookup",
    "KeyNotValidAt",
    "MalformedProof",
    "NccError",
    "NodeIdentity",
    "NodeKey",
    "PeerState",
    "ProofContextMismatch",
    "ProofError",
    "Publisher",
    "RecordFilter",
    "RecordRejected",
    "RotationRejected",
    "SETTINGS",
    "Settings",
    "SqliteStore",
    "Store",
    "StoredRecord",
    "UnknownKey",
    "UnsupportedCryptosuite",
    "VerifiedProof",
    "canonicalize",
    "decode_public_key",
    "descriptor_keys",
    "digest",
    "dump_body",
    "encode_public_key",
    "format_timestamp",
    "generate_key",
    "init_identity",
    "json_depth",
    "key_lookup_from_descriptor",
    "load_identity",
    "load_key",
    "load_settings",
    "new_descriptor",
    "node_iri_for",
    "parse_json",
    "parse_timestamp",
    "payload_of",
    "rotate",
    "rotate_identity",
    "save_key",
    "sign",
    "too_deep",
    "utc_now",
    "verify",
    "verify_descriptor",
    "verify_proof_set",
    "verify_rotation",
]
