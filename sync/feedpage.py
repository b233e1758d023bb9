"""Split a feed page into items, keeping each item's exact bytes (protocol.md §6, "Bytes").

A page is ``{"items":[<stored body>,…],"cursor":…,"more":…}`` where each item is the origin's
signed body, embedded verbatim. The top-level object is walked with ``JSONDecoder.raw_decode``,
one value at a time, so each item's character span is known; the span re-encoded as UTF-8 is
byte for byte the span of the response (strict UTF-8 decoding is a bijection), so what the
worker stores is exactly what the origin signed, without re-serializing anything. One pass, and
the page is parsed once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .errors import BadResponse

__all__ = ["FeedItem", "FeedPage", "parse_feed_page"]

_WHITESPACE = " \t\n\r"


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

    def items(self) -> list[FeedItem]:
        self.punct("[")
        items: list[FeedItem] = []
        self.skip()
        if self.text.startswith("]", self.pos):
            self.pos += 1
            return items
        while True:
            value, start, end = self.value()
            items.append(FeedItem(self.text[start:end].encode("utf-8"), value))
            if self.punct(",", "]") == "]":
                return items


def parse_feed_page(body: bytes, *, peer: str) -> FeedPage:
    """Parse a feed response; BadResponse if it is truncated, malformed or of the wrong shape."""
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
    cursor, more = members.get("cursor"), members.get("more")
    if items is None or not isinstance(cursor, str) or not cursor or not isinstance(more, bool):
        raise BadResponse(peer, "feed page must have items (a list), cursor (a non-empty string) "
                                "and more (true or false)")
    return FeedPage(items, cursor, more)
