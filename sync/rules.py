"""The acceptance rules for one incoming feed item (architecture §6), as pure functions.

In order, each with its reason code (:data:`sync.verdicts.REASONS`): size and JSON limits → only
the bundled context → a well-formed envelope → an origin we may trust → a proof valid under a key
the origin's descriptor lists as valid at ``created`` → ``id`` under the origin's base →
shape-valid → ``version`` greater than the one held (equal with other content: equivocation;
equal and identical: duplicate; lower: stale) → never overwrite a record of this node.

Node descriptors (``type: Node``) take the same path, except that their proofs are checked
against their own key list (``verify_descriptor``) and a new version must follow the held one by
key continuity (``verify_rotation``). A first descriptor is trusted when it comes from the
origin itself (a direct peer's own ``/node``, or a relayed one confirmed there), or when it is
signed by a key the operator pinned for that origin (``[[peers]] keys``, ``[[origins]]``), or
listed with that key in the federation roster the operator trusts (``[roster]``); one node per
jurisdiction, the roster's choice first, unless ``sync.one_node_per_country`` is false
(docs/protocol-proofs.md, "Origin trust"). A jurisdiction is a country, or the EU level
(``country:EUR``, an aggregator's): an EU-level node claims no member state, so it never takes
a country from the national node that serves it, and it is itself one of a kind. Nothing here
does I/O: what the node already holds comes in through :class:`Knowledge`; the confirmation
fetch is :mod:`sync.peer_run`'s.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from ncc_node import (
    IndexEntries,
    KeyLookup,
    NccError,
    Roster,
    RosterEntry,
    RotationRejected,
    descriptor_keys,
    json_depth,
    node_iri_for,
    too_deep,
    verify_descriptor,
    verify_proof_set,
    verify_rotation,
)
from vocab import (
    COLLECTIONS,
    CONTEXT_URL,
    DATA_INTEGRITY_V2_URL,
    is_record_context,
    validate_record,
)

from .verdicts import ACCEPTED, DUPLICATE, Held, Rejection, Unparsed, Verdict

__all__ = [
    "COLLECTIONS",
    "Knowledge",
    "Limits",
    "Screened",
    "TrustPolicy",
    "check_item",
    "json_depth",
    "screen",
    "with_roster",
]

KINDS = frozenset({*COLLECTIONS, "Tombstone", "Node"})


@dataclass(frozen=True)
class Limits:
    """Size limits and clock skew the rules apply."""

    max_record_bytes: int = 256 * 1024
    max_json_depth: int = 32
    max_future_skew: timedelta = timedelta(minutes=5)


@dataclass(frozen=True)
class TrustPolicy:
    """Whose records this node takes: its direct peers (with pinned keys) and introduced ones."""

    own_node: str
    direct: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # node IRI -> pins
    trust_introduced: bool = True
    #: ``[[origins]]``: origins the operator vouches for (a roster), node IRI -> pinned keys
    pinned: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    confirm_introduced: bool = True  # a relayed first descriptor needs the origin's word
    one_node_per_country: bool = True
    #: the federation roster held and valid (``[roster]``), node IRI -> what it vouches for
    roster: Mapping[str, RosterEntry] = field(default_factory=dict)
    roster_only: bool = False  # an introduced origin must be listed in the roster
    roster_note: str = ""  # the roster held, or why none counts (for refusals)

    def is_direct(self, origin: str) -> bool:
        """Whether ``origin`` is a configured peer's node IRI."""
        return origin in self.direct

    def roster_nodes(self, country: str) -> tuple[str, ...]:
        """The node IRIs the roster lists for ``country``."""
        return tuple(e.node for e in self.roster.values() if e.country == country)

    def pins(self, origin: str) -> tuple[str, ...]:
        """The keys pinned for ``origin`` (as a peer or in ``[[origins]]``), if any."""
        return (*self.direct.get(origin, ()), *self.pinned.get(origin, ()))


def with_roster(policy: TrustPolicy, roster: Roster | None, now: datetime) -> TrustPolicy:
    """``policy`` vouched for by ``roster`` (the held one): none if absent or expired."""
    if roster is None:
        return replace(policy, roster={}, roster_note="no roster held")
    if roster.expired(now):
        return replace(policy, roster={}, roster_note=f"version {roster.version} held, "
                                                      "expired")
    return replace(policy, roster=dict(roster.nodes), roster_note=f"version {roster.version}")


