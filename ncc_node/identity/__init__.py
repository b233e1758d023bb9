"""The node's identity: its signing keys, its signed descriptor and key rotation, API tokens.
"""

from .descriptor import (
    key_lookup_from_descriptor,
    new_descriptor,
    rotate,
    verify_descriptor,
    verify_rotation,
)
from .key_validity import check_base_url, descriptor_keys, is_node_iri, node_iri_for
from .node_identity import (
    EU_LEVEL,
    NodeIdentity,
    country_concept,
    init_identity,
    load_identity,
    rotate_identity,
)
from .roster import (
    ROSTER_MAX_BYTES,
    Roster,
    RosterEntry,
    RosterFile,
    RosterRejected,
    did_key,
    roster_bytes,
    roster_file_for,
    sign_roster,
    verify_roster,
)
from .signer import NodeSigner, SigningKey
from .signing_key import NodeKey, generate_key, load_key, save_key
from .tokens import SCOPE_ALLOWS, SCOPES, authenticate, create_token

__all__ = [
    "EU_LEVEL",
    "NodeIdentity",
    "NodeKey",
    "NodeSigner",
    "ROSTER_MAX_BYTES",
    "Roster",
    "RosterEntry",
    "RosterFile",
    "RosterRejected",
    "SCOPES",
    "SCOPE_ALLOWS",
    "SigningKey",
    "authenticate",
    "check_base_url",
    "country_concept",
    "create_token",
    "descriptor_keys",
    "did_key",
    "generate_key",
    "init_identity",
    "is_node_iri",
    "key_lookup_from_descriptor",
    "load_identity",
    "load_key",
    "new_descriptor",
    "node_iri_for",
    "roster_bytes",
    "roster_file_for",
    "rotate",
    "rotate_identity",
    "save_key",
    "sign_roster",
    "verify_descriptor",
    "verify_roster",
    "verify_rotation",
]
