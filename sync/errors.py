"""Typed errors of the sync worker: each names the peer and a stable reason code.

They are :class:`~ncc_node.errors.NccError` subclasses, so the CLI reports them like every other
error. A failed request ends one peer's round; the items of that round that were committed stay
committed and the next round resumes from the stored cursor (architecture §6).
"""

from __future__ import annotations

from typing import ClassVar

from ncc_node import NccError

__all__ = [
    "BadResponse",
    "BudgetExhausted",
    "FeedCut",
    "PeerHttpError",
    "PeerRejected",
    "PeerTimeout",
    "PeerUnreachable",
    "RedirectRefused",
    "ResponseTooLarge",
    "SyncError",
]


class SyncError(NccError):
    """Something went wrong talking to one peer; ``code`` is the reason."""

    code = "sync"
    http_status = 502
    retryable: ClassVar[bool] = False  # the client tries again (with backoff) if True

    def __init__(self, peer: str, message: str, *, retryable: bool | None = None) -> None:
        super().__init__(f"{peer}: {message}")
        self.peer = peer
        if retryable is not None:
            self.retryable = retryable  # type: ignore[misc]

    @property
    def reason(self) -> str:
        """The stable reason code (same as ``code``)."""
        return self.code


class PeerUnreachable(SyncError):
    """The peer refused or dropped the connection (after every retry)."""

    code = "peer_unreachable"
    retryable = True


class PeerTimeout(SyncError):
    """The peer stayed silent past the read timeout, or sent its body too slowly."""

    code = "peer_timeout"


class BudgetExhausted(SyncError):
    """The round spent its time budget with this peer (``sync.peer_budget_s``); the next round
    resumes where it stopped."""

    code = "budget_exhausted"


class FeedCut(SyncError):
    """The feed went on past the round's page or byte limit (an endless feed is cut there)."""

    code = "feed_cut"


class ResponseTooLarge(SyncError):
    """The response grew past ``sync.max_response_bytes``; reading stopped there."""

    code = "response_too_large"


class BadResponse(SyncError):
    """The response is not the JSON the protocol promises (truncated, malformed, wrong shape)."""

    code = "bad_response"


class PeerHttpError(SyncError):
    """The peer answered with an HTTP error status (5xx only after every retry)."""

    code = "peer_http_status"

    def __init__(self, peer: str, status: int, message: str) -> None:
        super().__init__(peer, f"HTTP {status}: {message}", retryable=status >= 500)
        self.status = status


class RedirectRefused(SyncError):
    """The peer redirected off its own scheme, host and port (architecture §9), or too often."""

    code = "redirect_refused"


class PeerRejected(SyncError):
    """The peer's own descriptor cannot be trusted (bad, pinned keys differ, bad rotation)."""

    code = "peer_rejected"

    def __init__(self, peer: str, reason: str, message: str) -> None:
        super().__init__(peer, f"{reason}: {message}")
        self.rejection = reason