class Knowledge(Protocol):
    """What the node holds, as far as the rules need to know."""

    def held(self, record_id: str) -> Held | None:
        """The version and exact bytes held for ``record_id``, or None."""

    def key_lookup(self, origin: str) -> KeyLookup | None:
        """A key lookup over the trusted descriptor of ``origin``, or None if none is held."""

    def country_holder(self, country: str) -> str | None:
        """The node IRI of a held descriptor (this node's included) for ``country``, if any."""


@dataclass(frozen=True, slots=True)
class Screened:
    """The outcome of the rules that depend on nothing held, for one non-descriptor item.

    ``early`` is a rejection by size, JSON, context or envelope (decided before anything held
    counts); ``late`` one by trust, key, proof, id or shape (decided unless the same bytes are
    already held, which makes the item a duplicate). Each is ``(reason, detail)`` or None.
    Computed by :func:`screen`, possibly in another process (:mod:`sync.checkpool`), which
    then also derives a record's index entries (``derived``), so that the writer need not.
    """

    early: tuple[str, str] | None = None
    late: tuple[str, str] | None = None
    derived: IndexEntries | None = None


def screen(raw: bytes, value: Any, *, key_lookup: Callable[[str], KeyLookup | None],
           policy: TrustPolicy, limits: Limits, now: datetime) -> Screened:
    """Run the held-independent rules on a record or tombstone (not a descriptor: its rules
    depend on the descriptor held and on where it came from)."""
    try:
        _check_early(raw, value, limits)
    except Rejection as rejection:
        return Screened(early=(rejection.reason, rejection.detail))
    try:
        _check_late(value, None, key_lookup, policy, limits, now, None)
    except Rejection as rejection:
        return Screened(late=(rejection.reason, rejection.detail))
    return Screened()


def check_item(
    raw: bytes,
    value: Any,
    *,
    knowledge: Knowledge,
    policy: TrustPolicy,
    limits: Limits,
    now: datetime,
    via: str | None = None,
    screened: Screened | None = None,
) -> Verdict:
    """Decide what to do with one feed item: accept, ignore a duplicate, or quarantine.

    ``via`` is the base URL the item came from: a direct peer's first descriptor is taken only
    from that peer itself, never from a relay (which could otherwise pose as it). ``screened``
    is :func:`screen`'s outcome for this item under the same key lookups, when computed
    beforehand; the verdict is the same as without it.
    """
    named = value if isinstance(value, dict) else {}
    record_id = named.get("id") if isinstance(named.get("id"), str) else None
    origin = named.get("origin") if isinstance(named.get("origin"), str) else None
    kind = named.get("type") if isinstance(named.get("type"), str) else None
    try:
        held = _check(raw, value, knowledge, policy, limits, now, via, screened)
    except Rejection as rejection:
        return Verdict(rejection.reason, rejection.detail, record_id, origin, kind)
    if held is not None and not held.void and held.version == value["version"]:  # the same again
        return Verdict(DUPLICATE, "", record_id, origin, kind)
    return Verdict(ACCEPTED, "", record_id, origin, kind, value,
                   held.version if held is not None else 0,
                   screened.derived if screened is not None else None)


def _check(raw: bytes, value: Any, knowledge: Knowledge, policy: TrustPolicy, limits: Limits,
           now: datetime, via: str | None, screened: Screened | None) -> Held | None:
    """Run the rules; return what is held for the id (a duplicate if the same state)."""
    if screened is None:
        _check_early(raw, value, limits)
    elif screened.early is not None:
        raise Rejection(*screened.early)
    record_id, origin = value["id"], value["origin"]
    held = knowledge.held(record_id)
    if held is not None and held.body == raw:
        return held  # byte for byte a state this node already accepted (or published)
    if screened is None:
        _check_late(value, held, knowledge.key_lookup, policy, limits, now, via,
                    knowledge.country_holder)
    elif screened.late is not None:
        raise Rejection(*screened.late)
    if (held is not None and value["type"] != "Node" and value["version"] <= held.version
            and origin != policy.own_node
            and not _verifies(held, knowledge.key_lookup(origin), limits, now)):
        return Held(held.version, held.body, void=True)
    if _same_version(held, value):
        return held
    if origin == policy.own_node:
        raise Rejection("own_record", f"{record_id} was published by this node; a peer's "
                                      f"version {value['version']} is not taken")
    if value["type"] == "Node" and held is not None:
        try:
            verify_rotation(json.loads(held.body), value, now=now,
                            max_future_skew=limits.max_future_skew)
        except RotationRejected as exc:
            raise Rejection("rotation_rejected", exc.message) from None
    return held


