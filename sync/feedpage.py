"""Split a feed page into items, keeping each item's exact bytes (protocol.md §6, "Bytes").

A page is ``{"items":[<stored body>,…],"cursor":…,"more":…}`` where each item is the origin's
signed body, embedded verbatim. The top-level object is walked with ``JSONDecoder.raw_decode``,
one value at a time, so each item's character span is known; the span re-encoded as UTF-8 is
byte for byte the span of the response (strict UTF-8 decoding is a bijection), so what the
worker stores is exactly what the origin signed, without re-serializing anything. One pass, and
the page is parsed once.

Fast path. A page in the form nodes serve (``{"items":[<item>,<item>],"cursor":…,"more":…}``
with no whitespace between the items, each item's keys in JCS order so that ``@context`` comes
first) is split at each ``},{"@context":`` and each piece is parsed on its own by orjson, about
three times faster than walking the page (issue 5). The split is only a guess: it is taken when
every piece parses as a whole JSON object and the tail parses as the page's other members.
JSON's grammar is unambiguous, so a decomposition of the page in which every part parses is
*the* parse of the page: a split inside a string leaves a piece with an unterminated string,
and one inside an item (an array of objects with ``@context``, such as a proof set) leaves a
piece with an unclosed array; neither parses. Anything else (whitespace, another
member order, a piece orjson refuses) takes the general walk above, which decides. orjson and
the standard library give the same value for every text both accept but one: orjson turns
integers beyond 64 bits into floats, so a text with a run of 19 digits goes to the standard
library (:func:`parse_item`).

Isolation. The walk never recurses without bound and one bad item never fails its page: an item
that the standard library cannot parse (nested too deep for its recursion limit, a bad escape,
``NaN``) is delimited by :func:`value_end`, an iterative bracket matcher, and kept as an
:class:`~sync.verdicts.Unparsed` value, which the rules quarantine by itself (``too_deep`` or
``unparseable``) while the rest of the page is applied. Only a page whose items cannot be told
apart (the array itself is broken) is a ``bad_response``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import orjson

from ncc_node import orjson_value as _orjson_value
from ncc_node import parse_json_bytes as parse_item

from .errors import BadResponse
from .verdicts import Unparsed

__all__ = ["FeedItem", "FeedPage", "parse_feed_page", "parse_item", "value_end"]

_WHITESPACE = " \t\n\r"
_HEAD = b'{"items":['
_TAIL = b'],"cursor":"'  # cannot occur inside a JSON string: its quotes are not escaped
_NEXT = b'},{"@context":'  # between two items that list @context first, as JCS orders keys
# a string (with its escapes) or one bracket: what value_end needs to see of a value
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
DEEPEST = 512  # past this many levels an item is not parsed at all (limits.max_json_depth ≤ it)


def value_end(text: str, start: int) -> tuple[int, int] | None:
    """End and depth of the array or object starting at ``text[start]``, found without
    recursion; None if it is not closed (the text is truncated or broken there)."""
    depth = deepest = 0
    for match in _TOKEN.finditer(text, start):
        token = match.group()
        if token in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif token in "]}":
            depth -= 1
            if depth == 0:
                return match.end(), deepest
    return None


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One item of a page: its raw bytes as received and the parsed JSON value."""

    raw: bytes
    value: Any


