"""The concepts this node infers from a record's text (never part of the signed record).

The same derivation the index uses (:func:`ncc_node.store.derive.index_text`), so what a page or
the API shows as "suggested from the text" is exactly what the opt-in filters match; the
operator sees the same suggestions when importing (``ncc import``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from vocab import concept_index

from ..store.derive import IndexEntries, facet_values, index_text

__all__ = ["inferred_concepts", "inferred_in"]


def inferred_concepts(record: Mapping[str, Any]) -> list[str]:
    """The compact IRIs of the themes, target groups and SDGs inferred from the record's texts
    that its publisher did not tag it with."""
    data = dict(record)
    return _compact(index_text(data, facet_values(data)).inferred)


def inferred_in(entries: IndexEntries) -> list[str]:
    """:func:`inferred_concepts` of a record whose index entries are worked out already (an
    import derives them once, for its suggestions and for the store)."""
    return _compact(entries.text.inferred)


def _compact(inferred: tuple[tuple[str, str], ...]) -> list[str]:
    index = concept_index()
    return [index.compact(iri) for _, iri in inferred]
