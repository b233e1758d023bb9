"""A node's scouting as configured: its ``[scout]`` settings applied to every search."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..store import Store
from .query import ScoutQuery, Weights
from .search import DEFAULT_POOL, Candidate, find_candidates, find_similar


@dataclass(frozen=True)
class Scouting:
    """The weights, pool size and largest ``limit`` of a node's scouting (``[scout]``)."""

    weights: Weights = Weights()
    pool: int = DEFAULT_POOL
    limit_max: int = 100

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Scouting:
        """The scouting of a node's settings (``scout.weight_<factor>``, ``pool``,
        ``limit_max``)."""
        return cls(Weights.from_settings(settings), int(settings["scout.pool"]),
                   int(settings["scout.limit_max"]))

    def limit(self, asked: int) -> int:
        """``asked``, reduced to ``limit_max``."""
        return min(asked, self.limit_max)

    def candidates(self, store: Store, query: ScoutQuery) -> list[Candidate]:
        """Ranked candidates of ``query`` (its ``limit`` reduced to ``limit_max``)."""
        query = dataclasses.replace(query, limit=self.limit(query.limit))
        return find_candidates(store, query, weights=self.weights, pool=self.pool)

    def similar(self, store: Store, record_id: str, *, limit: int) -> list[Candidate]:
        """Records like ``record_id`` elsewhere, ranked."""
        return find_similar(store, record_id, weights=self.weights, limit=self.limit(limit),
                            pool=self.pool)
