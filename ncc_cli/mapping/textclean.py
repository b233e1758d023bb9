"""Source text to plain text: HTML (also escaped twice) through an HTML parser, whitespace tidied.

The parser is the standard library's ``html.parser`` (an HTML tokenizer that follows the HTML
syntax: entities, unclosed tags, comments, ``<script>``). Block elements become line breaks,
inline elements nothing; scripts and styles are dropped. Text without markup is only tidied.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "tr", "td", "th", "ul",
})
DROPPED = frozenset({"script", "style", "template", "noscript", "head", "title"})
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z][^<>]*>|&(#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6}|[A-Za-z]{2,8});")
SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
BREAKS = re.compile(r"\s*\n\s*(\n\s*)+")
# what tidy() changes inside a text: a line break, a space that is not " ", two spaces
UNTIDY = re.compile(r"[\n\r\t\f\v\u00a0\u2000-\u200b\u202f\u205f\u3000]|  ")
MAX_PASSES = 3  # text escaped twice needs two passes; a third proves it is plain


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._dropped = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED:
            self._dropped += 1
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED:
            self._dropped = max(0, self._dropped - 1)
        elif tag in BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._dropped:
            self.parts.append(data)


def _parse(text: str) -> str:
    parser = _Text()
    parser.feed(text)
    parser.close()
    return "".join(parser.parts)


def has_markup(text: str) -> bool:
    """Whether the text holds an HTML tag or character reference."""
    return MARKUP.search(text) is not None


def tidy(text: str) -> str:
    """Collapse runs of spaces, keep single line breaks and paragraph breaks, strip the ends."""
    if UNTIDY.search(text) is None:
        return text.strip()  # most cells: one line, single spaces
    lines = [SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n")
             .replace("\r", "\n").split("\n")]
    return BREAKS.sub("\n\n", "\n".join(lines)).strip()


def html_to_text(text: str) -> str:
    """Plain text of an HTML fragment, unwrapping text that was HTML-escaped more than once."""
    for _ in range(MAX_PASSES):
        if not has_markup(text):
            break
        text = _parse(text)
    return tidy(text)
