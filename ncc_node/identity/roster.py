"""A federation roster: node IRIs, countries and keys, signed by keys the operator pins.

The roster plays the part of TUF's root metadata (docs/protocol-proofs.md, "Origin trust"):
whoever runs the federation signs one list of its nodes with a roster key; each operator pins
that key (``[roster] keys``) and from then on takes the roster from anywhere — a peer, a
relay, a file — since only the signature counts. A roster is a JSON document signed with
Data Integrity (``eddsa-jcs-2022``) by ``did:key`` verification methods; it is taken when at
least ``threshold`` distinct pinned keys signed it (proofs by other keys are ignored, so the
federation can add a new roster key before operators pin it), it has not expired, and its
version is not lower than the one held (rollback) nor the same with other content
(equivocation), as TUF's clients check.

Pure checks here; :class:`RosterFile` keeps the held roster in the node's data folder.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ..errors import MultikeyError, NccError, ProofError, UnknownKey
from ..integrity import decode_public_key, sign, verify_proof_set
from ..jsonbody import dump_body
from ..settings import Settings
from ..timestamps import format_timestamp, parse_timestamp, utc_now
from .key_validity import is_node_iri
from .signing_key import NodeKey

__all__ = [
    "ROSTER_MAX_BYTES",
    "ROSTER_TYPE",
    "Roster",
    "RosterEntry",
    "RosterFile",
    "RosterRejected",
    "did_key",
    "roster_bytes",
    "roster_file_for",
    "sign_roster",
    "verify_roster",
]

ROSTER_TYPE = "NccRoster"
ROSTER_MAX_BYTES = 1024 * 1024
_FIELDS = frozenset({"type", "version", "issued", "expires", "nodes", "proof"})


class RosterRejected(NccError):
    """A roster that is not taken: forged, expired, rolled back, equivocating or malformed."""

    code: ClassVar[str] = "roster_rejected"
    http_status: ClassVar[int] = 422

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        #: ``roster_forged``, ``roster_expired``, ``roster_rollback``,
        #: ``roster_equivocation`` or ``roster_malformed``
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """One node the roster vouches for: its IRI, its country concept and its keys."""

    node: str
    country: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class Roster:
    """A roster that verified: its version, validity and nodes (by node IRI), and its bytes."""

    version: int
    issued: datetime
    expires: datetime
    nodes: Mapping[str, RosterEntry]
    body: bytes
    signers: tuple[str, ...]

    def expired(self, now: datetime) -> bool:
        """Whether the roster no longer vouches for anything at ``now``."""
        return now >= self.expires

    def countries(self) -> dict[str, tuple[str, ...]]:
        """Country concept -> the node IRIs the roster lists for it."""
        found: dict[str, list[str]] = {}
        for entry in self.nodes.values():
            found.setdefault(entry.country, []).append(entry.node)
        return {country: tuple(nodes) for country, nodes in found.items()}

    def summary(self, now: datetime) -> str:
        """One line for the operator: version, node count, validity."""
        state = "EXPIRED" if self.expired(now) else "valid"
        return (f"version {self.version}, {len(self.nodes)} node(s), issued "
                f"{format_timestamp(self.issued)}, expires {format_timestamp(self.expires)} "
                f"({state}), signed by {len(self.signers)} pinned key(s)")


def did_key(public_multikey: str) -> str:
    """The ``did:key`` verification method of an Ed25519 Multikey (did:key §3.1.1)."""
    return f"did:key:{public_multikey}#{public_multikey}"


def sign_roster(nodes: Sequence[RosterEntry], *, version: int, expires: datetime,
                keys: Sequence[NodeKey], issued: datetime | None = None) -> dict[str, Any]:
    """Return a roster of ``nodes`` signed by each of ``keys`` (a proof set if more than one)."""
    if not keys:
        raise ValueError("a roster needs at least one signing key")
    moment = issued if issued is not None else utc_now()
    document: dict[str, Any] = {
        "type": ROSTER_TYPE,
        "version": version,
        "issued": format_timestamp(moment),
        "expires": format_timestamp(expires),
        "nodes": [{"node": entry.node, "country": entry.country, "keys": list(entry.keys)}
                  for entry in sorted(nodes, key=lambda e: e.node)],
    }
    _parse(document)  # refuse to sign what no verifier would take
    for index, key in enumerate(keys):
        document = sign(document, private_key=key.private_key,
                        verification_method=did_key(key.public_multikey), created=moment,
                        proof_set=index > 0)
    return document


def verify_roster(raw: bytes, *, pins: Sequence[str], threshold: int, now: datetime,
                  held: Roster | None = None,
                  max_future_skew: timedelta = timedelta(minutes=5)) -> Roster:
    """Check a roster's bytes against the pinned keys and the roster held; raise
    :class:`RosterRejected` naming the reason, or return the roster (``held`` itself when the
    same roster comes again)."""
    if len(raw) > ROSTER_MAX_BYTES:
        raise RosterRejected("roster_malformed", f"{len(raw)} bytes, the limit is "
                                                 f"{ROSTER_MAX_BYTES}")
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RosterRejected("roster_malformed", f"not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise RosterRejected("roster_malformed", "a roster is a JSON object")
    version, issued, expires, nodes = _parse(value)
    signers = _signers(value, pins, now, max_future_skew)
    if len(signers) < threshold:
        raise RosterRejected("roster_forged", f"signed by {len(signers)} of the pinned roster "
                                              f"keys, {threshold} needed")
    # TUF §5.3: versions never go back, and one version has one content
    if held is not None and version < held.version:
        raise RosterRejected("roster_rollback", f"version {version} is older than the "
                                                f"{held.version} held")
    if held is not None and version == held.version:
        if json.loads(held.body) != value:
            raise RosterRejected("roster_equivocation", f"version {version} is held with "
                                                        "other content; the first is kept")
        return held
    if now >= expires:
        raise RosterRejected("roster_expired", f"expired {format_timestamp(expires)}")
    return Roster(version, issued, expires, nodes, raw, tuple(sorted(signers)))


def _parse(value: Mapping[str, Any]) -> tuple[int, datetime, datetime, dict[str, RosterEntry]]:
    """The roster's fields, checked; RosterRejected ``roster_malformed`` names the first fault."""
    def fault(message: str) -> RosterRejected:
        return RosterRejected("roster_malformed", message)

    unknown = sorted(set(value) - _FIELDS - {"@context"})
    if unknown:
        raise fault(f"unknown field(s) {', '.join(unknown)}")
    if value.get("type") != ROSTER_TYPE:
        raise fault(f"type must be {ROSTER_TYPE!r}")
    version = value.get("version")
    if type(version) is not int or version < 1:
        raise fault(f"version must be an integer >= 1, got {version!r}")
    try:
        issued = parse_timestamp(str(value.get("issued")))
        expires = parse_timestamp(str(value.get("expires")))
    except ValueError as exc:
        raise fault(f"issued and expires must be UTC timestamps: {exc}") from None
    if expires <= issued:
        raise fault("expires must be after issued")
    listed = value.get("nodes")
    if not isinstance(listed, list):
        raise fault("nodes must be a list")
    nodes: dict[str, RosterEntry] = {}
    for index, item in enumerate(listed):
        nodes_entry = _entry(item, f"nodes[{index}]")
        if nodes_entry.node in nodes:
            raise fault(f"nodes[{index}]: {nodes_entry.node} is listed twice")
        nodes[nodes_entry.node] = nodes_entry
    return version, issued, expires, nodes


