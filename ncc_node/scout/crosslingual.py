"""Cross-language query expansion through EuroVoc (pure, offline).

The bundled EuroVoc (:mod:`ncc_node.store.eurovoc`: 7,530 concepts with labels in en, de, et,
nl and fr, CC BY 4.0, see ``data/README.md``) names a concept when a run of one to three query
words equals the concept's label, stemmed in its language. The run then stands also for the
concept's labels in the other languages, each analysed in its own language: "Arbeitslosigkeit"
becomes an alternative "unemploy" (en), "werkloos" (nl), "chômag" (fr), "tööpuudus" (et), and
the concept's token, which the receiving node gave every record whose text holds one of its
labels (:func:`ncc_node.store.derive.index_text`). The alternatives are runs of index terms, so
a multi-word label ("labour market") must occur side by side.

This reaches cases written in another language than the query even when no publisher tagged
them, beside the vocabulary's own concepts (:mod:`ncc_node.store.annotate`), which name only the
themes, target groups and SDGs. Each expansion keeps the concept it came from, so an
explanation can say which EuroVoc concept matched (:func:`concept_labels`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..store.eurovoc import eurovoc
from ..store.textquery import QueryPlan, inferred_token

__all__ = ["Expansion", "concept_labels", "expansions", "tokens", "translations"]


@dataclass(frozen=True)
class Expansion:
    """A EuroVoc concept a query word helps name, and its labels as runs of index terms."""

    iri: str
    runs: tuple[tuple[str, ...], ...]


@lru_cache(maxsize=1024)
def expansions(plan: QueryPlan) -> dict[str, tuple[Expansion, ...]]:
    """Query word -> the EuroVoc concepts it helps name; a word naming none is absent."""
    thesaurus = eurovoc()
    found: dict[str, list[Expansion]] = {}
    for iri, words in thesaurus.named([g.word for g in plan.groups]):
        expansion = Expansion(iri, tuple(thesaurus.runs(iri)))
        for word in words:
            found.setdefault(word, []).append(expansion)
    return {word: tuple(items) for word, items in found.items()}


def translations(plan: QueryPlan) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Query word -> the runs of index terms (labels in all languages) of the EuroVoc concepts
    it helps name."""
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for word, items in expansions(plan).items():
        runs: list[tuple[str, ...]] = []
        for item in items:
            runs.extend(r for r in item.runs if r not in runs)
        out[word] = tuple(runs)
    return out


@lru_cache(maxsize=1)
def tokens() -> dict[str, str]:
    """The index token of every EuroVoc concept -> its IRI (built once per process)."""
    return {inferred_token(iri): iri for iri in eurovoc().concepts}


def concept_labels(iris: tuple[str, ...], language: str) -> list[dict[str, Any]]:
    """The matched EuroVoc concepts with their labels in the scout's language."""
    concepts = eurovoc().concepts
    return [{"id": iri, "label": concepts[iri].label(language), "scheme": "EuroVoc",
             "inferred": True} for iri in iris if iri in concepts]
