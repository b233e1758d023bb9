"""What the convergence helpers (retry, repair, history) see of a peer's round.

:class:`Decided` is one checked item ready to commit; :class:`Round` is the part of
:class:`~sync.peer_run.PeerRun` that :mod:`sync.retry`, :mod:`sync.repair` and
:mod:`sync.history` use, so they depend on this interface and not on the round itself.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from ncc_node import RetryEntry, Store

from .client import PeerClient
from .config import PeerConfig
from .feedpage import FeedPage
from .knowledge import PageKnowledge
from .results import PeerResult
from .rules import TrustPolicy
from .verdicts import Verdict

__all__ = ["Decided", "Round"]


@dataclass(frozen=True)
class Decided:
    """One item's verdict, its bytes and where it came from, ready to commit."""

    verdict: Verdict
    raw: bytes
    source: str  # base URL the item came from


class Round(Protocol):
    """A round with one peer, as the convergence helpers use it."""

    peer: PeerConfig
    others: list[PeerConfig]
    store: Store
    policy: TrustPolicy
    result: PeerResult
    health: dict[str, Any]
    retrying: dict[str, int]
    final_ids: set[str]
    walked: set[str]
    clock: Callable[[], datetime]

    def client_for(self, base_url: str) -> PeerClient:
        """The client of ``base_url``, bounded by the round's budget."""

    def check(self, raw: bytes, value: object, knowledge: PageKnowledge,
              via: str | None = None, now: datetime | None = None) -> Verdict:
        """Check one item under the round's policy and limits."""

    def apply_items(self, page: FeedPage, *, source: str) -> list[Decided]:
        """Check and commit items asked for by id."""

    def note_unserved(self, entries: Sequence[RetryEntry]) -> None:
        """Ids no source sent: try again later."""