def _entry(item: Any, where: str) -> RosterEntry:
    if not isinstance(item, dict) or sorted(item) != ["country", "keys", "node"]:
        raise RosterRejected("roster_malformed", f"{where}: expected node, country and keys")
    iri, country, keys = item["node"], item["country"], item["keys"]
    if not is_node_iri(iri):
        raise RosterRejected("roster_malformed", f"{where}: node must be a node IRI "
                                                 f"<base>/node, got {iri!r}")
    if not isinstance(country, str) or not country.startswith("country:"):
        raise RosterRejected("roster_malformed", f"{where} ({iri}): country must be a country "
                                                 f"concept like country:DEU, got {country!r}")
    if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
        raise RosterRejected("roster_malformed", f"{where} ({iri}): keys must be a non-empty "
                                                 "list of z6Mk… keys")
    for key in keys:
        try:
            decode_public_key(key)
        except MultikeyError as exc:
            raise RosterRejected("roster_malformed",
                                 f"{where} ({iri}): key {key!r}: {exc.message}") from None
    return RosterEntry(iri, country, tuple(keys))


def _signers(value: dict[str, Any], pins: Sequence[str], now: datetime,
             max_future_skew: timedelta) -> set[str]:
    """The pinned keys whose proofs on the roster verify; a failing pinned proof is a forgery."""
    proofs = value.get("proof")
    listed = proofs if isinstance(proofs, list) else [proofs]
    by_method = {did_key(pin): pin for pin in pins}
    pinned = [p for p in listed if isinstance(p, dict) and p.get("verificationMethod")
              in by_method]
    if not pinned:
        raise RosterRejected("roster_forged", "no proof by a pinned roster key")
    if any("previousProof" in proof for proof in pinned):
        raise RosterRejected("roster_malformed", "a roster's proofs are a set, not a chain")

    def lookup(method: str, created: datetime) -> Ed25519PublicKey:
        if method not in by_method:
            raise UnknownKey(method, "not a pinned roster key")
        return decode_public_key(by_method[method])

    try:
        results = verify_proof_set({**value, "proof": pinned}, key_lookup=lookup, now=now,
                                   max_future_skew=max_future_skew)
    except ProofError as exc:
        raise RosterRejected("roster_forged", f"{exc.code}: {exc.message}") from None
    return {by_method[result.verification_method] for result in results}


