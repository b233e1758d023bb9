"""Which records a scouting query scores: bounded pools read from the store's candidate index.

This is policy, kept here so that a store only answers indexed questions
(:class:`~ncc_node.store.CandidateIndex`): the criteria a query's filters and target country
make, how many of the newest records of each stage to take without text, which query words are
too common to decide anything, how wide the full-text window is, the field weights of bm25,
and which terms of a record find records like it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from vocab import concept_index

from ..store import CandidateIndex, Criteria, StoredRecord, TextHit, WordMatch
from ..store.textquery import QueryPlan, TermGroup, plan_query
from .crosslingual import expansions, tokens
from .query import ScoutQuery

#: bm25 weights of the index's columns name, description, body, concepts: name above
#: description above the rest; a concept the query names counts like a description word
FIELD_WEIGHTS = (4.0, 2.0, 1.0, 2.0)
# bm25 costs a few microseconds per row, so ranking every match of a common word (a theme
# label on a quarter of 100,000 records) would take ~60 ms: only the newest TEXT_WINDOW
# matches passing the filters are ranked
TEXT_WINDOW = 3000
COMMON_SHARE = 0.2  # a query word in more than this share of records decides nothing ...
COMMON_MIN_RECORDS = 200  # ... once there are enough records to tell
LIKE_TERMS = 12  # the most distinctive terms of a record that find records like it
LIKE_SCAN = 400  # the first terms of a record looked at for those
INFERABLE = ("theme", "target_group", "sdg")  # filters an inferred concept may satisfy

Entry = tuple[StoredRecord, TextHit | None]


@dataclass(frozen=True)
class TextPool:
    """The records a text query scores, with what the query meant."""

    entries: list[tuple[StoredRecord, TextHit]]
    plan: QueryPlan
    ignored: tuple[str, ...]  # query words too common to decide anything


@lru_cache(maxsize=1)
def stage_levels() -> tuple[str, ...]:
    """Stage IRIs, most mature first (the order a pool without text is filled in)."""
    index = concept_index()
    return tuple(c.iri for c in sorted(index.concepts("stage"), key=lambda c: -(c.order or 0)))


def criteria(kind: str, filters: Sequence[tuple[str, str]], *, exclude_countries: Sequence[str],
             inferred: bool = False) -> Criteria:
    """Every (facet, IRI) filter required (with ``inferred``, a concept inferred from the text
    satisfies a theme, target-group or SDG filter too); no record of an excluded country."""
    groups = tuple(((facet, iri), (f"inferred_{facet}", iri)) if inferred and facet in INFERABLE
                   else ((facet, iri),) for facet, iri in filters)
    return Criteria(kind, groups, tuple(("country", c) for c in exclude_countries))


def _with_stage(base: Criteria, stage: str) -> Criteria:
    # the stage first: when the store walks postings, newest first, it walks the stage's
    # (see SqliteCandidateIndex.newest)
    return Criteria(base.kind, ((("stage", stage),), *base.require), base.exclude)


def filter_pool(index: CandidateIndex, query: ScoutQuery, base: Criteria,
                size: int) -> list[Entry]:
    """Without text: the newest records of each stage, the same share per stage, most mature
    first (initiatives; one stage when the query names it), else the newest records."""
    if query.kind != "Initiative":
        return [(record, None) for record in index.newest(base, limit=size)]
    levels = (query.stage,) if query.stage else stage_levels()
    share = -(-size // len(levels))
    return [(record, None) for level in levels
            for record in index.newest(_with_stage(base, level), limit=share)]


def _deciding(index: CandidateIndex, groups: Sequence[TermGroup]
              ) -> tuple[list[TermGroup], tuple[str, ...]]:
    """Drop the words found in most records ("the", "und", "van"): they would fill the window
    with records that match nothing else. A word naming a concept always stays."""
    live, counts = index.document_counts([form for g in groups for form in g.forms])
    if live < COMMON_MIN_RECORDS:
        return list(groups), ()
    kept, ignored = [], []
    for group in groups:
        if group.concepts or max(counts[f] for f in group.forms) <= COMMON_SHARE * live:
            kept.append(group)
        else:
            ignored.append(group.word)
    if not kept:  # only common words: they are all there is to rank by
        return list(groups), ()
    return kept, tuple(ignored)


def word_matches(plan: QueryPlan, groups: Sequence[TermGroup]) -> list[WordMatch]:
    """Each deciding word's alternatives: its forms, the concepts it names, and the labels in
    the other languages of the multilingual thesaurus entries it belongs to."""
    extra = expansions(plan)
    found = []
    for group in groups:
        word = group.as_match()
        items = extra.get(group.word, ())
        if not items:
            found.append(word)
            continue
        # a EuroVoc concept matches by its labels in every language and by the token this
        # node gave the records whose text names it (ncc_node.store.derive)
        phrases = tuple(dict.fromkeys(run for item in items for run in item.runs))
        concepts = (*word.concepts, *(item.iri for item in items))
        found.append(WordMatch(word.terms, word.prefix, phrases, concepts))
    return found


def text_pool(index: CandidateIndex, query: ScoutQuery, base: Criteria,
              size: int) -> TextPool | None:
    """With text: the ``size`` best bm25 matches of any deciding query word among the newest
    TEXT_WINDOW matches meeting the criteria (None when the text has no word)."""
    plan = plan_query(query.q) if query.q else None
    if plan is None:
        return None
    if query.kind == "Initiative" and query.stage:
        base = Criteria(base.kind, (*base.require, (("stage", query.stage),)), base.exclude)
    groups, ignored = _deciding(index, plan.groups)
    entries = index.text_matches(base, word_matches(plan, groups), window=TEXT_WINDOW,
                                 limit=size, column_weights=FIELD_WEIGHTS)
    return TextPool(entries, plan, ignored)


def like_pool(index: CandidateIndex, record: StoredRecord, base: Criteria,
              size: int) -> tuple[list[tuple[StoredRecord, TextHit]], tuple[str, ...]]:
    """Records whose text is like ``record``'s: any of its LIKE_TERMS most distinctive terms
    (in more than one record, in no more than COMMON_SHARE of them); and those terms. Shared
    concepts are counted apart (:func:`related_pool`), not twice."""
    text = index.analysed_text(record.id)
    if text is None:
        return [], ()
    terms = [t for t in dict.fromkeys(" ".join((text.name, text.description, text.body))
                                      .split())][:LIKE_SCAN]
    terms = [t for t in terms if len(t) >= 3 and not t.isdigit()]
    # the EuroVoc descriptors its text names (their tokens) find records naming them in any
    # language ("Langzeitarbeitslosigkeit" and "long-term unemployment")
    known = tokens()
    terms += [t for t in text.concepts.split() if t in known]
    live, counts = index.document_counts(terms)
    common = COMMON_SHARE * live if live >= COMMON_MIN_RECORDS else live
    chosen = tuple(t for _, t in sorted((counts[t], t) for t in terms
                                        if 1 < counts[t] <= common)[:LIKE_TERMS])
    words = [WordMatch(terms=(t,)) for t in chosen]
    if not words:
        return [], chosen
    hits = index.text_matches(base, words, window=TEXT_WINDOW, limit=size + 1,
                              column_weights=FIELD_WEIGHTS)
    return [(r, hit) for r, hit in hits if r.id != record.id][:size], chosen


def related_pool(index: CandidateIndex, record: StoredRecord,
                 concepts: Sequence[tuple[str, str]], base: Criteria,
                 size: int) -> list[tuple[StoredRecord, int]]:
    """Records sharing the most of ``concepts`` with ``record`` (not itself)."""
    if not concepts:
        return []
    found = index.sharing(base, concepts, limit=size + 1)
    return [(r, n) for r, n in found if r.id != record.id][:size]
