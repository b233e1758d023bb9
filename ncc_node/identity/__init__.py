"""The node's identity: its signing keys, its signed descriptor and key rotation, API tokens.
"""

from .descriptor import (
    key_lookup_from_descriptor,
    new_descriptor,
    rotate,
    verify_descriptor,
    verify_rotation,
)
from .key_validity import check_base_url, descriptor_keys, node_iri_for
from .node_identity import (
    NodeIdentity,
    country_concept,
    init_identity,
    load_identity,
    rotate_identity,
)
from .signer import NodeSigner, SigningKey
from .signing_key import NodeKey, generate_key, load_key, save_key
from .tokens import SCOPES, authenticate, create_token

__all__ = [
    "NodeIdentity",
    "NodeKey",
    "NodeSigner",
    "SCOPES",
    "SigningKey",
    "authenticate",
    "check_base_url",
    "country_concept",
    "create_token",
    "descriptor_keys",
    "generate_key",
    "init_identity",
    "key_lookup_from_descriptor",
    "load_identity",
    "load_key",
    "new_descriptor",
    "node_iri_for",
    "rotate",
    "rotate_identity",
    "save_key",
    "verify_descriptor",
    "verify_rotation",
]
