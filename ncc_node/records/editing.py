"""Editing this node's records: drafts, publishing a draft, retiring a record (docs/web.md).

A draft is a payload kept in the store, never signed and never in the feed. Each carries the
version of the record it was made on (``base_version``, 0 for a new record). Publishing signs
a new version through :class:`~.publish.Publisher` (the same path as the API and imports) and
drops the draft in the same transaction; it is refused with :class:`~ncc_node.errors.
PreconditionFailed` when the record has moved on since (someone else published meanwhile), so
no edit ever silently overwrites another.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import Conflict, NotFound, PreconditionFailed
from ..store import Draft, Store, StoredRecord, Writer
from .publish import SYSTEM, Publisher, payload_of


def stale(record: StoredRecord, base_version: int) -> PreconditionFailed:
    """The refusal of an edit made on an older version than the one published now."""
    return PreconditionFailed(
        f"someone else changed {record.id} meanwhile: your edit was made on version "
        f"{base_version}, version {record.version} was published at {record.modified}")


class Editor:
    """Drafts and publishing of this node's records, for the editor pages and the API."""

    def __init__(self, store: Store, publisher: Publisher) -> None:
        self.store = store
        self.publisher = publisher

    # -- reading -------------------------------------------------------------------------------
    def current(self, record_id: str) -> StoredRecord:
        """This node's live record ``record_id``, or NotFound / Conflict (a peer's record)."""
        record = self.store.get(record_id)
        if record is None or record.deleted:
            raise NotFound(f"no live record {record_id}")
        if record.origin != self.publisher.identity.node_iri:
            raise Conflict(f"{record_id} belongs to {record.origin}; it is read-only here")
        return record

    def payload(self, record: StoredRecord) -> dict[str, Any]:
        """The payload of a stored record (what an editor edits)."""
        return payload_of(json.loads(record.body))

    def draft(self, draft_id: int) -> Draft:
        """A draft by number, or NotFound."""
        found = self.store.draft(draft_id)
        if found is None:
            raise NotFound(f"no draft {draft_id} (published or discarded meanwhile)")
        return found

    # -- drafts --------------------------------------------------------------------------------
    def save(self, kind: str, payload: dict[str, Any], *, author: str | None,
             record_id: str | None = None, base_version: int = 0,
             draft_id: int | None = None, revision: int | None = None) -> Draft:
        """Save a draft: a new one, or draft ``draft_id`` at ``revision`` (else Conflict).

        A draft of a published record is refused at once when the record already moved past
        ``base_version``: the editor must look at the newer version first.
        """
        if record_id is not None:
            current = self.current(record_id)
            if current.version != base_version:
                raise stale(current, base_version)
            kind = current.kind
            if draft_id is None:
                held = self.store.draft_of(record_id)
                if held is not None:  # the record's one draft: continue it, never fork it
                    if revision is None or held.revision != revision:
                        raise Conflict(f"{record_id} already has a draft (number {held.id}) "
                                       "saved by someone else")
                    draft_id = held.id
        with self.store.write() as writer:
            saved = writer.save_draft(kind=kind, record_id=record_id, base_version=base_version,
                                      payload=payload, author=author, draft_id=draft_id,
                                      expect_revision=revision)
            writer.audit(actor=author or SYSTEM, action="draft.save", record_id=record_id,
                         version=base_version or None, detail=f"draft {saved.id} revision "
                                                              f"{saved.revision}")
            return saved

    def discard(self, draft_id: int, *, revision: int | None = None,
                actor: str = SYSTEM) -> None:
        """Drop a draft (at ``revision``, when given)."""
        found = self.draft(draft_id)
        if revision is not None and found.revision != revision:
            raise Conflict(f"draft {draft_id} was saved by someone else meanwhile")
        with self.store.write() as writer:
            writer.delete_draft(draft_id)
            writer.audit(actor=actor, action="draft.discard", record_id=found.record_id,
                         detail=f"draft {draft_id}")

    # -- publishing ----------------------------------------------------------------------------
    def publish(self, kind: str, payload: dict[str, Any], *, record_id: str | None = None,
                base_version: int = 0, draft_id: int | None = None,
                actor: str = SYSTEM) -> StoredRecord:
        """Sign and publish a payload: a new record, or the next version of ``record_id``
        when it is still at ``base_version`` (else PreconditionFailed: someone else changed
        it). The draft it came from, if any, is dropped in the same transaction."""
        def drop(writer: Writer) -> None:
            if draft_id is not None:
                writer.delete_draft(draft_id)

        if record_id is None:
            return self.publisher.create(kind, payload, actor=actor, also=drop)
        current = self.current(record_id)
        if current.version != base_version:
            raise stale(current, base_version)
        try:
            return self.publisher.update(record_id, payload, if_match=current.etag,
                                         kind=current.kind, actor=actor, also=drop)
        except (Conflict, PreconditionFailed):  # published by someone else just now
            raise stale(self.current(record_id), base_version) from None

    def publish_draft(self, draft_id: int, *, revision: int | None = None,
                      actor: str = SYSTEM) -> StoredRecord:
        """Publish a stored draft (at ``revision``, when given)."""
        found = self.draft(draft_id)
        if revision is not None and found.revision != revision:
            raise Conflict(f"draft {draft_id} was saved by someone else meanwhile "
                           f"(revision {found.revision}, yours was {revision})")
        return self.publish(found.kind, found.payload, record_id=found.record_id,
                            base_version=found.base_version, draft_id=found.id, actor=actor)

    def retire(self, record_id: str, *, base_version: int, actor: str = SYSTEM
               ) -> StoredRecord:
        """Replace one of this node's records by its signed tombstone, when it is still at
        ``base_version``; its draft, if any, goes too."""
        current = self.current(record_id)
        if current.version != base_version:
            raise stale(current, base_version)
        held = self.store.draft_of(record_id)

        def drop(writer: Writer) -> None:
            if held is not None:
                writer.delete_draft(held.id)

        try:
            return self.publisher.delete(record_id, if_match=current.etag, actor=actor,
                                         also=drop)
        except (Conflict, PreconditionFailed):
            raise stale(self.current(record_id), base_version) from None
