"""Moderation: the review queue of held imports, hiding peers' records, retrying the quarantine.

What arrives from peers is never edited here (it is signed by its origin); a node can only
decide what it shows. Hiding a record, or every record of an origin, keeps it stored and
verifiable and (unless relaying is blocked too) in the ``scope=all`` feed; the store drops its
derived index entries, so this node's scouting, record pages, statistics and SPARQL view leave
it out until it is unhidden (docs/web.md).
"""

from __future__ import annotations

import json

from ..errors import Conflict, NotFound, RecordRejected, RequestInvalid
from ..store import HeldRecord, Hidden, Store, StoredRecord
from ..timestamps import format_timestamp, utc_now
from .publish import SYSTEM, Publisher

MAX_REASON = 500


def _reason(reason: str) -> str:
    text = " ".join(reason.split())
    if not text:
        raise RequestInvalid("say why (a reason is required)",
                             [{"path": "reason", "rule": "required", "message": "required"}])
    if len(text) > MAX_REASON:
        raise RequestInvalid(f"the reason is longer than {MAX_REASON} characters",
                             [{"path": "reason", "rule": "maxLength",
                               "message": f"at most {MAX_REASON} characters"}])
    return text


class Moderation:
    """The review queue, hidden records and origins, and quarantine retries of one node."""

    def __init__(self, store: Store, publisher: Publisher) -> None:
        self.store = store
        self.publisher = publisher
        self.own = publisher.identity.node_iri

    # -- review queue --------------------------------------------------------------------------
    def held(self, identifier: str) -> HeldRecord:
        """A record of the review queue, or NotFound."""
        found = self.store.held(identifier)
        if found is None:
            raise NotFound(f"no record {identifier!r} is held for review")
        return found

    def publish_held(self, identifier: str, *, by: str | None,
                     reason: str | None = None) -> str:
        """Sign and publish a held record (a reviewer found it fine); return the outcome
        (created, updated or unchanged). A record that fails validation stays held."""
        record = self.held(identifier)
        if record.status != "held":
            raise Conflict(f"{identifier!r} was already {record.status}")
        counts = self.publisher.upsert_many([(record.kind, record.payload)],
                                            actor=by or SYSTEM)
        with self.store.write() as writer:
            writer.decide_held(identifier, "published", decision=reason, by=by)
            writer.audit(actor=by or SYSTEM, action="review.publish", detail=identifier)
        return next((k for k, v in counts.items() if v), "unchanged")

    def reject_held(self, identifier: str, *, reason: str, by: str | None) -> None:
        """Reject a held record: never published, and not held again by a re-import."""
        record = self.held(identifier)
        if record.status == "published":
            raise Conflict(f"{identifier!r} was already published")
        why = _reason(reason)
        with self.store.write() as writer:
            writer.decide_held(identifier, "rejected", decision=why, by=by)
            writer.audit(actor=by or SYSTEM, action="review.reject",
                         detail=f"{identifier}: {why}")

    # -- hiding --------------------------------------------------------------------------------
    def _peer_record(self, record_id: str) -> StoredRecord:
        record = self.store.get(record_id)
        if record is None:
            raise NotFound(f"no record {record_id} is held here")
        if record.origin == self.own:
            raise RecordRejected(f"{record_id} is this node's own record: retire it instead")
        if record.kind == "Node":
            raise RecordRejected(f"{record_id} is a node descriptor: hide its origin instead")
        return record

    def hide_record(self, record_id: str, *, reason: str, relay: bool = True,
                    by: str | None = None) -> int:
        """Hide one peer's record on this node (``relay`` False: also out of the feed)."""
        self._peer_record(record_id)
        return self._hide(record_id, "record", reason, relay, by)

    def hide_origin(self, origin: str, *, reason: str, relay: bool = True,
                    by: str | None = None) -> int:
        """Hide every record of one origin (held now or arriving later)."""
        if origin == self.own:
            raise RecordRejected("this node cannot hide its own records: retire them instead")
        if self.store.descriptor(origin) is None:
            raise NotFound(f"no origin {origin} is known here")
        return self._hide(origin, "origin", reason, relay, by)

    def _hide(self, target: str, scope: str, reason: str, relay: bool, by: str | None) -> int:
        entry = Hidden(target, scope, _reason(reason), relay, by, format_timestamp(utc_now()))
        with self.store.write() as writer:
            count = writer.hide(entry)
            writer.audit(actor=by or SYSTEM, action=f"moderation.hide_{scope}",
                         record_id=target if scope == "record" else None,
                         detail=f"{target}: {entry.reason}"
                                + ("" if relay else " (relaying blocked)"))
            return count

    def unhide(self, target: str, *, by: str | None = None) -> int:
        """Show a hidden record or origin again; return how many records it covered."""
        if not any(h.target == target for h in self.store.hidden()):
            raise NotFound(f"{target} is not hidden")
        with self.store.write() as writer:
            count = writer.unhide(target)
            writer.audit(actor=by or SYSTEM, action="moderation.unhide", detail=target)
            return count

    # -- quarantine ----------------------------------------------------------------------------
    def retry_now(self, entry_id: int, *, by: str | None = None) -> str:
        """Ask for a quarantined item again at the next sync round (its peer, then its
        origin and the other peers: sync/retry.py); return the record id."""
        entry = self.store.quarantine_entry(entry_id)
        if entry is None:
            raise NotFound(f"no quarantined item {entry_id}")
        if entry.record_id is None:
            raise RecordRejected(f"quarantined item {entry_id} has no record id to ask for")
        held = self.store.get(entry.record_id)
        origin = held.origin if held is not None else _origin_of(entry.body)
        with self.store.write() as writer:
            writer.schedule_retry(peer=entry.peer, record_id=entry.record_id, origin=origin,
                                  reason=entry.reason, next_at=format_timestamp(utc_now()))
            writer.audit(actor=by or SYSTEM, action="quarantine.retry",
                         record_id=entry.record_id, detail=f"{entry.peer}: {entry.reason}")
        return entry.record_id


def _origin_of(body: bytes) -> str | None:
    """The origin a quarantined body names, if it is JSON with one (it may be damaged)."""
    try:
        value = json.loads(body)
    except ValueError:
        return None
    origin = value.get("origin") if isinstance(value, dict) else None
    return origin if isinstance(origin, str) else None
