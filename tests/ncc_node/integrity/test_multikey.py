"""Multikey and multibase base58btc: round trips, agreement with the base58 package, errors."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ncc_node.errors import MultikeyError
from ncc_node.identity.signing_key import NodeKey
from ncc_node.integrity.multibase import b58decode, b58encode, multibase_decode, multibase_encode
from ncc_node.integrity.multikey import (
    ED25519_PRIV_PREFIX,
    ED25519_PUB_PREFIX,
    decode_public_key,
    decode_public_key_bytes,
    decode_secret_key,
    encode_public_key,
    encode_secret_key,
)

from ..conftest import EDDSA, read_json

KEY_PAIR = read_json(EDDSA / "keyPair.json")
BYTES = st.one_of(
    st.binary(max_size=80),
    st.builds(lambda n, rest: b"\0" * n + rest, st.integers(0, 5), st.binary(max_size=40)),
)


@given(BYTES)
def test_b58_encode_agrees_with_base58_package(data: bytes) -> None:
    assert b58encode(data) == base58.b58encode(data).decode("ascii")


@given(BYTES)
def test_b58_decode_agrees_with_base58_package(data: bytes) -> None:
    text = base58.b58encode(data).decode("ascii")
    assert b58decode(text) == base58.b58decode(text) == data


@given(st.text(alphabet="123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", max_size=100))
def test_b58_decode_agrees_on_any_alphabet_text(text: str) -> None:
    assert b58decode(text) == base58.b58decode(text)


def test_vector_key_pair_round_trips() -> None:
    public = decode_public_key(KEY_PAIR["publicKeyMultibase"])
    secret = decode_secret_key(KEY_PAIR["privateKeyMultibase"])
    assert encode_public_key(public) == KEY_PAIR["publicKeyMultibase"]
    assert encode_secret_key(secret) == KEY_PAIR["privateKeyMultibase"]
    assert multibase_decode(KEY_PAIR["publicKeyMultibase"])[:2] == ED25519_PUB_PREFIX
    assert multibase_decode(KEY_PAIR["privateKeyMultibase"])[:2] == ED25519_PRIV_PREFIX


def test_generated_key_prefixes(keypair: NodeKey) -> None:
    assert keypair.public_multikey.startswith("z6Mk")
    assert encode_secret_key(keypair.private_key).startswith("z3u2")
    assert len(decode_public_key_bytes(keypair.public_multikey)) == 32


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "unsupported multibase prefix"),
        ("z", "empty multibase value"),
        ("u7QE", "unsupported multibase prefix 'u'"),
        ("z6Mk0OIl", "not in the alphabet"),
        ("z6Mkä", "non-ASCII"),
        (KEY_PAIR["privateKeyMultibase"], "multicodec prefix 0x8026, expected 0xed01"),
        (multibase_encode(ED25519_PUB_PREFIX + b"\1" * 31), "31 key bytes, expected 32"),
        (multibase_encode(ED25519_PUB_PREFIX + b"\1" * 33), "33 key bytes, expected 32"),
        (multibase_encode(b""), "empty multibase value"),
    ],
)
def test_public_key_errors(value: str, message: str) -> None:
    with pytest.raises(MultikeyError, match=message):
        decode_public_key(value)


def test_secret_key_errors() -> None:
    with pytest.raises(MultikeyError, match="not an Ed25519 secret Multikey"):
        decode_secret_key(KEY_PAIR["publicKeyMultibase"])
    with pytest.raises(MultikeyError, match="must be a string"):
        decode_secret_key(42)  # type: ignore[arg-type]
