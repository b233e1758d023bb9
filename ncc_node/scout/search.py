"""Candidate and similar-record searches: a bounded pool (:mod:`.pools`), scored and explained.

architecture §8. Local and merged (synced) records are alike here: the store holds both and
nothing below looks at ``received_from``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from vocab import UnknownConcept, concept_index

from ..errors import NotFound
from ..jsonbody import parse_json_bytes
from ..reports import OriginCountries
from ..store import Replication, Store, StoredRecord, TextHit
from ..store.eurovoc import eurovoc
from ..timestamps import utc_now
from .crosslingual import concept_labels as eurovoc_labels
from .crosslingual import expansions
from .crosslingual import tokens as eurovoc_tokens
from .duplicates import fold_duplicates
from .explain import Match, concept_labels, match, relevance, snippet
from .pools import criteria, filter_pool, like_pool, related_pool, text_pool
from .query import ScoutQuery, Weights
from .scoring import IMPACT_METHOD_TYPE, Facts, factor_values, score

DEFAULT_POOL = 200
SIMILAR_TEXT_SHARE = 0.7  # similar: text likeness against the share of concepts shared
# store facet -> record term: the concepts two records must share to be alike
SIMILAR_FACETS = {"sdg": "sdgs", "theme": "themes", "target_group": "targetGroups",
                  "method_type": "methodTypes"}


@dataclass(frozen=True)
class Candidate:
    """One ranked result: the record, where it comes from, its score and why.

    ``factors`` holds each factor's weighted contribution and ``raw`` its unweighted value
    (0..1), both keyed in the fixed factor order; ``sum(factors.values()) == score``.
    ``details`` holds the facts behind the values (bm25, stage, replicating record ids ...).
    """

    record: dict[str, Any]
    origin: str
    origin_country: str | None  # the origin node's jurisdiction (compact), when its descriptor
    score: float
    factors: dict[str, float]
    raw: dict[str, float]
    details: dict[str, Any]
    also: list[dict[str, Any]] = field(default_factory=list)  # the same case, published again

    @property
    def id(self) -> str:
        """The record's id."""
        return str(self.record["id"])

    @property
    def kind(self) -> str:
        """Initiative or Method."""
        return str(self.record["type"])


def _iris(value: Any) -> list[str]:
    """The full IRIs of a concept field (compact or full values; unknown ones skipped)."""
    index = concept_index()
    found = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            try:
                found.append(index.get(item).iri)
            except UnknownConcept:
                continue
    return list(dict.fromkeys(found))


def _rank(candidates: Iterable[Candidate], limit: int) -> list[Candidate]:
    """Best score first; ties by id, so equal inputs always give the same order."""
    return sorted(candidates, key=lambda c: (-c.score, c.id))[:limit]


def _build(
    stored: StoredRecord,
    record: dict[str, Any],
    *,
    relevance: float,
    targets: list[str],
    links: list[Replication],
    impact_methods: frozenset[str],
    weights: Weights,
    now: datetime,
    origins: OriginCountries,
    details: dict[str, Any],
    by_text: bool = False,
) -> Candidate:
    facts = Facts(relevance=relevance, target_countries=targets, replications=links,
                  impact_methods=impact_methods, now=now)
    values = factor_values(record, facts)
    total, contributions = score(values, weights, by_text=by_text)
    details = {**details, "replicatedBy": [link.id for link in links],
               "stage": record.get("stage")}
    return Candidate(record=record, origin=stored.origin,
                     origin_country=origins(stored.origin), score=total,
                     factors=contributions, raw=values, details=details)


