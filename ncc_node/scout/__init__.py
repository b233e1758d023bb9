"""Scouting (architecture §8): rank initiatives and methods from other countries.

The whole scouting policy lives here: which candidates (:mod:`.pools`, asking the store's
:class:`~ncc_node.store.CandidateIndex` indexed questions only), which signals and weights
(:mod:`.query`, :mod:`.scoring`), cross-language expansion (:mod:`.crosslingual`),
explanations (:mod:`.explain`), folding of duplicates (:mod:`.duplicates`), and a node's
``[scout]`` settings applied (:class:`Scouting`). The store owns every SQL string.
"""

from .inferred import inferred_concepts, inferred_in
from .query import (
    FACTORS,
    ScoutQuery,
    ScoutQueryInvalid,
    Weights,
    resolve_concept,
    resolve_country,
)
from .search import DEFAULT_POOL, Candidate, find_candidates, find_similar
from .service import Scouting

__all__ = [
    "Candidate",
    "DEFAULT_POOL",
    "FACTORS",
    "ScoutQuery",
    "ScoutQueryInvalid",
    "Scouting",
    "Weights",
    "find_candidates",
    "find_similar",
    "inferred_concepts",
    "inferred_in",
    "resolve_concept",
    "resolve_country",
]
