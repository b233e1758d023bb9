"""EuroVoc, the EU's multilingual thesaurus, for matching text across languages (pure).

The bundled file (``ncc_node/scout/data/eurovoc.json.gz``, CC BY 4.0, sources and rebuild in
that folder's ``README.md``) holds EuroVoc's 7,382 descriptors, 127 microthesauri and 21 domains
with their preferred labels in en, de, et, nl and fr and each one's broader concept (a
descriptor's microthesaurus, a microthesaurus's domain). It is read once per process, when
first needed. Every label is analysed in its own language (:mod:`.analysis`), so
"Langzeitarbeitslosigkeit", "pikaajaline töötus" and "long-term unemployment" are runs of
index terms of one concept.

Two uses:

- **Query expansion** (:mod:`ncc_node.scout.crosslingual`): a run of one to three query words
  equal to a label, in some language, stands also for the concept's labels in the others.
- **Record annotation** (:func:`ncc_node.store.derive.index_text`): a descriptor whose label
  occurs in a record's text in the text's language gets a token in the receiving node's index
  (never in the signed record), which a query naming the concept matches.

Precision: a label that is a single short word ("art", "loss") names nothing on its own, and a
descriptor whose single-word label is a *generic* word of the thesaurus itself (a word of the
labels of descriptors in many microthesauri: "policy", "information", "management") is never
annotated: it would be found in nearly every record. Domains and microthesauri, broad by
design, are not annotated either.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from vocab import fold

from .analysis import QUERY_LANGUAGES, analyse, stemmer_for

__all__ = ["BASE", "Concept", "EuroVoc", "eurovoc"]

BASE = "http://eurovoc.europa.eu/"
DATA = ("ncc_node.scout", "data/eurovoc.json.gz")
MAX_RUN = 3  # query words a label may span
MAX_ANNOTATED = 4  # words of a label looked for in a record's text
MIN_STEM = 4  # a shorter one-word label stem ("arts" -> "art") names nothing on its own
GENERIC_GROUPS = 8  # a word in the labels of this many microthesauri is generic


@dataclass(frozen=True, slots=True)
class Concept:
    """One EuroVoc concept: its IRI, broader concept, kind and preferred labels."""

    iri: str
    broader: str | None
    kind: str  # "d" descriptor, "m" microthesaurus, "f" domain
    labels: Mapping[str, str]

    def label(self, language: str) -> str:
        """The preferred label in ``language`` (English when it has none there)."""
        primary = (language or "en").split("-")[0].lower()
        return self.labels.get(primary) or self.labels.get("en") or next(
            iter(self.labels.values()))


class EuroVoc:
    """EuroVoc's concepts with their labels analysed per language, for queries and texts."""

    def __init__(self, rows: Iterable[tuple[str, str | None, str, Mapping[str, str]]]) -> None:
        self.concepts: dict[str, Concept] = {}
        # query side: language -> folded stems run -> concept IRIs
        self._named: dict[str, dict[tuple[str, ...], set[str]]] = {}
        # every language's label as a run of index terms (as the index holds them)
        self._runs: dict[str, list[tuple[str, ...]]] = {}
        analysed: list[tuple[Concept, str, tuple[str, ...]]] = []
        folded: dict[str, str] = {}  # the labels share their words: fold each once
        for key, broader, kind, labels in rows:
            iri = BASE + key
            concept = Concept(iri, BASE + broader if broader else None, kind, dict(labels))
            self.concepts[iri] = concept
            for language, text in labels.items():
                run = tuple(analyse(text, language))
                if not run:
                    continue
                analysed.append((concept, language, run))
                runs = self._runs.setdefault(iri, [])
                if run not in runs:
                    runs.append(run)
                if len(run) <= MAX_RUN and (len(run) > 1 or len(run[0]) >= MIN_STEM):
                    key_run = []
                    for stem in run:
                        if stem not in folded:
                            folded[stem] = fold(stem)
                        key_run.append(folded[stem])
                    self._named.setdefault(language, {}).setdefault(
                        tuple(key_run), set()).add(iri)
        generic = self._generic(analysed)
        # text side, per language: one-word labels by their stem, longer ones by their first
        # two stems (a text's adjacent pairs are few, the labels' first stems are not: "social",
        # "european" start a hundred labels each)
        self._single: dict[str, dict[str, set[str]]] = {}
        self._pairs: dict[str, dict[tuple[str, str], dict[tuple[str, ...], set[str]]]] = {}
        for concept, language, run in analysed:
            if concept.kind != "d" or len(run) > MAX_ANNOTATED:
                continue
            if len(run) == 1:
                if len(run[0]) >= MIN_STEM and (language, run[0]) not in generic:
                    self._single.setdefault(language, {}).setdefault(run[0], set()).add(
                        concept.iri)
                continue
            self._pairs.setdefault(language, {}).setdefault((run[0], run[1]), {}).setdefault(
                run, set()).add(concept.iri)
        self._single_keys = {lang: frozenset(found) for lang, found in self._single.items()}
        self._pair_keys = {lang: frozenset(found) for lang, found in self._pairs.items()}

    @staticmethod
    def _generic(analysed: list[tuple[Concept, str, tuple[str, ...]]]) -> set[tuple[str, str]]:
        """(language, stem) of the words that occur in the labels of descriptors in at least
        GENERIC_GROUPS microthesauri: a word the thesaurus itself uses everywhere."""
        groups: dict[tuple[str, str], set[str | None]] = {}
        for concept, language, run in analysed:
            if concept.kind == "d":
                for stem in run:
                    groups.setdefault((language, stem), set()).add(concept.broader)
        return {key for key, found in groups.items() if len(found) >= GENERIC_GROUPS}

    def named(self, words: list[str]) -> list[tuple[str, tuple[str, ...]]]:
        """(concept IRI, the query words naming it) for each concept a run of 1..3 of
        ``words`` names in some query language; longer runs first."""
        found: dict[str, tuple[str, ...]] = {}
        for language in QUERY_LANGUAGES:
            runs = self._named.get(language)
            stemmer = stemmer_for(language)
            if not runs or stemmer is None:
                continue
            stems = [fold(s) for s in stemmer.stemWords(words)]
            for size in range(min(MAX_RUN, len(stems)), 0, -1):
                for start in range(len(stems) - size + 1):
                    for iri in runs.get(tuple(stems[start:start + size]), ()):
                        found.setdefault(iri, tuple(words[start:start + size]))
        return list(found.items())

    def runs(self, iri: str) -> list[tuple[str, ...]]:
        """The concept's labels in every language, as runs of index terms."""
        return self._runs.get(iri, [])

    def in_text(self, stems: list[str], language: str | None) -> set[str]:
        """The descriptors whose label (in ``language``) occurs in an analysed text."""
        primary = (language or "").split("-")[0].lower()
        found: set[str] = set()
        singles = self._single.get(primary)
        if not singles or not stems:
            return found
        # both intersections iterate over the text, never over the thesaurus
        for stem in self._single_keys[primary].intersection(stems):
            found |= singles[stem]
        pairs = self._pairs[primary]
        joined = None
        for pair in self._pair_keys[primary].intersection(zip(stems, stems[1:], strict=False)):
            for run, iris in pairs[pair].items():
                if len(run) > 2:
                    if joined is None:
                        joined = " " + " ".join(stems) + " "
                    if " " + " ".join(run) + " " not in joined:
                        continue
                found |= iris
        return found

    def __len__(self) -> int:
        return len(self.concepts)


def _rows(data: Mapping[str, Any]) -> Iterable[tuple[str, str | None, str, Mapping[str, str]]]:
    yield from data["concepts"]


@lru_cache(maxsize=1)
def eurovoc() -> EuroVoc:
    """The bundled EuroVoc (read and analysed once per process, when first needed)."""
    package, name = DATA
    raw = resources.files(package).joinpath(name).read_bytes()
    return EuroVoc(_rows(json.loads(gzip.decompress(raw))))