def find_candidates(
    store: Store,
    query: ScoutQuery,
    *,
    weights: Weights,
    pool: int = DEFAULT_POOL,
    now: datetime | None = None,
) -> list[Candidate]:
    """Rank records of ``query.kind`` from other countries than ``query.country``.

    Excludes records running in the target country and initiatives a record in the target
    country already replicates or adapts. Only a bounded pool (``pool`` records: the best text
    matches, else the newest per stage) is scored.
    """
    now = now or utc_now()
    index = store.candidates
    targets = [query.country] if query.country else []
    filters = [(f, v) for f, v in query.facets() if f != "stage" or query.kind != "Initiative"]
    base = criteria(query.kind, filters, exclude_countries=targets, inferred=query.inferred)
    size = max(pool, query.limit)
    found: list[tuple[StoredRecord, TextHit | None]]
    text = text_pool(index, query, base, size) if query.q else None
    if query.q and text is None:
        return []
    found = list(text.entries) if text is not None else filter_pool(index, query, base, size)
    if not found:
        return []
    best = min((hit.rank for _, hit in found if hit is not None), default=0.0)
    links = index.replications([stored.id for stored, _ in found])
    impact_methods = (index.ids_with("Method", "method_type", IMPACT_METHOD_TYPE)
                      if query.kind == "Initiative" else frozenset())
    origins = OriginCountries(store)
    extra = expansions(text.plan) if text is not None else {}
    results = []
    matches: dict[str, Match] = {}
    for stored, hit in found:
        replicas = links.get(stored.id, [])
        if any(set(targets) & set(link.countries) for link in replicas):
            continue  # already replicated or adapted in the target country
        details: dict[str, Any] = {"bm25": hit.rank if hit else None}
        value = 0.0
        if hit is not None and text is not None:
            found_match = match(text.plan, hit, ignored=text.ignored, expansions=extra)
            matches[stored.id] = found_match
            value = relevance(hit.rank, best, found_match)
            details.update(matched=list(found_match.matched), missing=list(found_match.missing),
                           partial=found_match.partial, coverage=found_match.coverage)
            if found_match.ignored:
                details["ignored"] = list(found_match.ignored)
        results.append(_build(
            stored, parse_json_bytes(stored.body), relevance=value, targets=targets,
            links=replicas, impact_methods=impact_methods, weights=weights, now=now,
            origins=origins, details=details, by_text=text is not None))
    ranked = fold_duplicates(_rank(results, len(results)), query.limit)
    if text is not None:
        for candidate in ranked:
            found_match = matches[candidate.id]
            candidate.details["concepts"] = (concept_labels(found_match.concepts, query.lang)
                                             + eurovoc_labels(found_match.eurovoc, query.lang))
            candidate.details["snippet"] = snippet(candidate.record, text.plan, found_match,
                                                   extra)
    return ranked


def find_similar(
    store: Store,
    record_id: str,
    *,
    weights: Weights,
    limit: int = 10,
    pool: int = DEFAULT_POOL,
    now: datetime | None = None,
) -> list[Candidate]:
    """Rank records like ``record_id`` that run in none of its countries: by content (its most
    distinctive terms, bm25) and by the share of its SDGs, themes, target groups and method
    types they share."""
    stored = store.get(record_id)
    if stored is None or stored.deleted or stored.kind not in ("Initiative", "Method"):
        raise NotFound(f"no initiative or method {record_id!r} on this node")
    index = store.candidates
    source = parse_json_bytes(stored.body)
    concepts = [(facet, iri) for facet, term in SIMILAR_FACETS.items()
                for iri in _iris(source.get(term))]
    countries = _iris(source.get("countries"))
    now = now or utc_now()
    size = max(pool, limit)
    base = criteria(stored.kind, (), exclude_countries=countries)
    alike, terms = like_pool(index, stored, base, size)
    related = related_pool(index, stored, concepts, base, size)
    shared = {r.id: n for r, n in related}
    best = min((hit.rank for _, hit in alike), default=0.0)
    text_rank = {r.id: hit.rank for r, hit in alike}
    pool_records = {r.id: r for r, _ in alike} | {r.id: r for r, _ in related}
    links = index.replications(list(pool_records))
    impact_methods = (index.ids_with("Method", "method_type", IMPACT_METHOD_TYPE)
                      if stored.kind == "Initiative" else frozenset())
    origins = OriginCountries(store)
    results = []
    for record_id, record in pool_records.items():
        rank = text_rank.get(record_id)
        text_part = rank / best if rank is not None and best < 0 else 0.0
        concept_part = shared.get(record_id, 0) / len(concepts) if concepts else 0.0
        value = SIMILAR_TEXT_SHARE * text_part + (1 - SIMILAR_TEXT_SHARE) * concept_part
        results.append(_build(
            record, parse_json_bytes(record.body), relevance=value, targets=countries,
            links=links.get(record_id, []), impact_methods=impact_methods, weights=weights,
            now=now, origins=origins, by_text=True,
            details={"bm25": rank, "sharedConcepts": shared.get(record_id, 0),
                     "likeTerms": _like_terms(terms)}))
    return fold_duplicates(_rank(results, len(results)), limit)


def _like_terms(terms: tuple[str, ...]) -> list[str]:
    """The terms that found similar records; a EuroVoc token as its concept's English label."""
    known = eurovoc_tokens()
    concepts = eurovoc().concepts
    return [concepts[known[t]].label("en") if t in known else t for t in terms]
