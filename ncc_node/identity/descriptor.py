"""The node descriptor (architecture §4): a signed record listing the node's keys, and key rotation.

Version 1 is signed by its only key. A rotation publishes version N+1 that retires the current
key (``keyStatus: retired``, ``retired: <date>``), adds a new active key, and carries the proof set
``[proof by the previous active key, proof by the new key]`` over the same document: the first is
key continuity, the second proves possession of the new key. A retired key stays valid for what
it signed up to its retirement date. The rules are in docs/protocol-proofs.md.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from vocab import CONTEXT_URL

from ..errors import DescriptorError, NccError, RotationRejected
from ..integrity import (
    DEFAULT_MAX_FUTURE_SKEW,
    EDDSA_JCS_2022,
    KeyLookup,
    VerifiedProof,
    sign,
    verify_proof_set,
)
from ..timestamps import format_timestamp, utc_now
from .key_validity import (
    ACTIVE,
    RETIRED,
    DescriptorKey,
    descriptor_keys,
    lookup_from_keys,
    node_iri_for,
)
from .signing_key import NodeKey, generate_key

__all__ = [
    "build_descriptor",
    "key_lookup_from_descriptor",
    "new_descriptor",
    "rotate",
    "sign_descriptor",
    "verify_descriptor",
    "verify_rotation",
]

_KEY_NUMBER = re.compile(r"key-(\d+)", re.ASCII)


def build_descriptor(
    *,
    base_url: str,
    name: Mapping[str, str],
    jurisdiction: str,
    key: NodeKey,
    created: datetime | None = None,
    feed: str | None = None,
    sparql_endpoint: str | None = None,
) -> dict[str, Any]:
    """Return an unsigned version-1 descriptor for ``<base_url>/node`` with ``key`` active."""
    moment = format_timestamp(created if created is not None else utc_now())
    node_iri = node_iri_for(base_url)
    base = node_iri.removesuffix("/node")
    descriptor: dict[str, Any] = {
        "@context": CONTEXT_URL,
        "id": node_iri,
        "type": "Node",
        "origin": node_iri,
        "version": 1,
        "modified": moment,
        "name": dict(name),
        "jurisdiction": jurisdiction,
        "feed": feed if feed is not None else f"{base}/feed",
    }
    if sparql_endpoint is not None:
        descriptor["sparqlEndpoint"] = sparql_endpoint
    descriptor["verificationMethod"] = [_key_entry(key, node_iri, moment)]
    return descriptor


def _key_entry(key: NodeKey, node_iri: str, created: str) -> dict[str, Any]:
    return {
        "id": key.verification_method(node_iri),
        "type": "Multikey",
        "controller": node_iri,
        "publicKeyMultibase": key.public_multikey,
        "keyStatus": ACTIVE,
        "created": created,
    }


def sign_descriptor(
    descriptor: Mapping[str, Any],
    keys: Sequence[NodeKey],
    *,
    created: datetime | None = None,
    cryptosuite: str = EDDSA_JCS_2022,
) -> dict[str, Any]:
    """Sign a descriptor with each key in order (a proof set if more than one); drop old proofs."""
    if not keys:
        raise ValueError("a descriptor needs at least one signing key")
    moment = created if created is not None else utc_now()
    signed = {name: value for name, value in descriptor.items() if name != "proof"}
    for index, key in enumerate(keys):
        signed = sign(
            signed,
            private_key=key.private_key,
            verification_method=key.verification_method(signed["id"]),
            created=moment,
            proof_set=index > 0,
            cryptosuite=cryptosuite,
        )
    return signed


def new_descriptor(
    *,
    base_url: str,
    name: Mapping[str, str],
    jurisdiction: str,
    key: NodeKey,
    created: datetime | None = None,
    feed: str | None = None,
    sparql_endpoint: str | None = None,
    cryptosuite: str = EDDSA_JCS_2022,
) -> dict[str, Any]:
    """Return a version-1 descriptor for ``<base_url>/node``, self-signed by its only key."""
    moment = created if created is not None else utc_now()
    unsigned = build_descriptor(
        base_url=base_url,
        name=name,
        jurisdiction=jurisdiction,
        key=key,
        created=moment,
        feed=feed,
        sparql_endpoint=sparql_endpoint,
    )
    return sign_descriptor(unsigned, [key], created=moment, cryptosuite=cryptosuite)


def _next_key_id(keys: Mapping[str, DescriptorKey]) -> str:
    numbers = [0]
    for entry in keys.values():
        match = _KEY_NUMBER.fullmatch(entry.key_id)
        if match:
            numbers.append(int(match.group(1)))
    return f"key-{max(numbers) + 1}"


def rotate(
    descriptor: Mapping[str, Any],
    *,
    current_key: NodeKey,
    new_key: NodeKey | None = None,
    at: datetime | None = None,
    cryptosuite: str = EDDSA_JCS_2022,
) -> tuple[dict[str, Any], NodeKey]:
    """Retire ``current_key`` and add a new key: return (version N+1 signed by both, new key)."""
    keys = descriptor_keys(descriptor)
    node_iri = descriptor["id"]
    current = keys.get(current_key.verification_method(node_iri))
    if current is None or current.status != ACTIVE:
        raise DescriptorError(f"{current_key.key_id!r} is not an active key of {node_iri}")
    if current.public_key_multibase != current_key.public_multikey:
        raise DescriptorError(f"{current_key.key_id!r} does not match the descriptor's key")
    if new_key is None:
        new_key = generate_key(_next_key_id(keys))
    if new_key.verification_method(node_iri) in keys:
        raise DescriptorError(f"key id {new_key.key_id!r} is already listed in {node_iri}")
    when = at if at is not None else utc_now()
    moment = format_timestamp(when)
    rotated = copy.deepcopy({name: value for name, value in descriptor.items() if name != "proof"})
    rotated["version"] = descriptor["version"] + 1
    rotated["modified"] = moment
    for entry in rotated["verificationMethod"]:
        if entry["id"] == current.id:
            entry["keyStatus"] = RETIRED
            entry["retired"] = moment
    rotated["verificationMethod"].append(_key_entry(new_key, node_iri, moment))
    descriptor_keys(rotated)
    # Proof set, continuity first: the previous active key vouches for the new version.
    signed = sign_descriptor(rotated, [current_key, new_key], created=when,
                             cryptosuite=cryptosuite)
    return signed, new_key


def key_lookup_from_descriptor(descriptor: Mapping[str, Any]) -> KeyLookup:
    """Return ``key_lookup(verification_method, created)`` over the keys a descriptor lists.

    The descriptor's own proofs are not checked here: verify it (``verify_descriptor`` or
    ``verify_rotation``) before trusting it. Public key objects are decoded once, up front.
    """
    return lookup_from_keys(descriptor_keys(descriptor), str(descriptor["id"]))


def verify_descriptor(
    descriptor: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
) -> tuple[VerifiedProof, ...]:
    """Verify a descriptor on its own: every proof holds under its keys, one by an active key."""
    keys = descriptor_keys(descriptor)
    results = verify_proof_set(
        descriptor,
        key_lookup=lookup_from_keys(keys, str(descriptor["id"])),
        now=now,
        max_future_skew=max_future_skew,
    )
    if not any(keys[result.verification_method].status == ACTIVE for result in results):
        raise DescriptorError(f"{descriptor['id']} is not signed by a key it lists as active")
    return results


def verify_rotation(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    now: datetime | None = None,
    max_future_skew: timedelta = DEFAULT_MAX_FUTURE_SKEW,
) -> tuple[VerifiedProof, ...]:
    """Accept ``new`` as a successor of the trusted ``old`` descriptor by key continuity.

    Raises :class:`RotationRejected` with the reason; returns the new descriptor's proofs.
    """
    try:
        verify_descriptor(old, now=now, max_future_skew=max_future_skew)
    except NccError as exc:
        raise RotationRejected(f"previous descriptor: {exc.code}: {exc.message}") from exc
    try:
        new_keys = descriptor_keys(new)
        results = verify_descriptor(new, now=now, max_future_skew=max_future_skew)
    except NccError as exc:
        raise RotationRejected(f"new descriptor: {exc.code}: {exc.message}") from exc
    old_keys = descriptor_keys(old)
    if new["id"] != old["id"]:
        raise RotationRejected(f"descriptor id changed from {old['id']!r} to {new['id']!r}")
    if new["version"] <= old["version"]:
        raise RotationRejected(f"version {new['version']} does not follow {old['version']}")
    for key_id in old_keys.keys() & new_keys.keys():
        _check_kept(old_keys[key_id], new_keys[key_id])
    signers = {result.verification_method: result for result in results}
    if not any(old_keys[vm].status == ACTIVE for vm in signers if vm in old_keys):
        raise RotationRejected("not signed by a key that is active in the previous descriptor")
    for key_id in sorted(new_keys.keys() - old_keys.keys()):
        if key_id not in signers:
            raise RotationRejected(f"new key {key_id!r} carries no proof of possession")
    return results


def _check_kept(old: DescriptorKey, new: DescriptorKey) -> None:
    # A key id keeps its material and history: a swap or a re-dated key would let whoever holds
    # the current key re-attribute what the old key signed.
    if new.public_key_multibase != old.public_key_multibase:
        raise RotationRejected(f"key {old.id!r} changed its public key material")
    if new.created != old.created:
        raise RotationRejected(f"key {old.id!r} changed its creation date")
    if old.retired is not None and new.retired != old.retired:
        raise RotationRejected(f"retired key {old.id!r} was reactivated or re-dated")
