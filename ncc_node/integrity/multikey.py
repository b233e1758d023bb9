"""Ed25519 keys as Multikey values: ``z6Mk…`` (public) and ``z3u2…`` (secret).

Controlled Identifiers §2.2.2 (Multikey) and vc-di-eddsa §2.1.1: the multibase base58btc encoding
of a multicodec varint prefix followed by the raw key, ``0xed 0x01`` (ed25519-pub, 0xed) + the
32-byte public key, or ``0x80 0x26`` (ed25519-priv, 0x1300) + the 32-byte RFC 8032 seed.
"""

from __future__ import annotations

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from ..errors import MultikeyError
from .multibase import multibase_decode, multibase_encode

__all__ = [
    "ED25519_PRIV_PREFIX",
    "ED25519_PUB_PREFIX",
    "decode_public_key",
    "decode_public_key_bytes",
    "decode_secret_key",
    "encode_public_key",
    "encode_secret_key",
    "public_key_bytes",
]

ED25519_PUB_PREFIX = b"\xed\x01"
ED25519_PRIV_PREFIX = b"\x80\x26"
_KEY_LENGTH = 32


def _unwrap(value: str, prefix: bytes, what: str) -> bytes:
    if not isinstance(value, str):
        raise MultikeyError(f"{what} Multikey must be a string, not {type(value).__name__}")
    raw = multibase_decode(value)
    if raw[:2] != prefix:
        raise MultikeyError(
            f"not an Ed25519 {what} Multikey: multicodec prefix 0x{raw[:2].hex() or '-'}, "
            f"expected 0x{prefix.hex()}"
        )
    if len(raw) != len(prefix) + _KEY_LENGTH:
        raise MultikeyError(
            f"Ed25519 {what} Multikey has {len(raw) - len(prefix)} key bytes, expected 32"
        )
    return raw[len(prefix) :]


def public_key_bytes(key: Ed25519PublicKey) -> bytes:
    """Return the 32 raw bytes of an Ed25519 public key."""
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def encode_public_key(key: Ed25519PublicKey) -> str:
    """Encode an Ed25519 public key as a ``publicKeyMultibase`` value (``z6Mk…``)."""
    return multibase_encode(ED25519_PUB_PREFIX + public_key_bytes(key))


def decode_public_key_bytes(value: str) -> bytes:
    """Decode a ``z6Mk…`` Multikey to the 32 raw public key bytes."""
    return _unwrap(value, ED25519_PUB_PREFIX, "public")


def decode_public_key(value: str) -> Ed25519PublicKey:
    """Decode a ``z6Mk…`` Multikey to an Ed25519 public key object."""
    raw = decode_public_key_bytes(value)
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:  # not a valid curve point encoding
        raise MultikeyError(f"invalid Ed25519 public key: {exc}") from exc


def encode_secret_key(key: Ed25519PrivateKey) -> str:
    """Encode an Ed25519 private key as a ``secretKeyMultibase`` value (``z3u2…``)."""
    seed = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    return multibase_encode(ED25519_PRIV_PREFIX + seed)


def decode_secret_key(value: str) -> Ed25519PrivateKey:
    """Decode a ``z3u2…`` Multikey (the RFC 8032 seed) to an Ed25519 private key object."""
    return Ed25519PrivateKey.from_private_bytes(_unwrap(value, ED25519_PRIV_PREFIX, "secret"))
