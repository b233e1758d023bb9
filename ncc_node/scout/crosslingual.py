"""Cross-language query expansion through EuroVoc (pure, offline).

The bundled EuroVoc subset (``data/eurovoc-subset.json``, CC BY 4.0, see ``data/README.md``)
gives each concept a label in en, de, et, nl and fr. A run of one to three query words whose
stems, in some language, equal a concept's label stems in that language (or a single word equal
to a one-word label, or to a compound label's stem) stands also for the concept's labels in the
other languages, each analysed in its own language: "Arbeitslosigkeit" becomes an alternative
"unemploy" (en), "werkloos" (nl), "chômag" (fr), "tööpuudus" (et). The alternatives are runs of
index terms, so a multi-word label ("labour market") must occur side by side.

This reaches cases written in another language than the query even when no publisher tagged
them, beside the vocabulary's own concepts (:mod:`ncc_node.store.annotate`), which name only the
themes, target groups and SDGs.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from vocab import fold

from ..store.analysis import QUERY_LANGUAGES, analyse, stemmer_for
from ..store.textquery import QueryPlan

__all__ = ["Thesaurus", "eurovoc", "translations"]

MAX_RUN = 3  # query words a label may span
MIN_STEM = 4  # a shorter one-word label stem ("arts" -> "art") names nothing on its own


class Thesaurus:
    """Concepts with labels per language, analysed for matching query runs."""

    def __init__(self, concepts: dict[str, dict[str, str]]) -> None:
        # language -> folded stem run -> concept IRIs
        self._runs: dict[str, dict[tuple[str, ...], set[str]]] = {}
        # concept -> every language's label as a run of index terms (as the index holds them)
        self._labels: dict[str, list[tuple[str, ...]]] = {}
        for iri, labels in concepts.items():
            for language, text in labels.items():
                run = tuple(analyse(text, language))
                if not run:
                    continue
                self._labels.setdefault(iri, []).append(run)
                if len(run) <= MAX_RUN and (len(run) > 1 or len(run[0]) >= MIN_STEM):
                    self._runs.setdefault(language, {}).setdefault(
                        tuple(fold(s) for s in run), set()).add(iri)

    def named(self, words: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        """(concept IRI, the query words naming it) for each concept a run of ``words``
        names in some query language; longer runs first, each word used once per language."""
        found: dict[str, tuple[str, ...]] = {}
        for language in QUERY_LANGUAGES:
            runs = self._runs.get(language)
            stemmer = stemmer_for(language)
            if not runs or stemmer is None:
                continue
            stems = [fold(s) for s in stemmer.stemWords(words)]
            for size in range(min(MAX_RUN, len(stems)), 0, -1):
                for start in range(len(stems) - size + 1):
                    for iri in runs.get(tuple(stems[start:start + size]), ()):
                        found.setdefault(iri, tuple(words[start:start + size]))
        return list(found.items())

    def labels(self, iri: str) -> list[tuple[str, ...]]:
        """The concept's labels in every language, as runs of index terms."""
        return self._labels.get(iri, [])

    def __len__(self) -> int:
        return len(self._labels)


@lru_cache(maxsize=1)
def eurovoc() -> Thesaurus:
    """The bundled EuroVoc subset (read and analysed once per process)."""
    text = resources.files(__package__).joinpath("data/eurovoc-subset.json").read_text("utf-8")
    return Thesaurus(json.loads(text)["concepts"])


@lru_cache(maxsize=1024)
def translations(plan: QueryPlan) -> dict[str, tuple[tuple[str, ...], ...]]:
    """Query word -> the runs of index terms (labels in all languages) of the EuroVoc concepts
    it helps name; a word naming none is absent."""
    thesaurus = eurovoc()
    found: dict[str, list[tuple[str, ...]]] = {}
    for iri, words in thesaurus.named([g.word for g in plan.groups]):
        for word in words:
            runs = found.setdefault(word, [])
            runs.extend(r for r in thesaurus.labels(iri) if r not in runs)
    return {word: tuple(runs) for word, runs in found.items()}
