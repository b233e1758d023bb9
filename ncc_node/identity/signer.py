"""The node's signer: every signature uses the key that the *stored* descriptor lists as active.

A node runs several processes at once (granian workers, ``ncc import``, ``ncc keys rotate``);
they share the store and the key folder, not memory. So no process trusts the key it loaded at
start: before signing it reads the descriptor's version from the store (one indexed row) and
reloads the active key when another process rotated it. A write then checks, inside its own
``BEGIN IMMEDIATE`` transaction, that the descriptor is still the version it signed under
(:meth:`NodeSigner.still_current`); a rotation commits in the same kind of transaction and takes
its retirement time there (``rotate_identity``). So a record is either written before the
rotation, and its proof's ``created`` is not after the retirement, or it is signed again with
the new key: a process never signs with a key its own descriptor has retired.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..errors import ConfigError
from ..integrity import sign
from ..store import Store, Writer
from .key_validity import ACTIVE, descriptor_keys
from .node_identity import NodeIdentity
from .signing_key import NodeKey, load_key

__all__ = ["NodeSigner", "SigningKey"]


@dataclass(frozen=True, slots=True)
class SigningKey:
    """The key to sign with under one version of the node's descriptor."""

    descriptor_version: int
    key: NodeKey
    verification_method: str


class NodeSigner:
    """Signs this node's records with the active key of its stored descriptor."""

    def __init__(self, store: Store, identity: NodeIdentity) -> None:
        self.store = store
        self.node_iri = identity.node_iri
        self.cryptosuite = identity.cryptosuite
        self._key_dir = identity.key_dir
        self._passphrase_env = identity.passphrase_env
        self._keys: dict[str, NodeKey] = dict(identity.keys)
        self._lock = threading.Lock()
        self._current = SigningKey(int(identity.descriptor["version"]), identity.active_key,
                                   identity.verification_method())

    def current(self) -> SigningKey:
        """Return the active key of the stored descriptor, reloading it after a rotation."""
        stored = self.store.descriptor(self.node_iri)
        if stored is None:
            raise ConfigError(f"node {self.node_iri} has no descriptor: run `ncc init`")
        with self._lock:
            if self._current.descriptor_version != stored.version:
                self._current = self._load(json.loads(stored.body), stored.version)
            return self._current

    def still_current(self, writer: Writer, signing: SigningKey) -> bool:
        """Inside a write transaction: is the descriptor still the version ``signing`` is for?"""
        return writer.version_of(self.node_iri) == signing.descriptor_version

    def _load(self, descriptor: Mapping[str, Any], version: int) -> SigningKey:
        active = [k for k in descriptor_keys(descriptor).values() if k.status == ACTIVE]
        if not active:
            raise ConfigError(f"descriptor {self.node_iri} version {version} lists no active key")
        entry = active[-1]
        key = self._keys.get(entry.key_id)
        if key is None:
            key = load_key(self._key_dir / f"{entry.key_id}.pem",
                           passphrase_env=self._passphrase_env)
            self._keys[key.key_id] = key
        if key.public_multikey != entry.public_key_multibase:
            raise ConfigError(f"key file {entry.key_id}.pem does not match the active key "
                              f"{entry.id} of descriptor version {version}")
        return SigningKey(version, key, entry.id)

    def sign(self, record: dict[str, Any], signing: SigningKey, *, created: datetime
             ) -> dict[str, Any]:
        """Sign ``record`` in place (the caller built it and does not share it)."""
        return sign(record, private_key=signing.key.private_key,
                    verification_method=signing.verification_method,
                    cryptosuite=self.cryptosuite, created=created, in_place=True)
