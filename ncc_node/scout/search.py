"""Candidate and similar-record searches: the store prefilters a bounded pool, scoring ranks it.

architecture §8 and issue 6. Local and merged (synced) records are alike here: the store holds both
and nothing below looks at ``received_from``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from vocab import UnknownConcept, concept_index

from ..errors import NotFound
from ..reports import OriginCountries
from ..store import Replication, Store, StoredRecord
from ..timestamps import utc_now
from .query import ScoutQuery, Weights
from .scoring import IMPACT_METHOD_TYPE, Facts, factor_values, score

DEFAULT_POOL = 200
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


def _stage_levels() -> list[str]:
    """Stage IRIs, most mature first (the order the pool is filled in without text)."""
    index = concept_index()
    return [c.iri for c in sorted(index.concepts("stage"), key=lambda c: -(c.order or 0))]


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
) -> Candidate:
    facts = Facts(relevance=relevance, target_countries=targets, replications=links,
                  impact_methods=impact_methods, now=now)
    values = factor_values(record, facts)
    total, contributions = score(values, weights)
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
    targets = [query.country] if query.country else []
    facets = query.facets()
    levels: list[str] | None = None
    if query.kind == "Initiative":
        levels = [query.stage] if query.stage else _stage_levels()
        facets = [(f, v) for f, v in facets if f != "stage"]
    found = store.scout_pool(query.kind, facets=facets, exclude_countries=targets, text=query.q,
                             levels=levels, size=max(pool, query.limit))
    if not found:
        return []
    ranks = [rank for _, rank in found if rank is not None]
    best = min(ranks) if ranks else 0.0
    links = store.scout_replications([stored.id for stored, _ in found])
    impact_methods = (store.scout_ids_with("Method", "method_type", IMPACT_METHOD_TYPE)
                      if query.kind == "Initiative" else frozenset())
    origins = OriginCountries(store)
    results = []
    for stored, rank in found:
        replicas = links.get(stored.id, [])
        if any(set(targets) & set(link.countries) for link in replicas):
            continue  # already replicated or adapted in the target country
        relevance = (rank / best if best < 0 else 1.0) if rank is not None else 0.0
        results.append(_build(
            stored, json.loads(stored.body), relevance=relevance, targets=targets,
            links=replicas, impact_methods=impact_methods, weights=weights, now=now,
            origins=origins, details={"bm25": rank}))
    return _rank(results, query.limit)


def find_similar(
    store: Store,
    record_id: str,
    *,
    weights: Weights,
    limit: int = 10,
    pool: int = DEFAULT_POOL,
    now: datetime | None = None,
) -> list[Candidate]:
    """Rank records like ``record_id`` (sharing SDGs, themes, target groups, method types) that
    run in none of its countries; relevance is the share of its concepts they share."""
    stored = store.get(record_id)
    if stored is None or stored.deleted or stored.kind not in ("Initiative", "Method"):
        raise NotFound(f"no initiative or method {record_id!r} on this node")
    source = json.loads(stored.body)
    concepts = [(facet, iri) for facet, term in SIMILAR_FACETS.items()
                for iri in _iris(source.get(term))]
    countries = _iris(source.get("countries"))
    now = now or utc_now()
    related = store.scout_related(stored.kind, concepts=concepts, exclude_countries=countries,
                                  exclude_id=stored.id, size=max(pool, limit))
    links = store.scout_replications([r.id for r, _ in related])
    impact_methods = (store.scout_ids_with("Method", "method_type", IMPACT_METHOD_TYPE)
                      if stored.kind == "Initiative" else frozenset())
    origins = OriginCountries(store)
    results = [
        _build(r, json.loads(r.body), relevance=shared / len(concepts), targets=countries,
               links=links.get(r.id, []), impact_methods=impact_methods, weights=weights,
               now=now, origins=origins, details={"sharedConcepts": shared})
        for r, shared in related
    ]
    return _rank(results, limit)