def _check_early(raw: bytes, value: Any, limits: Limits) -> None:
    """Size and JSON limits, the bundled context, a well-formed envelope."""
    if len(raw) > limits.max_record_bytes:
        raise Rejection("too_large", f"{len(raw)} bytes, the limit is {limits.max_record_bytes}")
    if isinstance(value, Unparsed):  # kept apart by the page parser (sync.feedpage)
        raise Rejection(value.reason, value.detail)
    if not isinstance(value, dict):
        raise Rejection("not_object", f"a JSON {type(value).__name__}, not an object")
    if too_deep(raw, value, limits.max_json_depth):
        raise Rejection("too_deep", f"nested deeper than {limits.max_json_depth} levels")
    if not is_record_context(value.get("@context")):
        raise Rejection("bad_context", f"@context must be {CONTEXT_URL!r}, alone or with "
                                       f"{DATA_INTEGRITY_V2_URL!r}, got {value.get('@context')!r}")
    _envelope(value)


def _check_late(value: dict[str, Any], held: Held | None,
                key_lookup: Callable[[str], KeyLookup | None], policy: TrustPolicy,
                limits: Limits, now: datetime, via: str | None,
                country_holder: Callable[[str], str | None] | None = None) -> None:
    """Trust in the origin, the proof under its keys (or a descriptor's own), id and shape."""
    origin = value["origin"]
    if origin != policy.own_node and not policy.is_direct(origin) and not policy.trust_introduced:
        raise Rejection("untrusted_origin", f"{origin} is not a direct peer and "
                                            "sync.trust_introduced is false")
    if value["type"] == "Node":
        _check_descriptor(value, held, policy, limits, now, via, country_holder)
        return
    lookup = key_lookup(origin)
    if lookup is None:
        raise Rejection("unknown_origin", f"no trusted descriptor of {origin} is held")
    try:
        verify_proof_set(value, key_lookup=lookup, now=now,
                         max_future_skew=limits.max_future_skew)
    except NccError as exc:
        raise Rejection(exc.code, exc.message) from None
    _check_id(value, origin)
    _check_shape(value)


def _envelope(value: dict[str, Any]) -> tuple[str, str]:
    """Check id, type, origin and version are present and well-formed; return (id, origin)."""
    record_id, origin, kind = value.get("id"), value.get("origin"), value.get("type")
    version = value.get("version")
    if not isinstance(record_id, str) or not record_id:
        raise Rejection("malformed", "id must be a non-empty string")
    if kind not in KINDS:
        raise Rejection("malformed", f"type must be one of {', '.join(sorted(KINDS))}")
    if kind == "Tombstone" and value.get("formerType") not in COLLECTIONS:
        raise Rejection("malformed", "a tombstone's formerType must be Initiative or Method")
    if type(version) is not int or version < 1:
        raise Rejection("malformed", f"version must be an integer >= 1, got {version!r}")
    if not isinstance(origin, str) or not origin.endswith("/node"):
        raise Rejection("malformed", f"origin must be a node IRI <base>/node, got {origin!r}")
    try:
        valid = node_iri_for(origin.removesuffix("/node")) == origin
    except NccError:
        valid = False
    if not valid:
        raise Rejection("malformed", f"origin {origin!r} is not the IRI of a node base URL")
    return record_id, origin


def _check_id(value: dict[str, Any], origin: str) -> None:
    record_id = value["id"]
    kind = value["formerType"] if value["type"] == "Tombstone" else value["type"]
    prefix = f"{origin.removesuffix('/node')}/{COLLECTIONS[kind]}/"
    rest = record_id.removeprefix(prefix)
    if rest == record_id or not rest or any(c in rest for c in "/?#"):
        raise Rejection("foreign_id", f"{record_id} is not {prefix}<uuid> (the origin's base)")


def _check_shape(value: dict[str, Any]) -> None:
    violations = validate_record(value)
    if violations:
        shown = "; ".join(f"{v.path}: {v.message}" for v in violations[:3])
        more = f" (+{len(violations) - 3} more)" if len(violations) > 3 else ""
        raise Rejection("invalid_record", shown + more)


