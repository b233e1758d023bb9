"""A node's Ed25519 signing key: generate, save (PKCS#8 PEM, mode 0600), load.

architecture §9: private keys are never logged, never in responses, and their files are mode 0600. A
file is created with ``os.open(..., 0o600)`` under a temporary name and linked into place, so no
reader ever sees it with wider permissions or half written, and an existing key is never
overwritten. The optional passphrase comes from an environment variable (its name is a
parameter); loading refuses, like ssh, a key file that group or others may read.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
from collections.abc import Mapping
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    BestAvailableEncryption,
    Encoding,
    KeySerializationEncryption,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)

from ..errors import KeyFileError
from ..integrity import encode_public_key

__all__ = ["DEFAULT_PASSPHRASE_ENV", "NodeKey", "generate_key", "load_key", "save_key"]

DEFAULT_PASSPHRASE_ENV = "NCC_KEY_PASSPHRASE"
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", re.ASCII)
_log = logging.getLogger(__name__)


class NodeKey:
    """A node's Ed25519 private key with its key id; ``repr``/``str`` show only public data."""

    __slots__ = ("_private_key", "key_id", "public_key", "public_multikey")

    def __init__(self, private_key: Ed25519PrivateKey, key_id: str) -> None:
        if not isinstance(private_key, Ed25519PrivateKey):
            raise TypeError("NodeKey needs an Ed25519 private key")
        if not _KEY_ID.fullmatch(key_id):
            raise ValueError(f"key id {key_id!r} must match {_KEY_ID.pattern}")
        self._private_key = private_key
        self.key_id = key_id
        self.public_key: Ed25519PublicKey = private_key.public_key()
        self.public_multikey = encode_public_key(self.public_key)

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The private key object, for signing; never print or serialize it."""
        return self._private_key

    def verification_method(self, node_iri: str) -> str:
        """Return this key's verification method IRI under a node: ``<node-iri>#<key-id>``."""
        return f"{node_iri}#{self.key_id}"

    def __repr__(self) -> str:
        return f"NodeKey(key_id={self.key_id!r}, public={self.public_multikey!r})"

    __str__ = __repr__

    def __getstate__(self) -> None:
        # Pickling (and deepcopy) would copy the secret into caches or queues; save_key is the way.
        raise TypeError("NodeKey is not picklable; persist it with save_key()")


def generate_key(key_id: str = "key-1") -> NodeKey:
    """Generate a fresh Ed25519 node key."""
    return NodeKey(Ed25519PrivateKey.generate(), key_id)


def _passphrase(env_name: str, environ: Mapping[str, str] | None) -> bytes | None:
    value = (os.environ if environ is None else environ).get(env_name, "")
    return value.encode("utf-8") if value else None


def save_key(
    key: NodeKey,
    path: str | os.PathLike[str],
    *,
    passphrase_env: str = DEFAULT_PASSPHRASE_ENV,
    environ: Mapping[str, str] | None = None,
) -> Path:
    """Write the key as PKCS#8 PEM, mode 0600, encrypted when the passphrase variable is set."""
    target = Path(path)
    passphrase = _passphrase(passphrase_env, environ)
    encryption: KeySerializationEncryption = (
        BestAvailableEncryption(passphrase) if passphrase else NoEncryption()
    )
    pem = key.private_key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, encryption)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        # The mode is given at creation: the file never exists with wider permissions.
        descriptor = os.open(temporary, flags, 0o600)
    except OSError as exc:
        raise KeyFileError(f"cannot create key file in {target.parent}: {exc.strerror}") from None
    try:
        try:
            view = memoryview(pem)
            while view:
                view = view[os.write(descriptor, view) :]
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        # link() is atomic and fails if the target exists: a key is never silently replaced.
        os.link(temporary, target)
    except FileExistsError:
        raise KeyFileError(f"key file {target} already exists; refusing to overwrite it") from None
    except OSError as exc:
        raise KeyFileError(f"cannot write key file {target}: {exc.strerror}") from None
    finally:
        temporary.unlink(missing_ok=True)
    _log.info(
        "saved node key %s (%s) to %s, encrypted=%s",
        key.key_id,
        key.public_multikey,
        target,
        passphrase is not None,
    )
    return target


def _read_private(target: Path) -> bytes:
    try:
        descriptor = os.open(target, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise KeyFileError(f"key file {target} not found") from None
    except OSError as exc:
        raise KeyFileError(f"cannot open key file {target}: {exc.strerror}") from None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise KeyFileError(f"key file {target} is not a regular file")
        mode = stat.S_IMODE(info.st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"permissions {mode:04o} for key file {target} are too open: it must be "
                f"readable by its owner only (chmod 600 {target})"
            )
        chunks = []
        while chunk := os.read(descriptor, 65536):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def load_key(
    path: str | os.PathLike[str],
    *,
    key_id: str | None = None,
    passphrase_env: str = DEFAULT_PASSPHRASE_ENV,
    environ: Mapping[str, str] | None = None,
) -> NodeKey:
    """Load a node key from a PKCS#8 PEM file; the key id defaults to the file name's stem."""
    target = Path(path)
    pem = _read_private(target)
    passphrase = _passphrase(passphrase_env, environ)
    try:
        private_key = load_pem_private_key(pem, password=passphrase)
    except TypeError:
        # cryptography: a password for a plain file, or none for an encrypted one.
        if passphrase is not None:
            detail = f"it is not encrypted but {passphrase_env} is set; encrypt it or unset it"
        else:
            detail = f"it is encrypted; set {passphrase_env} to its passphrase"
        raise KeyFileError(f"cannot load key file {target}: {detail}") from None
    except (ValueError, UnsupportedAlgorithm):
        detail = (
            f"wrong passphrase in {passphrase_env}, or a damaged file"
            if passphrase
            else "not a PKCS#8 PEM private key"
        )
        raise KeyFileError(f"cannot load key file {target}: {detail}") from None
    if not isinstance(private_key, Ed25519PrivateKey):
        raise KeyFileError(f"key file {target} does not hold an Ed25519 key")
    key = NodeKey(private_key, key_id if key_id is not None else target.stem)
    _log.info("loaded node key %s (%s) from %s", key.key_id, key.public_multikey, target)
    return key