class RosterFile:
    """The roster this node holds, in its data folder; replaced only by a newer valid one."""

    def __init__(self, path: Path, *, pins: Sequence[str], threshold: int = 1) -> None:
        self.path = path
        self.pins = tuple(pins)
        self.threshold = threshold

    @property
    def configured(self) -> bool:
        """Whether the operator pinned any roster key."""
        return bool(self.pins)

    def raw(self) -> bytes | None:
        """The held roster's exact bytes, or None."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None

    def held(self, now: datetime | None = None) -> Roster | None:
        """The held roster, re-verified under today's pins (expired or not), or None.

        A held roster that no longer verifies (the operator changed the pins) counts as none.
        """
        raw = self.raw()
        if raw is None or not self.pins:
            return None
        moment = now if now is not None else utc_now()
        try:
            return verify_roster(raw, pins=self.pins, threshold=self.threshold,
                                 now=min(moment, _issued(raw) or moment))
        except RosterRejected:
            return None

    def install(self, raw: bytes, now: datetime | None = None) -> tuple[Roster, bool]:
        """Take ``raw`` if it is valid and newer than the held roster; return the roster now
        held and whether it changed. RosterRejected (nothing changed) otherwise."""
        if not self.pins:
            raise RosterRejected("roster_forged", "no roster key is pinned ([roster] keys)")
        moment = now if now is not None else utc_now()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        with open(lock, "a") as held_lock:  # two workers installing at once never roll back
            fcntl.flock(held_lock, fcntl.LOCK_EX)
            held = self.held(moment)
            roster = verify_roster(raw, pins=self.pins, threshold=self.threshold, now=moment,
                                   held=held)
            if roster is held:
                return roster, False
            temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
            descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(raw)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
            return roster, True


def _issued(raw: bytes) -> datetime | None:
    """A held roster's ``issued``: an expired one is still re-verified as of when it was
    valid, so that it keeps its version as the floor against rollback."""
    try:
        return parse_timestamp(str(json.loads(raw)["issued"]))
    except (ValueError, KeyError, TypeError):
        return None


def roster_bytes(document: Mapping[str, Any]) -> bytes:
    """The bytes a signed roster is published as."""
    return dump_body(dict(document))


def roster_file_for(settings: Mapping[str, Any]) -> RosterFile:
    """The held roster of the node with these settings (``[roster]``)."""
    name = str(settings.get("roster.file") or "roster.json")
    path = (settings.path("roster.file") if isinstance(settings, Settings)
            else Path(str(settings.get("node.data_dir") or ".")) / name)
    return RosterFile(path, pins=settings.get("roster.keys") or (),
                      threshold=int(settings.get("roster.threshold") or 1))
