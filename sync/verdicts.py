"""The outcome of checking one incoming item, and the reason codes (architecture §6).

Every rejected item is quarantined under exactly one of these codes, and each peer's counts are
kept by code, so the codes are part of what operators see; once published they never change.
Proof failures keep the verifier's own codes (docs/protocol-proofs.md §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ncc_node import IndexEntries

__all__ = [
    "ACCEPTED",
    "DUPLICATE",
    "PROOF_REASONS",
    "REASONS",
    "Held",
    "Rejection",
    "Unparsed",
    "Verdict",
]

ACCEPTED = "accepted"
DUPLICATE = "duplicate"  # the same signed state again: ignored, counted, never quarantined

PROOF_REASONS = (
    "malformed_proof", "unsupported_cryptosuite", "proof_purpose_mismatch",
    "proof_context_mismatch", "created_in_future", "unknown_key", "key_not_valid_at",
    "canonicalization_failed", "bad_signature",
)

#: Reason codes, in the order the rules run.
REASONS: dict[str, str] = {
    "too_large": "the item is larger than sync.max_record_bytes",
    "not_object": "the item is not a JSON object",
    "unparseable": "the item is not valid JSON (the rest of its page is applied)",
    "too_deep": "the item nests deeper than limits.max_json_depth",
    "bad_context": "@context is not the bundled NCC context",
    "malformed": "id, type, origin or version is missing or of the wrong form",
    "untrusted_origin": "the origin is neither a direct peer nor trusted by introduction",
    "unknown_origin": "no trusted descriptor of the item's origin is known",
    **{code: "the proof does not verify under the origin's keys" for code in PROOF_REASONS},
    "bad_descriptor": "a node descriptor that is malformed or not validly self-signed",
    "pin_mismatch": "a first descriptor is not signed by a key pinned for its origin",
    "roster_mismatch": "a first descriptor with keys or a country other than the roster lists",
    "not_in_roster": "an introduced origin the roster does not list (roster.only)",
    "unconfirmed_origin": "a relayed first descriptor the origin's own base URL does not confirm",
    "country_taken": "a first descriptor for a jurisdiction (a country, or the EU level) "
                     "another node already serves",
    "foreign_id": "the id is not under the origin's base URL",
    "invalid_record": "the record breaks the vocabulary's shapes",
    "stale": "a version lower than the one held (replayed or out of date)",
    "equivocation": "the version held, with other content (the first one is kept)",
    "own_record": "a record whose origin is this node (never overwritten from outside)",
    "rotation_rejected": "a descriptor version that does not follow by key continuity",
    "origin_key_conflict": "a descriptor held from a relay that the origin itself contradicts",
    # a roster a peer serves at /roster that is not taken (ncc_node.verify_roster)
    "roster_forged": "a roster not signed by enough of the pinned roster keys",
    "roster_expired": "a roster past its expiry",
    "roster_rollback": "a roster older than the one held",
    "roster_equivocation": "a roster of the version held, with other content",
    "roster_malformed": "a roster that is not of the roster's form",
}


@dataclass(frozen=True, slots=True)
class Held:
    """What the store (or the page being applied) holds for a record id."""

    version: int
    body: bytes
    #: the held state no longer verifies under its origin's trusted keys (a descriptor held
    #: from a relay was replaced by the origin's own): any signed state of the origin replaces it
    void: bool = False


@dataclass(frozen=True, slots=True)
class Unparsed:
    """The value of a feed item that could not be parsed: why (a reason code) and how."""

    reason: str
    detail: str


class Rejection(Exception):
    """Raised inside the rules to reject an item; becomes a :class:`Verdict`."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Verdict:
    """What to do with one item: accept it, ignore a duplicate, or quarantine it (reason)."""

    reason: str  # ACCEPTED, DUPLICATE or a code of REASONS
    detail: str = ""
    record_id: str | None = None
    origin: str | None = None
    kind: str | None = None
    record: dict[str, Any] | None = None  # the parsed record, when accepted
    expect_version: int = 0  # the version held when checked (0: none): compare-and-swap
    derived: IndexEntries | None = None  # the record's index entries, when computed while screening

    @property
    def accepted(self) -> bool:
        """Whether the item is to be stored."""
        return self.reason == ACCEPTED

    @property
    def rejected(self) -> bool:
        """Whether the item is to be quarantined."""
        return self.reason not in (ACCEPTED, DUPLICATE)
