"""Concepts found in text (pure): inferred concepts of a record, concepts a query names.

The thesaurus is the vocabulary's own SKOS schemes (themes, target groups, SDGs), whose
preferred and alternative labels exist in en, de, et, nl and fr. Each label is analysed in its
language (:mod:`.analysis`), so "ältere Menschen", "eakad" and "elderly people" all name
``tg:older-people`` whatever their inflection.

- A record's *inferred* concepts are the concepts whose label occurs, as a run of stems, in
  one of its texts in the label's language. They live only in this node's index (facets
  ``inferred_<facet>`` and a token per concept in the text index); the signed record is never
  touched.
- A query names a concept when a run of one to three of its words, stemmed in a language,
  equals one of the concept's labels in that language, or when one word equals a word of a
  longer label that no other concept's labels use ("Gesundheitsversorgung" of "Gesundheit und
  Gesundheitsversorgung", but not "people" of "older people" and "young people").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vocab import concept_index, fold

from .analysis import QUERY_LANGUAGES, analyse, stemmer_for, words

__all__ = ["INFERRED", "Thesaurus", "thesaurus"]

#: scheme -> store facet of the concepts inferred from text
INFERRED = {"theme": "theme", "target-group": "target_group", "sdg": "sdg"}
#: schemes a query word may name (a record carries a token for each of its concepts in them)
NAMED = {**INFERRED, "stage": "stage", "method-type": "method_type"}
MAX_LABEL_WORDS = 4
MIN_PART = 5  # shorter words of a label ("und", "et", "van") never name its concept alone


@dataclass(frozen=True)
class Match:
    """A concept a query names, and the query words that name it."""

    iri: str
    words: tuple[str, ...]


class Thesaurus:
    """Every inferable concept's labels as runs of stems, per language."""

    def __init__(self, concepts: Iterable[tuple[str, str, Mapping[str, Iterable[str]]]],
                 *, inferable: Iterable[str] = INFERRED.values()) -> None:
        # language -> stems run -> concept IRIs; language -> first stem -> runs starting so
        self._runs: dict[str, dict[tuple[str, ...], set[str]]] = {}
        self._first: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        self._folded: dict[tuple[str, ...], set[str]] = {}  # any language, diacritics folded
        self._parts: dict[str, set[str]] = {}  # a word of a longer label -> concepts using it
        self.facet_of: dict[str, str] = {}
        inferable = set(inferable)
        for iri, facet, labels in concepts:
            self.facet_of[iri] = facet
            for language, texts in labels.items():
                for text in texts:
                    run = tuple(analyse(text, language))
                    if not run or len(run) > MAX_LABEL_WORDS:
                        continue
                    self._folded.setdefault(tuple(fold(s) for s in run), set()).add(iri)
                    for part in run if len(run) > 1 else ():
                        if len(part) >= MIN_PART:
                            self._parts.setdefault(fold(part), set()).add(iri)
                    if facet not in inferable:
                        continue
                    runs = self._runs.setdefault(language, {})
                    runs.setdefault(run, set()).add(iri)
                    first = self._first.setdefault(language, {}).setdefault(run[0], [])
                    if run not in first:
                        first.append(run)

    def in_text(self, stems: list[str], language: str | None) -> set[str]:
        """The concepts whose label (in ``language``) occurs in an analysed text."""
        first = self._first.get((language or "").split("-")[0].lower())
        if not first or not stems:
            return set()
        runs = self._runs[(language or "").split("-")[0].lower()]
        found: set[str] = set()
        present = set(stems) & first.keys()  # a C-level intersection prunes most words
        if not present:
            return found
        joined = None
        for stem in present:
            for run in first[stem]:
                if len(run) == 1:
                    found |= runs[run]
                    continue
                if joined is None:
                    joined = " " + " ".join(stems) + " "
                if " " + " ".join(run) + " " in joined:
                    found |= runs[run]
        return found

    def in_query(self, text: str) -> list[Match]:
        """The concepts a query names: runs of 1..3 words equal to a label, in any language."""
        raw = words(text)
        found: dict[str, Match] = {}
        for language in QUERY_LANGUAGES:
            stemmer = stemmer_for(language)
            stems = [fold(s) for s in (stemmer.stemWords(raw) if stemmer else raw)]
            for size in (3, 2, 1):
                for start in range(len(stems) - size + 1):
                    for iri in self._folded.get(tuple(stems[start:start + size]), ()):
                        if iri not in found:
                            found[iri] = Match(iri, tuple(raw[start:start + size]))
            for position, stem in enumerate(stems):
                owners = self._parts.get(stem, ())
                if len(owners) == 1:
                    iri = next(iter(owners))
                    if iri not in found:
                        found[iri] = Match(iri, (raw[position],))
        return list(found.values())


def _labels(concept: Any) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {}
    for language, text in concept.labels.items():
        labels.setdefault(language, []).append(text)
    for language, texts in concept.alt_labels.items():
        labels.setdefault(language, []).extend(texts)
    return labels


@lru_cache(maxsize=1)
def thesaurus() -> Thesaurus:
    """The thesaurus of the bundled vocabulary (built once per process)."""
    index = concept_index()
    return Thesaurus((c.iri, facet, _labels(c)) for scheme, facet in NAMED.items()
                     for c in index.concepts(scheme))
