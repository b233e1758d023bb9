"""How a record matches a scout's text (pure): words and concepts matched, coverage, phrases,
and a snippet of the record's own text with the matched words marked.

The store returns each hit's analysed columns (:class:`~ncc_node.store.TextHit`); the query's
plan (:func:`~ncc_node.store.textquery.plan_query`) says which index forms and concepts each
query word stands for. Relevance is bm25 relative to the best hit, plus the share of the
query's deciding words a record matches (every word is optional, so coverage is what tells a
full match from a partial one) and the share of adjacent query words found side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from vocab import UnknownConcept, concept_index

from ..store import TextHit
from ..store.analysis import stemmer_for
from ..store.textquery import QueryPlan, concepts_in, inferred_token
from .crosslingual import Expansion

# relevance = BM25_SHARE * bm25 / best + COVERAGE_SHARE * coverage + PHRASE_SHARE * phrases
BM25_SHARE = 0.45
COVERAGE_SHARE = 0.45
PHRASE_SHARE = 0.10
SNIPPET_CHARS = 220
SNIPPET_FIELDS = ("name", "description", "problem", "approach", "results", "impact")
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Match:
    """What one record matched of a query."""

    matched: tuple[str, ...]  # query words found (in any form or through a concept)
    missing: tuple[str, ...]  # deciding query words not found
    ignored: tuple[str, ...]  # query words too common to decide anything
    concepts: tuple[tuple[str, bool], ...]  # (concept IRI, inferred by this node)
    coverage: float
    phrases: float
    eurovoc: tuple[str, ...] = ()  # EuroVoc concepts a word matched through (label or token)

    @property
    def partial(self) -> bool:
        """Some deciding word of the query is not in the record."""
        return bool(self.missing)


def match(plan: QueryPlan, hit: TextHit, *, ignored: tuple[str, ...] = (),
          expansions: dict[str, tuple[Expansion, ...]] | None = None) -> Match:
    """Which of the plan's words and concepts the hit matches (a word also matches through a
    EuroVoc concept it names: one of the concept's labels, in any language, in the text, or
    the concept's token, which this node gave the record: ``expansions``)."""
    text = " ".join((hit.name, hit.description, hit.body))
    terms = set(text.split())
    held = concepts_in(hit.concepts)
    tokens = set(hit.concepts.split())
    padded = f" {text} "
    matched: list[str] = []
    missing: list[str] = []
    concepts: dict[str, bool] = {}
    eurovoc: dict[str, None] = {}
    found_forms: list[tuple[str, ...] | None] = []
    for group in plan.groups:
        if group.word in ignored:
            found_forms.append(None)
            continue
        forms = tuple(f for f in group.forms if f in terms)
        if not forms and group.prefix:
            forms = tuple(sorted(t for t in terms if t.startswith(group.forms[0])))[:8]
        via = [(iri, held[iri]) for iri in group.concepts if iri in held]
        for iri, inferred in via:
            concepts.setdefault(iri, inferred)
        # a run can only be in the text when its first word is one of the text's words: that
        # set lookup spares most substring searches (a word has labels in 24 languages)
        translated = [item.iri for item in (expansions or {}).get(group.word, ())
                      if inferred_token(item.iri) in tokens
                      or any((not run or run[0] in terms) and f" {' '.join(run)} " in padded
                             for run in item.runs)]
        eurovoc.update(dict.fromkeys(translated))
        if forms or via or translated:
            matched.append(group.word)
        else:
            missing.append(group.word)
        found_forms.append(forms or None)
    pairs = hits = 0
    for first, second in zip(found_forms, found_forms[1:], strict=False):
        pairs += 1
        if first and second and any(f" {a} {b} " in padded for a in first for b in second):
            hits += 1
    deciding = len(matched) + len(missing)
    coverage = len(matched) / deciding if deciding else 0.0
    # one deciding word: it is its own phrase
    return Match(tuple(matched), tuple(missing), ignored, tuple(concepts.items()),
                 coverage, hits / pairs if pairs else coverage, tuple(eurovoc))


def relevance(rank: float, best: float, found: Match) -> float:
    """0..1: bm25 relative to the best rank (ranks are negative), coverage and phrases."""
    relative = rank / best if best < 0 else 1.0
    return max(0.0, min(1.0, BM25_SHARE * relative + COVERAGE_SHARE * found.coverage
                        + PHRASE_SHARE * found.phrases))


def snippet(record: dict[str, Any], plan: QueryPlan, found: Match,
            expansions: dict[str, tuple[Expansion, ...]] | None = None
            ) -> dict[str, Any] | None:
    """A window of the record's own text around its first matched words, with the character
    spans of every matched word (``highlights``; the words of a matched translation too), or
    None when no word shows in the text."""
    wanted = {form for group in plan.groups if group.word in found.matched
              for form in group.forms}
    wanted |= {term for word in found.matched for item in (expansions or {}).get(word, ())
               if item.iri in found.eurovoc for run in item.runs for term in run
               if len(term) > 2}
    if not wanted:
        return None
    for field in SNIPPET_FIELDS:
        value = record.get(field)
        if not isinstance(value, dict):
            continue
        for language, text in value.items():
            if not isinstance(text, str):
                continue
            spans = _spans(text, language, wanted)
            if spans:
                return _window(field, language, text, spans)
    return None


def _spans(text: str, language: str, wanted: set[str]) -> list[tuple[int, int]]:
    found = list(_WORD.finditer(text))
    lowered = [w.group().lower() for w in found]
    stemmer = stemmer_for(language)
    stems = stemmer.stemWords(lowered) if stemmer is not None else lowered
    return [(w.start(), w.end()) for w, low, stem in zip(found, lowered, stems, strict=True)
            if low in wanted or stem in wanted]


def _window(field: str, language: str, text: str, spans: list[tuple[int, int]]) -> dict[str, Any]:
    start = max(0, spans[0][0] - SNIPPET_CHARS // 3)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < spans[0][0] else start
    end = min(len(text), start + SNIPPET_CHARS)
    piece = text[start:end]
    marks = [[s - start, e - start] for s, e in spans if s >= start and e <= end]
    return {"field": field, "language": language, "text": piece,
            "before": start > 0, "after": end < len(text), "highlights": marks}


def concept_labels(concepts: tuple[tuple[str, bool], ...], language: str) -> list[dict[str, Any]]:
    """The matched concepts with their labels in the scout's language (English fallback)."""
    index = concept_index()
    out = []
    for iri, inferred in concepts:
        try:
            label = index.label(iri, language)
            compact = index.compact(iri)
        except UnknownConcept:
            continue
        out.append({"id": compact, "label": label, "inferred": inferred})
    return out