@dataclass(frozen=True)
class FeedPage:
    """A parsed feed page."""

    items: list[FeedItem]
    cursor: str
    more: bool


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class _Scanner:
    """A cursor over the page text that reads one JSON value or one punctuation mark at a time."""

    def __init__(self, text: str, peer: str) -> None:
        self.text = text
        self.pos = 0
        self.peer = peer
        self.decoder = json.JSONDecoder(parse_constant=_refuse_constant)

    def fail(self, message: str) -> BadResponse:
        return BadResponse(self.peer, f"feed page is not valid JSON: {message} "
                                      f"(at character {self.pos} of {len(self.text)})")

    def skip(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos

    def punct(self, *allowed: str) -> str:
        self.skip()
        if self.pos >= len(self.text):
            raise self.fail("truncated")
        char = self.text[self.pos]
        if char not in allowed:
            raise self.fail(f"expected one of {' '.join(allowed)}, found {char!r}")
        self.pos += 1
        return char

    def value(self) -> tuple[Any, int, int]:
        self.skip()
        start = self.pos
        try:
            value, end = self.decoder.raw_decode(self.text, start)
        except (ValueError, RecursionError) as exc:
            raise self.fail(str(exc) or type(exc).__name__) from None
        self.pos = end
        return value, start, end

    def item(self) -> FeedItem:
        """One item; one that cannot be parsed is kept as :class:`Unparsed` (module doc)."""
        self.skip()
        start = self.pos
        try:
            value, end = self.decoder.raw_decode(self.text, start)
        except (ValueError, RecursionError) as exc:
            found = (value_end(self.text, start) if self.text.startswith(("{", "["), start)
                     else None)
            if found is None:
                raise self.fail(str(exc) or type(exc).__name__) from None
            self.pos = found[0]
            unparsed = (Unparsed("too_deep", f"nested {found[1]} levels deep")
                        if isinstance(exc, RecursionError) or found[1] > DEEPEST
                        else Unparsed("unparseable", f"not valid JSON: {exc}"))
            return FeedItem(self.text[start:found[0]].encode("utf-8"), unparsed)
        self.pos = end
        return FeedItem(self.text[start:end].encode("utf-8"), value)

    def items(self) -> list[FeedItem]:
        self.punct("[")
        items: list[FeedItem] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            items.append(self.item())
            if self.punct(",", "]") == "]":
                return items


def _split(body: bytes) -> FeedPage | None:
    """The fast path (module docstring): the page split at each ``},{"@context":``, or None
    to walk it."""
    close = body.rfind(_TAIL)
    if not body.startswith(_HEAD) or close < len(_HEAD):
        return None
    tail = b"{" + body[close + 2:]
    try:
        members = orjson.loads(tail)
        if (not isinstance(members, dict) or "items" in members
                or orjson.dumps(members) != tail):  # duplicate members, spacing
            return None
        items: list[FeedItem] = []
        start = len(_HEAD)
        if start < close:
            if body[start] != 0x7B or body[close - 1] != 0x7D:  # '{' ... '}'
                return None
            while True:
                split = body.find(_NEXT, start, close)
                end = close if split < 0 else split + 1
                raw = body[start:end]
                value = _orjson_value(raw)
                if type(value) is not dict:
                    return None
                items.append(FeedItem(raw, value))
                if split < 0:
                    break
                start = split + 2
    except orjson.JSONDecodeError:
        return None
    return _page(items, members)


def _page(items: list[FeedItem] | None, members: dict[str, Any],
          listing: bool = False) -> FeedPage | None:
    """The page, if it has items, a non-empty cursor and more (true or false); else None.
    A ``listing`` (items by id, descriptor history) needs only its items."""
    if listing and items is not None:
        return FeedPage(items, str(members.get("cursor") or ""), members.get("more") is True)
    cursor, more = members.get("cursor"), members.get("more")
    if items is None or not isinstance(cursor, str) or not cursor or not isinstance(more, bool):
        return None
    return FeedPage(items, cursor, more)


def parse_feed_page(body: bytes, *, peer: str, listing: bool = False) -> FeedPage:
    """Parse a feed response; BadResponse if it is truncated, malformed or of the wrong shape.
    ``listing``: a response of protocol.md §6.1–6.2, whose cursor and more are optional."""
    fast = None if listing else _split(body)
    return fast if fast is not None else _walk(body, peer, listing)


def _walk(body: bytes, peer: str, listing: bool = False) -> FeedPage:
    """The general path: the page walked value by value (module docstring)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadResponse(peer, f"feed page is not UTF-8: {exc}") from None
    scanner = _Scanner(text, peer)
    members: dict[str, Any] = {}
    items: list[FeedItem] | None = None
    scanner.punct("{")
    scanner.skip()
    if not text.startswith("}", scanner.pos):
        while True:
            name, _, _ = scanner.value()
            if not isinstance(name, str):
                raise scanner.fail("member names must be strings")
            scanner.punct(":")
            if name in members or (name == "items" and items is not None):
                raise scanner.fail(f"member {name!r} appears twice")
            if name == "items":
                items = scanner.items()
            else:
                members[name], _, _ = scanner.value()
            if scanner.punct(",", "}") == "}":
                break
    else:
        scanner.pos += 1
    scanner.skip()
    if scanner.pos != len(text):
        raise scanner.fail("unexpected data after the page object")
    page = _page(items, members, listing)
    if page is None:
        raise BadResponse(peer, "feed page must have items (a list), cursor (a non-empty string) "
                                "and more (true or false)")
    return page
