"""Publishing the node's own records: mint, validate, sign, store (architecture §4, §5).

The operator sends a payload (the fields of a record); the node mints ``id``, ``origin``,
``version`` and ``modified``, validates the result against the vocabulary, signs it with its
active key (eddsa-jcs-2022) and stores it under the next sequence number.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from vocab import COLLECTIONS, CONTEXT_URL, validate_record

from ..errors import (
    Conflict,
    Gone,
    NccError,
    NotFound,
    PreconditionFailed,
    PreconditionRequired,
    RecordRejected,
)
from ..identity import NodeIdentity, NodeSigner, SigningKey, descriptor_keys
from ..integrity import verify_proof_set
from ..jsonbody import dump_body
from ..store import IndexEntries, Store, StoredRecord, Writer
from ..timestamps import format_timestamp, parse_timestamp, utc_now

MINTED = ("id", "origin", "version", "modified", "proof")
ENVELOPE = ("@context", "type", *MINTED)
# Fields that hold objects, and the one type each object has (vocab/data/shapes.ttl,
# OrganisationShape: "Always Organization"): a payload may leave it out, the node fills it in.
NESTED_TYPES = {"leadOrganisation": "Organization", "partners": "Organization"}


def payload_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return a record's payload: everything the publisher wrote, nothing the node minted."""
    return {k: v for k, v in record.items() if k not in ENVELOPE}


def _with_nested_types(payload: dict[str, Any]) -> dict[str, Any]:
    """Fill in the type of nested objects that leave it out; refuse a wrong one, naming it."""
    details = []
    for field, kind in NESTED_TYPES.items():
        value = payload.get(field)
        items = value if isinstance(value, list) else [value]
        filled = []
        for index, item in enumerate(items):
            if isinstance(item, dict) and "type" not in item:
                item = {"type": kind, **item}
            elif isinstance(item, dict) and item["type"] != kind:
                where = f"{field}[{index}].type" if isinstance(value, list) else f"{field}.type"
                details.append({"path": where, "rule": "in", "message":
                                f"must be {kind!r}, not {item['type']!r} (or left out: the "
                                "node fills it in)"})
            filled.append(item)
        if field in payload:
            payload[field] = filled if isinstance(value, list) else filled[0]
    if details:
        raise RecordRejected(f"{details[0]['path']}: {details[0]['message']}", details)
    return payload


#: the audit log's actor of a write no caller named
SYSTEM = "node"


class Upsert(NamedTuple):
    """One payload to import: its kind, its fields and, when worked out beforehand (a mapped
    import's worker processes do), its index entries (:func:`~ncc_node.store.index_entries`
    of the payload: the minted fields play no part in them), which the store then takes as
    they are instead of deriving them again."""

    kind: str
    payload: dict[str, Any]
    derived: IndexEntries | None = None


#: what :meth:`Publisher.plan` and :meth:`Publisher.upsert_many` take: (kind, payload) or an
#: :class:`Upsert`
Importable = tuple[str, dict[str, Any]] | Upsert
# a signed record ready to store: record, body, the version it replaces, its index entries
Prepared = tuple[dict[str, Any], bytes, int, IndexEntries | None]


def _upsert(item: Importable) -> Upsert:
    return item if isinstance(item, Upsert) else Upsert(*item)


