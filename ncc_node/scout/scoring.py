"""The score of one candidate (pure: no store, no clock, no I/O).

Each factor is a value in 0..1 computed from the record and a few facts the caller looked up
(text rank, replications, impact-measurement methods); its contribution is value × weight, and
the score is the sum of the contributions, so a breakdown always adds up to its score.

Relevance comes first: when the scout typed text, every other factor's contribution is scaled
by the relevance value, so a stage, an impact text or a recent date can reorder cases that
match alike but never lift a case that barely matches above one that matches well.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from vocab import UnknownConcept, concept_index, date_of

from ..store import Replication
from ..timestamps import parse_timestamp
from .query import FACTORS, Weights

# Factors that mean something per kind: methods have no stage, no partner search, no replicas.
KIND_FACTORS = {
    "Initiative": FACTORS,
    "Method": ("relevance", "impact", "transfer", "recency"),
}
TRANSFER_FULL_CHARS = 400  # a transferPotential text this long counts fully
REPLICATIONS_FULL = 3  # this many replications elsewhere count fully
RECENCY_HALF_LIFE_DAYS = 730.0
UNKNOWN = 0.5  # a factor whose fact is unknown neither helps nor hurts
SUBSTANTIAL_IMPACT_CHARS = 200
_MEASURED = re.compile(r"\d")  # a number: a count, a percentage, a measured result
IMPACT_METHOD_TYPE = "https://w3id.org/ncc/concepts/method-type/impact-measurement"


@dataclass(frozen=True)
class Facts:
    """What the caller looked up about one candidate besides its record."""

    relevance: float  # 0..1: text rank relative to the best, or the share of shared concepts
    target_countries: Collection[str]  # full IRIs; partner search there counts fully
    replications: Sequence[Replication]
    impact_methods: Collection[str]  # ids of methods typed impact measurement
    now: datetime


def _values(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _expand(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return concept_index().expand_compact(value)
    except UnknownConcept:
        return value


def _texts(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    return [t for v in value.values() for t in _values(v) if isinstance(t, str) and t.strip()]


def maturity(record: dict[str, Any]) -> float:
    """idea 0, pilot 0.25, proven 0.5, scaling 0.75, established 1 (ncc:order 1..5); an
    unknown stage is neutral (0.5), not the lowest."""
    stage = _expand(record.get("stage"))
    if stage is None:
        return UNKNOWN
    try:
        order = concept_index().stage_order(stage)
    except UnknownConcept:
        return UNKNOWN
    return max(0.0, min(1.0, (order - 1) / 4))


def impact(record: dict[str, Any], impact_methods: Collection[str]) -> float:
    """Graded evidence: 1 for a measured result (a number in the results or impact text) or a
    linked impact-measurement method (or, for a method, being one); 0.6 for a substantial
    impact text; 0.3 for a sentence; else 0."""
    if any(m in impact_methods for m in _values(record.get("usesMethods"))):
        return 1.0
    types = {_expand(t) for t in _values(record.get("methodTypes"))}
    if IMPACT_METHOD_TYPE in types:
        return 1.0
    texts = _texts(record.get("impact")) + _texts(record.get("results"))
    if not texts:
        return 0.0
    if any(_MEASURED.search(t) for t in texts):
        return 1.0
    return 0.6 if max(len(t) for t in texts) >= SUBSTANTIAL_IMPACT_CHARS else 0.3


def transfer(record: dict[str, Any]) -> float:
    """0 without a transferPotential; else 0.5 plus up to 0.5 for its longest text's length."""
    texts = _texts(record.get("transferPotential"))
    if not texts:
        return 0.0
    return 0.5 + 0.5 * min(1.0, max(len(t) for t in texts) / TRANSFER_FULL_CHARS)


def partners(record: dict[str, Any], target_countries: Collection[str]) -> float:
    """1 when it seeks partners in a target country, 0.5 when it seeks partners elsewhere."""
    wanted = {_expand(c) for c in _values(record.get("seeksPartnersIn"))}
    if wanted & set(target_countries):
        return 1.0
    return 0.5 if wanted or record.get("seeksPartners") is True else 0.0


def replications(links: Sequence[Replication]) -> float:
    """The replications/adaptations done so far, ``REPLICATIONS_FULL`` or more counting 1."""
    return min(len({link.id for link in links}), REPLICATIONS_FULL) / REPLICATIONS_FULL


def case_date(record: dict[str, Any], now: datetime) -> datetime | None:
    """The case's own latest date: its end (up to now: running counts as now), else its
    start, else the origin's ``modified``; None when it has none that parses."""
    found = []
    for field in ("endDate", "startDate"):
        value = date_of(record, field)  # a day, a month (taken as its 1st) or a year (1 Jan)
        if value is not None and len(value) >= 4:
            day = value[:10] if len(value) >= 10 else (
                f"{value[:7]}-01" if len(value) == 7 else f"{value[:4]}-01-01")
            try:
                found.append(datetime.fromisoformat(day).replace(tzinfo=UTC))
            except ValueError:
                continue
    if found:
        return min(max(found), now)
    try:
        return parse_timestamp(record.get("modified"))
    except (ValueError, TypeError):
        return None


def recency(record: dict[str, Any], now: datetime) -> float:
    """1 for a case dated now, halving every ``RECENCY_HALF_LIFE_DAYS``; neutral undated."""
    date = case_date(record, now)
    if date is None:
        return UNKNOWN
    age_days = max(0.0, (now - date).total_seconds() / 86400)
    return float(0.5 ** (age_days / RECENCY_HALF_LIFE_DAYS))


def factor_values(record: dict[str, Any], facts: Facts) -> dict[str, float]:
    """The raw 0..1 value of each factor that applies to the record's kind, in factor order."""
    values = {
        "relevance": max(0.0, min(1.0, facts.relevance)),
        "maturity": maturity(record),
        "impact": impact(record, facts.impact_methods),
        "transfer": transfer(record),
        "partners": partners(record, facts.target_countries),
        "replications": replications(facts.replications),
        "recency": recency(record, facts.now),
    }
    applicable = KIND_FACTORS.get(str(record.get("type")), FACTORS)
    return {name: values[name] for name in FACTORS if name in applicable}


def score(values: dict[str, float], weights: Weights,
          *, by_text: bool = False) -> tuple[float, dict[str, float]]:
    """Return (score, contribution per factor); the contributions sum to the score. With
    ``by_text`` every factor but relevance is scaled by the relevance value."""
    scale = values.get("relevance", 1.0) if by_text else 1.0
    contributions = {name: value * getattr(weights, name) * (1.0 if name == "relevance"
                                                             else scale)
                     for name, value in values.items()}
    return sum(contributions.values()), contributions
