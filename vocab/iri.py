"""What an IRI is, once for every part of the node: RFC 3987 §2.2, absolute form.

The validators (term check, shapes' fast path), the RDF view's converter and the Turtle
representations all use :data:`IRI`, so a record the validators accept is one every part can
process (N-Triples/Turtle IRIREF forbids the same characters, RDF 1.1 N-Triples §2.3). The SHACL
shapes' ``sh:pattern`` for URL fields is :data:`HTTP_IRI_PATTERN`, and their id patterns start with
:data:`NODE_BASE_PATTERN`; a test checks they agree.
"""

from __future__ import annotations

import re

# RFC 3987: an absolute IRI is a scheme, ":", then iunreserved / pct-encoded / sub-delims /
# gen-delims / ucschar characters. Never: controls (U+0000-U+001F, U+007F-U+009F), space, the
# RFC 3986 §2 "unwise" characters <>"{}|\^` (and backslash), a "%" not starting a
# percent-encoding, surrogates, the noncharacters U+FDD0-U+FDEF, U+FFFE, U+FFFF, the tags
# U+E0000-U+E0FFF (outside ucschar, which resumes at U+E1000); "[" and "]"
# only around an IP-literal host; iprivate characters only in the query; one "#" at most.
_NEVER = ("\\u0000-\\u0020<>\"{}|\\\\^`%\\u007F-\\u009F\\uD800-\\uDFFF"
          "\\uFDD0-\\uFDEF\\uFFFE\\uFFFF\\U000E0000-\\U000E0FFF\\[\\]#")
# the last two code points of every plane are noncharacters (Unicode §23.7)
_NONCHARS = "".join(f"\\U{plane:04X}FFFE-\\U{plane:04X}FFFF" for plane in range(0x1, 0x11))
_PRIVATE = "\\uE000-\\uF8FF\\U000F0000-\\U000FFFFD\\U00100000-\\U0010FFFD"
_PCT = "%[0-9A-Fa-f]{2}"
_PART = f"(?:[^{_NEVER}{_NONCHARS}{_PRIVATE}]|{_PCT})"  # path, authority, fragment
_QUERY = f"(?:[^{_NEVER}{_NONCHARS}]|{_PCT})"  # the query may also hold iprivate characters
_HOST6 = "(?://\\[[0-9A-Fa-f:.]+\\](?=[:/?#]|$))?"
_TAIL = f"{_PART}*(?:\\?{_QUERY}*)?(?:#{_PART}*)?"
IRI_PATTERN = f"^[A-Za-z][A-Za-z0-9+.-]*:{_HOST6}{_TAIL}$"
#: the shapes' pattern for URL fields (website, licence, feed, SPARQL endpoint): http(s), a host
HTTP_IRI_PATTERN = f"^https?://(?![/?#]){_PART}+(?:\\?{_QUERY}*)?(?:#{_PART}*)?$"
#: a node's base URL as the shapes' id patterns start (records, keys, descriptors): https with a
#: lower-case DNS name or IPv4 address, or http on 127.0.0.1 or localhost; path segments of
#: unreserved characters. A node refuses a base URL its own minted ids would not pass.
NODE_BASE_PATTERN = ("(https://[a-z0-9.-]+(:[0-9]+)?|http://(127[.]0[.]0[.]1|localhost)(:[0-9]+)?)"
                     "(/[A-Za-z0-9._~-]+)*")
NODE_BASE = re.compile(NODE_BASE_PATTERN + "\\Z")
IRI = re.compile(IRI_PATTERN.removesuffix("$") + "\\Z")
HTTP_IRI = re.compile(HTTP_IRI_PATTERN.removesuffix("$") + "\\Z")


def _ascii_class(part: str) -> str:
    """The ASCII characters one character of ``part`` matches, as a positive class."""
    compiled = re.compile(part)
    return "[" + "".join(re.escape(chr(c)) for c in range(128)
                         if compiled.fullmatch(chr(c))) + "]"


# The same grammar for an ASCII text, its character classes replaced by the ASCII characters
# they match (so equal on ASCII by construction): a small positive class is a bitmap lookup,
# where the classes above, with their ranges of astral code points, are a walk through every
# range per character (issue 15: most IRIs of most records are ASCII)
_ASCII_PART = f"(?:{_ascii_class(f'[^{_NEVER}{_NONCHARS}{_PRIVATE}]')}|{_PCT})"
_ASCII_QUERY = f"(?:{_ascii_class(f'[^{_NEVER}{_NONCHARS}]')}|{_PCT})"
_ASCII_IRI = re.compile(f"[A-Za-z][A-Za-z0-9+.-]*:{_HOST6}{_ASCII_PART}*"
                        f"(?:\\?{_ASCII_QUERY}*)?(?:#{_ASCII_PART}*)?\\Z")


def is_iri(text: str) -> bool:
    """Whether ``text`` is an absolute IRI (RFC 3987) that N-Triples and Turtle can carry."""
    return (_ASCII_IRI if text.isascii() else IRI).match(text) is not None
