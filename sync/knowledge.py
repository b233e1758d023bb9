"""What the rules may know while a page is applied: the store, plus the page so far.

Items are checked one after the other but committed together, so a record or descriptor accepted
earlier in the same page must already count for the items after it (a rotation followed by
records signed with the new key, in one page). Key lookups built from stored descriptors are
cached for one peer's round, with the descriptor bytes they were built from, so that the same
lookups can be rebuilt in a checking process (:mod:`sync.checkpool`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ncc_node import KeyLookup, NccError, Store, key_lookup_from_descriptor

from .verdicts import Held

__all__ = ["KnownKeys", "PageKnowledge"]

#: A trusted descriptor's exact bytes and the key lookup built from them.
KnownKeys = tuple[bytes, KeyLookup]


class PageKnowledge:
    """The store as the rules see it, with the page's accepted items laid over it."""

    def __init__(self, store: Store, lookups: dict[str, KnownKeys | None]) -> None:
        self.store = store
        self.lookups = lookups  # shared cache of descriptors already in the store
        self.page_held: dict[str, Held] = {}
        self.page_lookups: dict[str, KnownKeys] = {}
        self.stored: dict[str, Held | None] = {}  # read ahead for the page's ids
        self._countries: dict[str, str] | None = None  # jurisdiction -> node IRI, read lazily

    def prefetch(self, record_ids: Sequence[str]) -> None:
        """Read what the store holds for a page's ids in one query (else one per item)."""
        found = self.store.get_many(record_ids)
        for record_id in record_ids:
            stored = found.get(record_id)
            self.stored[record_id] = None if stored is None else Held(stored.version,
                                                                      stored.body)

    def held(self, record_id: str) -> Held | None:
        """See :meth:`sync.rules.Knowledge.held`."""
        if record_id in self.page_held:
            return self.page_held[record_id]
        if record_id in self.stored:
            return self.stored[record_id]
        stored = self.store.get(record_id)
        return None if stored is None else Held(stored.version, stored.body)

    def key_lookup(self, origin: str) -> KeyLookup | None:
        """See :meth:`sync.rules.Knowledge.key_lookup`."""
        known = self.known_keys(origin)
        return None if known is None else known[1]

    def known_keys(self, origin: str) -> KnownKeys | None:
        """The descriptor bytes behind :meth:`key_lookup` of ``origin``, with the lookup."""
        if origin in self.page_lookups:
            return self.page_lookups[origin]
        if origin not in self.lookups:
            self.lookups[origin] = self._stored_lookup(origin)
        return self.lookups[origin]

    def _stored_lookup(self, origin: str) -> KnownKeys | None:
        stored = self.store.descriptor(origin)
        if stored is None:
            return None
        try:
            return stored.body, key_lookup_from_descriptor(json.loads(stored.body))
        except (NccError, ValueError, KeyError):
            return None  # a stored descriptor is verified before it is stored; never expected

    def country_holder(self, country: str) -> str | None:
        """See :meth:`sync.rules.Knowledge.country_holder` (first descriptors only: rare)."""
        for origin, (raw, _) in self.page_lookups.items():
            if json.loads(raw).get("jurisdiction") == country:
                return origin
        if self._countries is None:
            self._countries = {}
            for stored in self.store.iter_records(kind="Node"):
                held = json.loads(stored.body).get("jurisdiction")
                if isinstance(held, str):
                    self._countries.setdefault(held, stored.id)
        return self._countries.get(country)

    def accept(self, record: dict[str, Any], raw: bytes) -> None:
        """Count an accepted item for the rest of the page."""
        self.page_held[record["id"]] = Held(int(record["version"]), raw)
        if record.get("type") == "Node":
            self.page_lookups[record["id"]] = raw, key_lookup_from_descriptor(record)

    def committed(self) -> None:
        """The page is in the store: keep its descriptors' lookups for the next pages."""
        self.lookups.update(self.page_lookups)
