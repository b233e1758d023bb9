"""What one peer's sync round did, as reported to the CLI, the status page and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["PeerResult"]


@dataclass
class PeerResult:
    """The outcome of one round with one peer."""

    base_url: str
    accepted: int = 0
    rejected: dict[str, int] = field(default_factory=dict)  # quarantined items by reason
    pages: int = 0
    records_per_s: float = 0.0  # feed items checked per second of the round
    error: str | None = None  # "<reason code>: <message>" if the round stopped early
    cursor: str | None = None  # the cursor stored when the round ended
    up_to_date: bool = False  # the round read the feed to its end (more: false)
    duplicates: int = 0  # states already held, ignored
    requests: int = 0  # HTTP requests made, retries and redirects included
    refetched: int = 0  # possibly damaged items asked for again by id that then passed
    retried: int = 0  # items pending a retry that are held now (re-fetched from a source)
    repaired: int = 0  # records the anti-entropy check found missing and pulled
    antientropy: str | None = None  # "agrees", "differs" (after repair), None: not checked
    behind: int | None = None  # records the peer holds that this node lacks (anti-entropy)
    wire_bytes: int = 0  # bytes sent and received, heads included, bodies as compressed
    body_bytes: int = 0  # response bodies after decompression

    @property
    def rejected_total(self) -> int:
        """How many items were quarantined."""
        return sum(self.rejected.values())
