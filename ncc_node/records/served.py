"""Which stored record a node serves at ``/<collection>/<uuid>``: its own first, then a peer's."""

from __future__ import annotations

from vocab import COLLECTIONS

from ..errors import NotFound
from ..store import Store, StoredRecord


def served_record(store: Store, base_url: str, kind: str, uuid: str) -> StoredRecord:
    """The record of ``kind`` whose id ends in ``/<collection>/<uuid>`` (own first), or 404."""
    suffix = f"/{COLLECTIONS[kind]}/{uuid}"
    own = store.get(base_url + suffix)
    if own is not None and own.kind == kind:
        return own
    for record in store.find_by_uuid(kind, uuid):
        if record.id.endswith(suffix):
            return record
    raise NotFound(f"no {kind.lower()} {uuid} on this node")
