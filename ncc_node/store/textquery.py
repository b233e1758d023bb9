"""The full-text dialect of the store: analysed terms, concept tokens, ranked and boolean queries.

``record_text`` has four columns (name, description, the other texts, concepts). The texts hold
analysed terms (:mod:`.analysis`: lower-cased Snowball stems in each text's language); the
concepts column holds one opaque token per concept the publisher tagged the record with
(:func:`concept_token`) and one per concept inferred from its text (:func:`inferred_token`),
never the concepts' labels (their ~50 words in all languages would triple the text the sync
writes per record). A query word is instead matched against the labels at query time
(:mod:`.annotate`), and every concept it names becomes an alternative to the word: "töötus"
finds a record about the long-term unemployed written in English, Dutch or German.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from .analysis import query_forms, words
from .annotate import thesaurus
from .base import WordMatch

__all__ = ["TOKENIZER", "QueryPlan", "TermGroup", "concept_token",
           "concepts_in", "fts_query", "inferred_token", "match_expression", "plan_query"]

#: The tokenizer of ``record_text`` (diacritics folded after stemming).
TOKENIZER = "unicode61 remove_diacritics 2"
MAX_QUERY_WORDS = 12
PREFIX_MIN = 3  # a shorter last word as a prefix would match half the index


@lru_cache(maxsize=4096)
def concept_token(iri: str) -> str:
    """The one word standing for a concept the publisher tagged: ASCII letters and digits
    only, so the tokenizer keeps it whole, and derived from the IRI alone."""
    return "ncc" + hashlib.blake2b(iri.encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=4096)
def inferred_token(iri: str) -> str:
    """The word standing for a concept this node inferred from a record's text."""
    return "nci" + hashlib.blake2b(iri.encode("utf-8"), digest_size=8).hexdigest()


@lru_cache(maxsize=1)
def _tokens() -> dict[str, tuple[str, bool]]:
    index = thesaurus()
    found = {concept_token(iri): (iri, False) for iri in index.facet_of}
    found.update({inferred_token(iri): (iri, True) for iri in index.facet_of})
    return found


def concepts_in(column: str) -> dict[str, bool]:
    """The concepts a record's concepts column holds: IRI -> inferred by this node (False:
    the publisher tagged it)."""
    tokens = _tokens()
    found: dict[str, bool] = {}
    for token in column.split():
        if token in tokens:
            iri, inferred = tokens[token]
            found[iri] = found.get(iri, True) and inferred
    return found


@dataclass(frozen=True)
class TermGroup:
    """One query word (or a concept several words name): its index forms and concepts."""

    word: str
    forms: tuple[str, ...]
    concepts: tuple[str, ...] = ()
    prefix: bool = False  # the last word of a query may be unfinished: it matches as a prefix

    def as_match(self) -> WordMatch:
        """The group as the index matches it (its first form is the word itself)."""
        return WordMatch(terms=self.forms, prefix=self.forms[0] if self.prefix else None,
                         concepts=self.concepts)

    def expression(self) -> str:
        """The FTS5 alternatives of this group, for a boolean filter (no ranking)."""
        alternatives = [_quoted(form) for form in self.forms]
        if self.prefix:
            alternatives[0] += "*"
        for iri in self.concepts:
            alternatives += [f"concepts : {_quoted(concept_token(iri))}",
                             f"concepts : {_quoted(inferred_token(iri))}"]
        return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(
            alternatives) + ")"


def _quoted(term: str) -> str:
    # an FTS5 string: a double quote inside is doubled (analysed terms are words, but the
    # store never trusts that)
    return '"' + term.replace('"', '""') + '"'


def _alternatives(word: WordMatch) -> str:
    alternatives = [_quoted(t) for t in word.terms]
    if word.prefix:
        # a separate alternative even when the prefix is also a term: bm25 then scores a
        # record holding the word itself above one holding only a longer word it begins
        alternatives.append(_quoted(word.prefix) + "*")
    alternatives += [_quoted(" ".join(run)) for run in word.phrases if run]
    for iri in word.concepts:
        alternatives += [f"concepts : {_quoted(concept_token(iri))}",
                         f"concepts : {_quoted(inferred_token(iri))}"]
    return alternatives[0] if len(alternatives) == 1 else "(" + " OR ".join(alternatives) + ")"


def match_expression(words: Sequence[WordMatch]) -> str | None:
    """The FTS5 MATCH expression (a bound parameter, never SQL) of records matching any of
    ``words``; None when no word has an alternative."""
    parts = [_alternatives(w) for w in words
             if w.terms or w.prefix or w.concepts or any(w.phrases)]
    return " OR ".join(parts) if parts else None


@dataclass(frozen=True)
class QueryPlan:
    """A query's word groups and the concepts it names (for ranking and explanations)."""

    groups: tuple[TermGroup, ...]
    concepts: tuple[tuple[str, tuple[str, ...]], ...]  # (concept IRI, the words naming it)

    def any_match(self) -> str:
        """Every group optional: records matching at least one."""
        return " OR ".join(g.expression() for g in self.groups)

    def all_match(self) -> str:
        """Every group required."""
        return " AND ".join(g.expression() for g in self.groups)


@lru_cache(maxsize=1024)
def plan_query(text: str) -> QueryPlan | None:
    """Analyse a scout's text: each word becomes its stems in every query language, and each
    concept named by a run of words an alternative to those words."""
    raw = list(dict.fromkeys(words(text)))[:MAX_QUERY_WORDS]
    if not raw:
        return None
    named = thesaurus().in_query(" ".join(raw))
    by_word: dict[str, list[str]] = {}
    for match in named:
        for word in match.words:
            by_word.setdefault(word, []).append(match.iri)
    groups = tuple(TermGroup(w, query_forms(w), tuple(dict.fromkeys(by_word.get(w, []))),
                             prefix=index == len(raw) - 1 and len(w) >= PREFIX_MIN)
                   for index, w in enumerate(raw))
    return QueryPlan(groups, tuple((m.iri, m.words) for m in named))


def fts_query(text: str) -> str | None:
    """Turn user text into a boolean FTS5 query (list filters): every word must match, in any
    of its forms or through a concept it names."""
    plan = plan_query(text)
    return plan.all_match() if plan is not None else None
