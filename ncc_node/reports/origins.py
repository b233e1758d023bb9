"""The origins of the records a node holds, as their stored descriptors describe them."""

from __future__ import annotations

import json

from ..store import Store


class OriginCountries:
    """Origin node IRI -> the jurisdiction its stored descriptor names, as written (e.g.
    ``country:DEU``), or None while the node does not hold that descriptor. Each descriptor is
    read once per instance: make one per request or computation."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.known: dict[str, str | None] = {}

    def __call__(self, origin: str) -> str | None:
        if origin not in self.known:
            descriptor = self.store.descriptor(origin)
            value = json.loads(descriptor.body).get("jurisdiction") if descriptor else None
            self.known[origin] = value if isinstance(value, str) else None
        return self.known[origin]
