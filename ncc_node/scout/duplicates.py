"""Near-duplicate folding (pure): the same case from two nodes or two sources is shown once.

Two candidates are the same case when one names the other (or both name the same page) in
``sameAs``, or when they come from different origins and their names and the start of their
descriptions are identical once case, diacritics, punctuation and spacing are folded (one
origin's two records are two records, even when they read alike). The better-ranked one stays
and lists the others under ``also`` ("also published by ...").
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from typing import Any, Protocol, TypeVar


class Copy(Protocol):
    """What folding reads of a ranked result (a :class:`~ncc_node.scout.Candidate`)."""

    @property
    def record(self) -> dict[str, Any]: ...

    @property
    def origin(self) -> str: ...

    @property
    def origin_country(self) -> str | None: ...

    @property
    def also(self) -> list[dict[str, Any]]: ...

    @property
    def id(self) -> str: ...


C = TypeVar("C", bound=Copy)

DESCRIPTION_PREFIX = 160  # folded characters of a description that must agree
NORM_CHARS = 2 * DESCRIPTION_PREFIX


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
_NOT_WORD = re.compile(r"[\W_]+")


def _norm(text: str) -> str:
    # case, diacritics (combining marks after NFKD), punctuation and spacing folded, with
    # regular expressions rather than a loop per character: folding is done for every
    # candidate a page looks at; only the compared start is folded
    decomposed = unicodedata.normalize("NFKD", text[:NORM_CHARS].casefold()).casefold()
    return _NOT_WORD.sub(" ", _MARKS.sub("", decomposed)).strip()


def keys(record: dict[str, Any]) -> Iterator[str]:
    """The identities of a record: its id, its same-as links, its folded name + description."""
    yield "id:" + str(record.get("id"))
    for link in _values(record.get("sameAs")):
        if isinstance(link, str):
            yield "id:" + link.rstrip("/")
    names = record.get("name")
    descriptions = record.get("description")
    if isinstance(names, dict):
        for language, name in names.items():
            if not isinstance(name, str) or not _norm(name):
                continue
            text = descriptions.get(language) if isinstance(descriptions, dict) else None
            start = _norm(text)[:DESCRIPTION_PREFIX] if isinstance(text, str) else ""
            yield f"text:{_norm(name)}|{start}"


def fold_duplicates(ranked: Sequence[C], limit: int) -> list[C]:
    """Keep the first (best) of each case, up to ``limit``; later copies go to its ``also``
    list (looked for among the next ``limit`` candidates once ``limit`` are kept)."""
    kept: list[C] = []
    owner: dict[str, C] = {}
    scanned_after = 0
    for candidate in ranked:
        if len(kept) >= limit:
            scanned_after += 1
            if scanned_after > limit:
                break
        identities = list(keys(candidate.record))
        first = next((owner[k] for k in identities if k in owner
                      and (k.startswith("id:") or owner[k].origin != candidate.origin)), None)
        if first is None:
            if len(kept) >= limit:
                continue
            kept.append(candidate)
            for key in identities:
                owner[key] = candidate
            continue
        first.also.append({"id": candidate.id, "origin": candidate.origin,
                           "originCountry": candidate.origin_country})
        for key in identities:
            owner.setdefault(key, first)
    return kept
