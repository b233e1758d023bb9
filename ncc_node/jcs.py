"""RFC 8785 JSON Canonicalization Scheme (JCS), with a fast path that is provably identical.

``canonicalize(obj)`` returns exactly ``rfc8785.dumps(obj)``. For the documents nodes exchange it
takes a fast path through the C JSON encoder::

    json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
               allow_nan=False).encode("utf-8")

The fast path (:func:`fast_path`) is taken only when :func:`is_plain` holds for ``obj``;
otherwise (or if the UTF-8 encoding fails) the general algorithm, ``rfc8785.dumps``, runs and
decides. Why the two agree byte for byte on a plain value, rule by rule (RFC 8785 §3.2):

1. Literals (§3.2.2.1): ``None``/``True``/``False`` become ``null``/``true``/``false`` in both;
   both test for ``bool`` before ``int``.
2. Numbers (§3.2.2.3): a plain value holds no ``float`` at all, only exact ``int`` within
   ±(2**53-1). For those, ECMAScript's Number-to-String is the plain decimal integer, which is
   ``int.__repr__`` -- what the C encoder writes for an exact ``int`` and what rfc8785 writes
   (``str(int)``). Floats (``1.0`` vs ``1``, ``1e+16`` vs ``10000000000000000``, ``1e-07`` vs
   ``1e-7``) and out-of-range ints (rfc8785 refuses them) never take the fast path.
3. Strings (§3.2.2.2): both escape exactly ``"``, ``\\`` and U+0000..U+001F -- as ``\\"``,
   ``\\\\``, ``\\b \\f \\n \\r \\t``, else ``\\u00xx`` with lowercase hex -- and write every other
   code point literally (``ensure_ascii=False``; U+007F, U+2028 and non-BMP characters too), then
   encode as UTF-8. A lone surrogate cannot be encoded: the fast path's ``.encode`` raises and
   rfc8785 decides (it refuses the input).
4. Structure (§3.2.1): no whitespace (``separators``), array order kept, both recurse.
5. Key order (§3.2.3): JCS sorts by UTF-16 code units, ``sort_keys`` by code points. For a
   string of BMP characters (all <= U+FFFF) each code point is one UTF-16 code unit with the same
   value, so the two orders coincide. They differ only when a key holds a supplementary character
   (a surrogate pair, 0xD800.., sorts before U+E000..U+FFFF in UTF-16 but after it by code point),
   so a plain value has no key with a character above U+FFFF.
6. Types: only exact ``dict``/``list``/``str``/``int``/``bool``/``None``, and ``str`` keys. No
   subclass can change a repr, no tuple or non-string key is coerced differently by ``json``.
"""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from .errors import CanonicalizationFailed

__all__ = ["MAX_SAFE_INTEGER", "canonicalize", "canonicalize_general", "fast_path", "is_plain"]

MAX_SAFE_INTEGER = 2**53 - 1
_BMP_MAX = "\uffff"

_encode = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
).encode


def is_plain(value: Any) -> bool:
    """Tell whether ``value`` is in the domain where the fast path provably equals RFC 8785."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return True
    if kind is int:
        return -MAX_SAFE_INTEGER <= value <= MAX_SAFE_INTEGER
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str or (not key.isascii() and max(key) > _BMP_MAX):
                return False
            if type(item) is not str and not is_plain(item):
                return False
        return True
    if kind is list:
        for item in value:
            if type(item) is not str and not is_plain(item):
                return False
        return True
    return False


def canonicalize_general(value: Any) -> bytes:
    """Return the RFC 8785 canonical form by the general algorithm (the ``rfc8785`` package)."""
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError) as exc:
        # rfc8785 refuses lone surrogates in values itself, in keys through UnicodeEncodeError.
        raise CanonicalizationFailed(f"not RFC 8785 canonicalizable: {exc}") from exc
    except RecursionError as exc:
        raise CanonicalizationFailed("not RFC 8785 canonicalizable: nested too deeply") from exc


def fast_path(value: Any) -> bytes | None:
    """Return the C encoder's output when it provably equals RFC 8785 for ``value``, else None."""
    try:
        if not is_plain(value):
            return None
        return _encode(value).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return None  # lone surrogate or deep nesting: the general algorithm gives the verdict


def canonicalize(value: Any) -> bytes:
    """Return the RFC 8785 canonical UTF-8 form of a JSON value (fast path when provably equal)."""
    canonical = fast_path(value)
    return canonical if canonical is not None else canonicalize_general(value)