class Publisher:
    """Create, update and delete this node's own records."""

    def __init__(
        self,
        store: Store,
        identity: NodeIdentity,
        *,
        clock: Callable[[], datetime] = utc_now,
        signer: NodeSigner | None = None,
    ) -> None:
        self.store = store
        self.identity = identity
        self.clock = clock
        # the key comes from the stored descriptor at each signature, never from `identity`
        self.signer = signer if signer is not None else NodeSigner(store, identity)

    # -- building ----------------------------------------------------------------------------
    def _check_payload(self, kind: str, payload: Any) -> dict[str, Any]:
        if not isinstance(payload, dict):
            raise RecordRejected("the body must be a JSON object with the record's fields")
        details = [{"path": k, "rule": "minted", "message": "set by the node; do not send it"}
                   for k in MINTED if k in payload]
        if payload.get("@context", CONTEXT_URL) != CONTEXT_URL:
            details.append({"path": "@context", "rule": "context",
                            "message": f"must be {CONTEXT_URL!r} (or left out)"})
        if payload.get("type", kind) != kind:
            details.append({"path": "type", "rule": "type", "message": f"must be {kind!r}"})
        if details:
            raise RecordRejected("the payload sets fields the node controls", details)
        return _with_nested_types(payload_of(payload))

    def _sign(self, record: dict[str, Any], signing: SigningKey | None = None
              ) -> tuple[dict[str, Any], bytes]:
        _raise_violations(record, validate_record(record))  # innermost field first
        # the record was built here and is not shared: sign it without a deep copy
        signed = self.signer.sign(record, signing or self.signer.current(), created=self.clock())
        return signed, dump_body(signed)

    def _commit(self, prepared: list[Prepared], signing: SigningKey,
                actor: str = SYSTEM, also: Callable[[Writer], None] | None = None
                ) -> list[StoredRecord]:
        """Store records signed under ``signing``; sign them again if a rotation came between.

        The descriptor's version is compared inside the write transaction, which a rotation
        needs too (docs/protocol-proofs.md §7): nothing is stored under a retired key. Each
        record's audit row (``actor``, the record, its new version) commits with it.
        """
        with self.store.write() as writer:
            if not self.signer.still_current(writer, signing):
                signing = self.signer.current()
                prepared = [(*self._sign(_unsigned(record), signing), expected, derived)
                            for record, _, expected, derived in prepared]
            stored = []
            for record, body, expected, derived in prepared:
                written = writer.put(record, body, expect_version=expected, derived=derived)
                action = ("record.retire" if written.deleted
                          else "record.create" if expected == 0 else "record.update")
                writer.audit(actor=actor, action=action, record_id=written.id,
                             version=written.version)
                stored.append(written)
            if also is not None:  # e.g. drop the draft that was published, in one transaction
                also(writer)
            return stored

    def _build(self, kind: str, payload: Any, record_id: str | None, version: int
               ) -> dict[str, Any]:
        if kind not in COLLECTIONS:
            raise RecordRejected(f"unknown record kind {kind!r}")
        fields = self._check_payload(kind, payload)
        if record_id is None:
            record_id = f"{self.identity.base_url}/{COLLECTIONS[kind]}/{uuid.uuid4()}"
        return {"@context": CONTEXT_URL, "id": record_id, "type": kind,
                "origin": self.identity.node_iri, "version": version,
                "modified": format_timestamp(self.clock()), **fields}

    def prepare(
        self, kind: str, payload: Any, *, record_id: str | None = None, version: int = 1,
        signing: SigningKey | None = None,
    ) -> tuple[dict[str, Any], bytes]:
        """Return a signed record and its body for a payload, without storing it."""
        return self._sign(self._build(kind, payload, record_id, version), signing)

    def check(self, kind: str, payload: Any, *, record_id: str | None = None,
              version: int = 1) -> None:
        """Validate a payload as publishing it would, without signing or storing anything;
        raise :class:`RecordRejected` with every violation (the editor shows them)."""
        record = self._build(kind, payload, record_id, version)
        _raise_violations(record, validate_record(record))

    # -- writing -----------------------------------------------------------------------------
    def create(self, kind: str, payload: Any, *, actor: str = SYSTEM,
               also: Callable[[Writer], None] | None = None) -> StoredRecord:
        """Publish a new record (version 1); ``actor`` is who, for the audit log; ``also``
        writes in the same transaction."""
        signing = self.signer.current()
        record, body = self.prepare(kind, payload, signing=signing)
        return self._commit([(record, body, 0, None)], signing, actor, also)[0]

    def _own_current(self, record_id: str, kind: str | None, if_match: str | None,
                     *, required: bool) -> StoredRecord:
        current = self.store.get(record_id)
        if current is None or (kind is not None and current.kind != kind):
            raise NotFound(f"no record {record_id}")
        if current.origin != self.identity.node_iri:
            raise Conflict(f"{record_id} belongs to {current.origin}; it is read-only here")
        if current.deleted:
            raise Gone(f"{record_id} was deleted", current.body)
        if if_match is None and required:
            raise PreconditionRequired(f"updating {record_id} needs If-Match: {current.etag}")
        if if_match is not None and if_match.strip() not in ("*", current.etag):
            raise PreconditionFailed(
                f"If-Match {if_match} does not match the current ETag {current.etag}")
        return current

    def update(self, record_id: str, payload: Any, *, if_match: str | None,
               kind: str | None = None, actor: str = SYSTEM,
               also: Callable[[Writer], None] | None = None) -> StoredRecord:
        """Replace a record's payload; the version goes up by one (needs the current ETag).

        The version is compared again inside the write transaction, so of two edits made on
        the same version only the first is published; the other is refused (Conflict)."""
        current = self._own_current(record_id, kind, if_match, required=True)
        signing = self.signer.current()
        record, body = self.prepare(current.kind, payload, record_id=record_id,
                                    version=current.version + 1, signing=signing)
        return self._commit([(record, body, current.version, None)], signing, actor,
                            also)[0]

    def delete(self, record_id: str, *, if_match: str | None = None,
               kind: str | None = None, actor: str = SYSTEM,
               also: Callable[[Writer], None] | None = None) -> StoredRecord:
        """Replace a record by its signed tombstone (version + 1)."""
        current = self._own_current(record_id, kind, if_match, required=False)
        now = format_timestamp(self.clock())
        tombstone = {"@context": CONTEXT_URL, "id": record_id, "type": "Tombstone",
                     "origin": self.identity.node_iri, "version": current.version + 1,
                     "modified": now, "formerType": current.kind, "deleted": now}
        signing = self.signer.current()
        signed, body = self._sign(tombstone, signing)
        return self._commit([(signed, body, current.version, None)], signing, actor,
                            also)[0]

    def plan(
        self, items: Iterable[Importable]
    ) -> list[tuple[str, str, dict[str, Any], StoredRecord | None]]:
        """Decide what importing payloads would do, without writing: for each, in order,
        (outcome, kind, payload, the record it replaces) with outcome created, updated or
        unchanged, matched by ``identifier`` (one lookup for the whole batch)."""
        rows = [_upsert(item) for item in items]
        identifiers = [row.payload.get("identifier") for row in rows]
        named = [i for i in identifiers if isinstance(i, str)]
        duplicates = sorted(i for i, n in Counter(named).items() if n > 1)
        if duplicates:
            raise RecordRejected(f"identifier {duplicates[0]!r} appears twice in one import",
                                 [{"path": "identifier", "rule": "unique",
                                   "message": "appears twice in one import"}])
        existing = self.store.find_by_identifiers(self.identity.node_iri, named)
        planned: list[tuple[str, str, dict[str, Any], StoredRecord | None]] = []
        for (kind, payload, _), identifier in zip(rows, identifiers, strict=True):
            current = existing.get(identifier) if isinstance(identifier, str) else None
            if current is None or current.deleted or current.kind != kind:
                planned.append(("created", kind, payload, None))
            elif payload_of(json.loads(current.body)) == payload_of(payload):
                planned.append(("unchanged", kind, payload, current))
            else:
                planned.append(("updated", kind, payload, current))
        return planned

    def repair_signatures(
        self, *, progress: Callable[[str, int, int], None] | None = None
    ) -> list[tuple[str, int, int]]:
        """Re-sign and re-publish this node's records whose proof its own descriptor refuses.

        A record signed with a key after that key's retirement (a process that kept signing
        with a retired key) is rejected by every peer (``key_not_valid_at``). Each such record
        whose signature holds under the listed key is published again as version + 1, signed
        with the active key, so the federation converges. Returns (id, old, new version) and
        calls ``progress(id, old, new)`` for each.
        """
        stored = self.store.descriptor(self.identity.node_iri)
        if stored is None:
            raise NotFound(f"no descriptor for {self.identity.node_iri}")
        keys = descriptor_keys(json.loads(stored.body))
        repaired: list[tuple[str, int, int]] = []
        after = 0
        while page := self.store.changes(after, 500, origin=self.identity.node_iri):
            after = page[-1][0]
            for _, body in page:
                record = json.loads(body)
                if record.get("type") == "Node" or not self._signed_too_late(record, keys):
                    continue
                version = int(record["version"])
                signing = self.signer.current()
                fresh = dict(_unsigned(record), version=version + 1,
                             modified=format_timestamp(self.clock()))
                signed, fresh_body = self._sign(fresh, signing)
                self._commit([(signed, fresh_body, version, None)], signing, "cli:repair")
                repaired.append((str(record["id"]), version, version + 1))
                if progress is not None:
                    progress(str(record["id"]), version, version + 1)
        return repaired

    def _signed_too_late(self, record: Mapping[str, Any], keys: Mapping[str, Any]) -> bool:
        """Is the record's proof by one of our listed keys, valid, but outside the key's window?"""
        outside = False
        for proof in _proofs(record):
            key = keys.get(str(proof.get("verificationMethod")))
            if key is None:
                return False  # not a key of ours: nothing we may vouch for by re-signing
            try:
                created = parse_timestamp(str(proof.get("created")))
            except ValueError:
                return False
            outside = outside or key.not_valid_reason(created) is not None
        if not outside:
            return False
        try:  # re-sign only what we really signed: the signature must hold under that key
            verify_proof_set(record, key_lookup=lambda vm, _: keys[vm].public_key)
        except NccError:
            return False
        return True

    def upsert_many(self, items: Iterable[Importable], *,
                    actor: str = "cli:import") -> dict[str, int]:
        """Import payloads in one transaction, idempotently by their ``identifier``.

        A payload whose identifier is already published is compared with the stored one:
        unchanged → nothing happens; changed → a new version. Returns counts by outcome.
        """
        rows = [_upsert(item) for item in items]
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        prepared: list[Prepared] = []
        signing = self.signer.current()
        for (outcome, kind, payload, current), row in zip(self.plan(rows), rows, strict=True):
            counts[outcome] += 1
            if outcome == "created":
                record, body = self.prepare(kind, payload, signing=signing)
                prepared.append((record, body, 0, row.derived))
            elif outcome == "updated" and current is not None:
                record, body = self.prepare(kind, payload, record_id=current.id,
                                            version=current.version + 1, signing=signing)
                prepared.append((record, body, current.version, row.derived))
        self._commit(prepared, signing, actor)
        return counts


def _raise_violations(record: Mapping[str, Any], violations: list[Any]) -> None:
    if violations:
        first = violations[0]
        more = f" (and {len(violations) - 1} more in details)" if len(violations) > 1 else ""
        raise RecordRejected(
            f"{record.get('type', 'record')} is invalid: {first} (rule {first.rule}){more}",
            [{"path": v.path, "rule": v.rule, "message": v.message} for v in violations],
            violations=violations,
        )


def _proofs(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    proof = record.get("proof")
    items = proof if isinstance(proof, list) else [proof]
    return [item for item in items if isinstance(item, Mapping)]


def _unsigned(record: Mapping[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in record.items() if name != "proof"}