def _verifies(held: Held, lookup: KeyLookup | None, limits: Limits, now: datetime) -> bool:
    """Whether a held state still verifies under its origin's trusted keys."""
    if lookup is None:
        return False
    try:
        verify_proof_set(json.loads(held.body), key_lookup=lookup, now=now,
                         max_future_skew=limits.max_future_skew)
    except (NccError, ValueError):
        return False
    return True


def _same_version(held: Held | None, value: dict[str, Any]) -> bool:
    """Version rule: True for the same state again; Rejection if lower or equivocating."""
    if held is None or value["version"] > held.version:
        return False
    if value["version"] < held.version:
        raise Rejection("stale", f"version {value['version']} is older than the "
                                 f"{held.version} held")
    # Equal version: different bytes are equivocation, unless only the serialization differs
    # (protocol.md §3 forbids relays to re-serialize, but doing so changes no signed content).
    try:
        same = json.loads(held.body) == value
    except ValueError:
        same = False
    if not same:
        raise Rejection("equivocation", f"version {value['version']} is held with other "
                                        "content; the first one is kept")
    return True


def _check_descriptor(value: dict[str, Any], held: Held | None, policy: TrustPolicy,
                      limits: Limits, now: datetime, via: str | None,
                      country_holder: Callable[[str], str | None] | None) -> None:
    """A descriptor is self-signed (all its proofs hold under its own keys, one by an active
    key). A first one is trusted only from the origin itself or under a pinned key: a relay's
    word never suffices, since anyone can self-sign a descriptor for any IRI."""
    origin = value["origin"]
    base = origin.removesuffix("/node")
    if value["id"] != origin:
        raise Rejection("foreign_id", f"a descriptor's id must be its origin {origin}")
    if held is None and policy.is_direct(origin) and via != base:
        raise Rejection("unknown_origin", f"{origin} is a direct peer: its first descriptor is "
                                          f"taken from it, not from {via}")
    try:
        keys = descriptor_keys(value)
        results = verify_descriptor(value, now=now, max_future_skew=limits.max_future_skew)
    except NccError as exc:
        raise Rejection("bad_descriptor", f"{exc.code}: {exc.message}") from None
    _check_shape(value)
    if held is not None or origin == policy.own_node:
        return
    signers = {keys[result.verification_method].public_key_multibase for result in results}
    pins = policy.pins(origin)
    if pins and not signers & set(pins):
        raise Rejection("pin_mismatch", f"{origin} is signed by none of the keys pinned "
                                        "for it")
    listed = policy.roster.get(origin)
    country = value.get("jurisdiction")
    if listed is not None:  # the roster vouches: its keys and its country, from any relay
        if not signers & set(listed.keys):
            raise Rejection("roster_mismatch", f"{origin} is signed by none of the keys the "
                                               f"roster ({policy.roster_note}) lists for it")
        if country != listed.country:
            raise Rejection("roster_mismatch", f"{origin} claims {country}; the roster "
                                               f"({policy.roster_note}) lists it for "
                                               f"{listed.country}")
        return
    if policy.roster_only and not policy.is_direct(origin):
        raise Rejection("not_in_roster", f"{origin} is not listed in the roster "
                                         f"({policy.roster_note}) and roster.only is true")
    if (not pins and policy.confirm_introduced and via != base
            and not policy.is_direct(origin)):
        raise Rejection("unconfirmed_origin",
                        f"{origin} was introduced by {via}; it is trusted once its own "
                        f"{base}/node confirms it (or a key is pinned for it in [[origins]], "
                        "or a roster lists it)")
    if not policy.one_node_per_country or policy.is_direct(origin) or not isinstance(country,
                                                                                     str):
        return
    rostered = policy.roster_nodes(country)
    if rostered:  # the roster names who serves this country
        raise Rejection("country_taken",
                        f"{origin} claims {country}, which the roster ({policy.roster_note}) "
                        f"gives to {', '.join(rostered)} (sync.one_node_per_country)")
    holder = country_holder(country) if country_holder is not None else None
    if holder is not None and holder != origin:
        raise Rejection("country_taken",
                        f"{origin} claims {country}, which {holder} already serves "
                        "(sync.one_node_per_country)")
