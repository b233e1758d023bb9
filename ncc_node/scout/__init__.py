"""Scouting (architecture §8, issue 6): rank initiatives and methods from other countries.

Pure scoring (:mod:`.scoring`) is kept apart from the searches (:mod:`.search`), which ask the
store for a bounded, prefiltered pool; the store owns every SQL string.
"""

from .inferred import inferred_concepts
from .query import (
    FACTORS,
    ScoutQuery,
    ScoutQueryInvalid,
    Weights,
    resolve_concept,
    resolve_country,
)
from .search import DEFAULT_POOL, Candidate, find_candidates, find_similar

__all__ = [
    "Candidate",
    "DEFAULT_POOL",
    "FACTORS",
    "ScoutQuery",
    "ScoutQueryInvalid",
    "Weights",
    "find_candidates",
    "find_similar",
    "inferred_concepts",
    "resolve_concept",
    "resolve_country",
]
