"""The key list of a node descriptor: parsing, validity intervals, and key lookup for verifiers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from vocab.iri import NODE_BASE

from ..errors import DescriptorError, KeyNotValidAt, MultikeyError, UnknownKey
from ..integrity import KeyLookup, decode_public_key
from ..timestamps import format_timestamp, parse_timestamp

__all__ = [
    "ACTIVE",
    "LOOPBACK_HOSTS",
    "RETIRED",
    "DescriptorKey",
    "check_base_url",
    "descriptor_keys",
    "is_node_iri",
    "lookup_from_keys",
    "node_iri_for",
]

ACTIVE = "active"
RETIRED = "retired"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost"})


@dataclass(frozen=True, slots=True)
class DescriptorKey:
    """One key a descriptor lists, with the interval in which it may sign (both ends inclusive)."""

    id: str
    public_key_multibase: str
    created: datetime
    retired: datetime | None
    public_key: Ed25519PublicKey = field(compare=False, repr=False)

    @property
    def key_id(self) -> str:
        """The fragment of the verification method IRI, e.g. ``key-2``."""
        return self.id.rpartition("#")[2]

    @property
    def status(self) -> str:
        """``"active"`` or ``"retired"``."""
        return ACTIVE if self.retired is None else RETIRED

    def not_valid_reason(self, moment: datetime) -> str | None:
        """Why the key cannot have signed at ``moment``, or None if it can."""
        if moment < self.created:
            return f"the key was created {format_timestamp(self.created)}"
        if self.retired is not None and moment > self.retired:
            return f"the key was retired {format_timestamp(self.retired)}"
        return None


def check_base_url(base_url: str) -> str:
    """Return a node base URL without trailing slash: https, or http on loopback only, written
    as the shapes' id patterns (:data:`vocab.iri.NODE_BASE_PATTERN`) accept it."""
    parts = urlsplit(base_url)
    if parts.query or parts.fragment or parts.username or not parts.hostname:
        raise DescriptorError(f"base URL {base_url!r} must be scheme://host[:port][/path]")
    loopback = parts.hostname in LOOPBACK_HOSTS
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        raise DescriptorError(f"base URL {base_url!r} must use https "
                              "(http only on loopback: 127.0.0.1 or localhost)")
    base = base_url.rstrip("/")
    if not NODE_BASE.match(base):  # the ids minted under it would fail the shapes
        raise DescriptorError(
            f"base URL {base_url!r} must be written https://<host>[:port][/path] with the host in "
            "lower case (letters, digits, dots, hyphens), or http://127.0.0.1 or "
            "http://localhost, and path segments of letters, digits and . _ ~ -")
    return base


def node_iri_for(base_url: str) -> str:
    """Return the node IRI (descriptor id) for a base URL: ``<base>/node``."""
    return check_base_url(base_url) + "/node"


def is_node_iri(value: object) -> bool:
    """Whether ``value`` is the node IRI ``<base>/node`` of a valid base URL."""
    if not isinstance(value, str) or not value.endswith("/node"):
        return False
    try:
        return node_iri_for(value.removesuffix("/node")) == value
    except DescriptorError:
        return False


def _timestamp(entry: Mapping[str, Any], name: str, key_id: str) -> datetime:
    try:
        return parse_timestamp(entry.get(name))
    except ValueError as exc:
        raise DescriptorError(f"key {key_id!r}: {name}: {exc}") from None


def _parse_key(entry: object, node_iri: str) -> DescriptorKey:
    if not isinstance(entry, Mapping):
        raise DescriptorError("verificationMethod entries must be objects")
    key_id = entry.get("id")
    if not isinstance(key_id, str) or not key_id.startswith(f"{node_iri}#") or key_id[-1] == "#":
        raise DescriptorError(f"key id {key_id!r} must be {node_iri}#<key-id>")
    if entry.get("type") != "Multikey":
        raise DescriptorError(f"key {key_id!r}: type must be Multikey")
    if entry.get("controller") != node_iri:
        raise DescriptorError(f"key {key_id!r}: controller must be {node_iri}")
    multibase = entry.get("publicKeyMultibase")
    if not isinstance(multibase, str):
        raise DescriptorError(f"key {key_id!r}: publicKeyMultibase must be a string")
    try:
        public_key = decode_public_key(multibase)
    except MultikeyError as exc:
        raise DescriptorError(f"key {key_id!r}: publicKeyMultibase: {exc.message}") from None
    created = _timestamp(entry, "created", key_id)
    status = entry.get("keyStatus")
    if status == ACTIVE:
        if "retired" in entry:
            raise DescriptorError(f"key {key_id!r}: an active key has no retired date")
        retired = None
    elif status == RETIRED:
        retired = _timestamp(entry, "retired", key_id)
        if retired < created:
            raise DescriptorError(f"key {key_id!r}: retired before it was created")
    else:
        raise DescriptorError(f"key {key_id!r}: keyStatus must be 'active' or 'retired'")
    return DescriptorKey(key_id, multibase, created, retired, public_key)


def descriptor_keys(descriptor: Mapping[str, Any]) -> dict[str, DescriptorKey]:
    """Check a descriptor's identity fields and parse its keys, by verification method IRI."""
    if not isinstance(descriptor, Mapping) or descriptor.get("type") != "Node":
        raise DescriptorError("a node descriptor is a JSON object with type 'Node'")
    node_iri = descriptor.get("id")
    if not isinstance(node_iri, str) or not node_iri.endswith("/node"):
        raise DescriptorError(f"descriptor id {node_iri!r} must be <base>/node")
    check_base_url(node_iri.removesuffix("/node"))
    version = descriptor.get("version")
    if type(version) is not int or version < 1:
        raise DescriptorError(f"descriptor version {version!r} must be an integer >= 1")
    entries = descriptor.get("verificationMethod")
    if not isinstance(entries, list) or not entries:
        raise DescriptorError("verificationMethod must be a non-empty list of keys")
    keys: dict[str, DescriptorKey] = {}
    for entry in entries:
        key = _parse_key(entry, node_iri)
        if key.id in keys:
            raise DescriptorError(f"key {key.id!r} is listed twice")
        if any(k.public_key_multibase == key.public_key_multibase for k in keys.values()):
            raise DescriptorError(f"key {key.id!r} repeats the material of another key")
        keys[key.id] = key
    return keys


def lookup_from_keys(keys: Mapping[str, DescriptorKey], node_iri: str) -> KeyLookup:
    """Return a key lookup over parsed descriptor keys (UnknownKey, KeyNotValidAt)."""
    table = dict(keys)

    def key_lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
        key = table.get(verification_method)
        if key is None:
            raise UnknownKey(verification_method, f"not listed by {node_iri}")
        reason = key.not_valid_reason(created)
        if reason is not None:
            raise KeyNotValidAt(verification_method, created, reason)
        return key.public_key

    return key_lookup
