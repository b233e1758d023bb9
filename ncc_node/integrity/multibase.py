"""Base58btc and its multibase form (``z`` prefix), as used by Multikey and ``proofValue``.

The ``base58`` package is pure Python and decodes one character at a time; verification decodes
a ``proofValue`` per record, so this module converts with big-integer arithmetic instead: the
characters are mapped to digits by one ``bytes.translate`` and the digits are folded nine at a
time (58**9 < 2**53, so every inner step stays a small integer). Tests compare both directions
against the ``base58`` package.
"""

from __future__ import annotations

from ..errors import MultikeyError

__all__ = ["b58decode", "b58encode", "multibase_decode", "multibase_encode"]

_ALPHABET = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_INVALID = 0xFF
_DIGITS = bytes(_ALPHABET.index(byte) if byte in _ALPHABET else _INVALID for byte in range(256))
_CHUNK = 9
_CHUNK_BASE = 58**_CHUNK


def b58encode(data: bytes) -> str:
    """Encode bytes as base58btc (Bitcoin alphabet); each leading zero byte becomes ``1``."""
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    out = bytearray()
    # Divide the big number by 58**9 (few big-int divisions), then split each chunk into nine
    # digits with small-int arithmetic: ~5x faster than 58 big-int divmods for a signature.
    while number:
        number, chunk = divmod(number, _CHUNK_BASE)
        for _ in range(_CHUNK):
            chunk, digit = divmod(chunk, 58)
            out.append(_ALPHABET[digit])
    while out and out[-1] == _ALPHABET[0]:  # the top chunk's padding, not data
        out.pop()
    out.extend(b"1" * zeros)
    out.reverse()
    return out.decode("ascii")


def b58decode(text: str) -> bytes:
    """Decode base58btc text; raise :class:`MultikeyError` on a character outside the alphabet."""
    if not text.isascii():
        raise MultikeyError("not base58btc: non-ASCII character")
    digits = text.encode("ascii").translate(_DIGITS)
    if _INVALID in digits:
        bad = text[digits.index(_INVALID)]
        raise MultikeyError(f"not base58btc: character {bad!r} is not in the alphabet")
    zeros = len(digits) - len(digits.lstrip(b"\0"))
    number = 0
    head = len(digits) % _CHUNK
    for digit in digits[:head]:
        number = number * 58 + digit
    for start in range(head, len(digits), _CHUNK):
        chunk = 0
        for digit in digits[start : start + _CHUNK]:
            chunk = chunk * 58 + digit
        number = number * _CHUNK_BASE + chunk
    return b"\0" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def multibase_encode(data: bytes) -> str:
    """Encode bytes as multibase base58btc: ``"z"`` followed by the base58btc text."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    """Decode a multibase base58btc value (``z…``); other multibase encodings are refused."""
    if not text.startswith("z"):
        prefix = text[:1] or "(empty)"
        raise MultikeyError(f"unsupported multibase prefix {prefix!r}; expected 'z' (base58btc)")
    if len(text) == 1:
        raise MultikeyError("empty multibase value")
    return b58decode(text[1:])
