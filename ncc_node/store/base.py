"""The store interface: every read and write the node, the sync worker and the CLI need.

architecture §7: SQLite is the embedded default and the single source of truth; the SQL lives in one
implementation of this interface (:mod:`.sqlite`) so PostgreSQL can be a second one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .derive import IndexEntries


@dataclass(frozen=True)
class StoredRecord:
    """A record as stored: the exact signed JSON body plus the columns derived from it."""

    id: str
    kind: str  # Initiative | Method | Node (a tombstone keeps the kind it replaced)
    origin: str
    version: int
    modified: str
    deleted: bool
    seq: int
    body: bytes
    etag: str
    proof_value: str
    identifier: str | None
    received_from: str | None
    received_at: str


@dataclass(frozen=True)
class PushSubscriber:
    """A peer's subscription to this node's feed, as the leading sync daemon keeps it."""

    callback: str
    scope: str  # "own" | "all"
    expires: int  # Unix time its lease ends
    told: str | None  # the head it was last sent


@dataclass(frozen=True)
class RecordFilter:
    """Filters of a record list; each facet filter is an exact concept/IRI match."""

    kind: str
    origin: str | None = None
    country: str | None = None
    sdg: str | None = None
    stage: str | None = None
    theme: str | None = None
    target_group: str | None = None
    method_type: str | None = None
    language: str | None = None
    q: str | None = None
    include_deleted: bool = False

    def facets(self) -> list[tuple[str, str]]:
        """The facet filters that are set, as (facet, value) pairs."""
        names = ("country", "sdg", "stage", "theme", "target_group", "method_type", "language")
        return [(n, getattr(self, n)) for n in names if getattr(self, n) is not None]


@dataclass(frozen=True)
class TextHit:
    """A full-text match: its bm25 rank (lower is better) and the analysed columns."""

    rank: float
    name: str
    description: str
    body: str
    concepts: str


@dataclass(frozen=True)
class Replication:
    """A live record that replicates or adapts another, with the countries it runs in."""

    id: str
    relation: str  # replicates | adapts
    countries: tuple[str, ...]  # full country IRIs


@dataclass(frozen=True)
class Criteria:
    """Which live records of one kind may be scouting candidates, in indexed terms only.

    Facets are the store's facet names (``sdg``, ``theme``, ``target_group``, ``stage``,
    ``language``, ``method_type``, ``country``, ``inferred_theme`` …), values full IRIs.
    """

    kind: str
    # each group: the record carries at least one of its (facet, IRI) pairs
    require: tuple[tuple[tuple[str, str], ...], ...] = ()
    exclude: tuple[tuple[str, str], ...] = ()  # the record carries none of these pairs


@dataclass(frozen=True)
class WordMatch:
    """One query word as the index can match it: a record matches when ANY alternative does."""

    terms: tuple[str, ...] = ()  # analysed index terms, in any text column
    prefix: str | None = None  # a term prefix (an unfinished last word)
    phrases: tuple[tuple[str, ...], ...] = ()  # runs of analysed terms, side by side
    concepts: tuple[str, ...] = ()  # concept IRIs: tagged by the publisher or inferred


class CandidateIndex(ABC):
    """The indexed questions scouting asks (``Store.candidates``); policy stays with the caller.

    Every answer is bounded by its ``limit`` (or ``window``), whatever the size of the store.
    """

    @abstractmethod
    def newest(self, criteria: Criteria, *, limit: int) -> list[StoredRecord]:
        """The ``limit`` live records meeting ``criteria`` that were stored last, newest first."""

    @abstractmethod
    def text_matches(
        self,
        criteria: Criteria,
        words: Sequence[WordMatch],
        *,
        window: int,
        limit: int,
        column_weights: tuple[float, float, float, float],
    ) -> list[tuple[StoredRecord, TextHit]]:
        """Records meeting ``criteria`` that match any of ``words``: among the newest
        ``window`` of them, the ``limit`` best by bm25 over the columns name, description,
        body and concepts weighted by ``column_weights``, best first."""

    @abstractmethod
    def document_counts(self, terms: Sequence[str]) -> tuple[int, dict[str, int]]:
        """The number of live records, and for each analysed term how many records' text
        holds it (diacritics folded as the index folds them)."""

    @abstractmethod
    def analysed_text(self, record_id: str) -> TextHit | None:
        """The analysed columns the index holds for a live record (rank 0), or None."""

    @abstractmethod
    def sharing(self, criteria: Criteria, concepts: Sequence[tuple[str, str]], *,
                limit: int) -> list[tuple[StoredRecord, int]]:
        """Up to ``limit`` live records meeting ``criteria`` that carry the most of the
        (facet, IRI) ``concepts``, with how many they carry; most first, then newest."""

    @abstractmethod
    def replications(self, ids: Sequence[str]) -> dict[str, list[Replication]]:
        """For each id, the live records that replicate or adapt it."""

    @abstractmethod
    def ids_with(self, kind: str, facet: str, value: str) -> frozenset[str]:
        """The ids of live records of ``kind`` carrying a facet value (full IRI)."""


@dataclass(frozen=True)
class Token:
    """An operator token as stored (the secret itself is never stored, only its hash)."""

    id: int
    name: str
    scopes: frozenset[str]
    created: str
    last_used: str | None
    revoked: str | None


@dataclass(frozen=True)
class User:
    """A person's account on the node (the password itself is never stored, only its hash)."""

    id: int
    name: str  # the sign-in name, lower case (a user name or an e-mail address)
    role: str  # editor | admin
    created: str
    email: str | None = None
    display_name: str = ""
    password_hash: str | None = None  # None: signs in through OpenID Connect only
    disabled: str | None = None
    last_sign_in: str | None = None
    # raised to end every session of the account at once (disable, role or password change)
    session_epoch: int = 0
    oidc_subject: str | None = None


@dataclass(frozen=True)
class AuditEntry:
    """One change made through the node: who, when, what (a record and its version)."""

    id: int
    at: str
    actor: str  # "user:<name>", "token:<name>" or "cli:<command>"
    action: str  # e.g. record.create, record.update, user.add, user.role
    record_id: str | None = None
    version: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class QuarantineEntry:
    """A rejected incoming item, kept with its reason and raw body."""

    id: int
    peer: str
    record_id: str | None
    reason: str
    detail: str
    body: bytes
    received_at: str
    times: int = 1  # how often these bytes came from this peer (kept once)


@dataclass(frozen=True)
class OriginDigest:
    """How many records of one origin (or one bucket of it) are held, and their digest."""

    count: int
    digest: str


@dataclass(frozen=True)
class RetryEntry:
    """An id received damaged or unverifiable from a peer, to ask for again later."""

    peer: str
    record_id: str
    origin: str | None
    reason: str
    attempts: int
    next_at: str
    first_at: str


@dataclass(frozen=True)
class Draft:
    """An unpublished edit of one of this node's records (never signed, never in the feed).

    ``record_id`` is None for a record not yet published; ``base_version`` is the version the
    edit was made on (0 for a new record): publishing is refused once the record has moved on.
    ``revision`` counts the draft's own saves, so two people saving one draft cannot overwrite
    each other either.
    """

    id: int
    kind: str
    record_id: str | None
    base_version: int
    payload: dict[str, Any]
    revision: int
    author: str | None
    created: str
    updated: str

    @property
    def etag(self) -> str:
        """The draft's entity tag (If-Match on the API, a hidden field in the editor)."""
        return f'"draft-{self.id}-{self.revision}"'


@dataclass(frozen=True)
class HeldRecord:
    """A record an import held for review (suspected spam or junk), with the rules' reasons."""

    identifier: str
    kind: str
    payload: dict[str, Any]
    reasons: tuple[tuple[str, str], ...]
    source: str
    status: str  # held | rejected | published
    held_at: str
    decision: str | None = None  # the reviewer's reason
    decided_by: str | None = None
    decided_at: str | None = None


@dataclass(frozen=True)
class Hidden:
    """A peer's record, or every record of an origin, that this node hides (with why).

    Hidden records stay stored, verifiable and (with ``relay``) in the ``scope=all`` feed;
    they are left out of this node's scouting, pages, statistics and SPARQL view.
    """

    target: str  # a record id, or an origin's node IRI
    scope: str  # record | origin
    reason: str
    relay: bool
    hidden_by: str | None
    hidden_at: str


@dataclass
class PeerState:
    """A peer's sync state: cursor, health and counts by outcome."""

    base_url: str
    scope: str = "own"
    node_iri: str | None = None
    cursor: str | None = None
    last_success: str | None = None
    last_error: str | None = None
    last_error_at: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    # errors since the last success by kind, anti-entropy outcome, how far behind (sync.health)
    health: dict[str, Any] = field(default_factory=dict)


class Writer(ABC):
    """Writes inside one transaction (``Store.write()``): all commit together or none do."""

    @abstractmethod
    def put(
        self,
        record: dict[str, Any],
        body: bytes,
        *,
        received_from: str | None = None,
        expect_version: int | None = None,
        derived: IndexEntries | None = None,
    ) -> StoredRecord:
        """Insert or replace a record under the next local sequence number; index it.

        With ``expect_version``, fail with Conflict unless the stored version is exactly that
        (0 = must not exist yet): compare-and-swap for If-Match writes. ``derived``: the
        record's index entries (:func:`~ncc_node.store.derive.derive`) computed beforehand,
        e.g. by the sync's checking processes; computed here when None.
        """

    @abstractmethod
    def version_of(self, record_id: str) -> int:
        """The stored version of a record as this transaction sees it (0 = not stored)."""

    @abstractmethod
    def save_peer(self, state: PeerState) -> None:
        """Insert or update a peer's state (cursor, health, counts)."""

    @abstractmethod
    def quarantine(
        self, *, peer: str, record_id: str | None, reason: str, detail: str, body: bytes
    ) -> int:
        """Keep a rejected item with its reason; return its quarantine id. The same bytes
        from the same peer are kept once, with a counter."""

    @abstractmethod
    def trim_quarantine(self, peer: str, *, per_peer: int, total: int) -> int:
        """Drop the oldest quarantined rows past the caps; return how many were dropped."""

    @abstractmethod
    def schedule_retry(self, *, peer: str, record_id: str, origin: str | None, reason: str,
                       next_at: str) -> int:
        """Note an id to ask ``peer`` for again at ``next_at``; return the attempts so far."""

    @abstractmethod
    def clear_retry(self, peer: str, record_id: str) -> None:
        """Forget an id's pending retry."""

    @abstractmethod
    def audit(self, *, actor: str, action: str, record_id: str | None = None,
              version: int | None = None, detail: str = "") -> None:
        """Add a row to the audit log, committed with the rest of this transaction."""

    # -- drafts, review queue and moderation (docs/web.md) -------------------------------------
    @abstractmethod
    def save_draft(self, *, kind: str, record_id: str | None, base_version: int,
                   payload: dict[str, Any], author: str | None, draft_id: int | None = None,
                   expect_revision: int | None = None) -> Draft:
        """Insert a draft (``draft_id`` None) or replace one whose revision is
        ``expect_revision`` (else Conflict); a record has at most one draft (else Conflict)."""

    @abstractmethod
    def delete_draft(self, draft_id: int) -> bool:
        """Drop a draft (published or abandoned); False if there was none."""

    @abstractmethod
    def hold(self, kind: str, payload: dict[str, Any], reasons: Sequence[tuple[str, str]],
             source: str) -> str:
        """Hold an imported record for review; "held", "unchanged" or "rejected" (a record
        rejected once stays rejected when imported again)."""

    @abstractmethod
    def decide_held(self, identifier: str, status: str, *, decision: str | None,
                    by: str | None) -> bool:
        """Mark a held record published or rejected (with the reviewer's reason)."""

    @abstractmethod
    def hide(self, entry: Hidden) -> int:
        """Hide a record or an origin's records (replacing an earlier entry for the target);
        drop their derived index entries; return how many records it hides now."""

    @abstractmethod
    def unhide(self, target: str) -> int:
        """Show a hidden target again (its records re-indexed); return how many; 0 if it was
        not hidden."""


class Store(ABC):
    """All persistent state of a node."""

    # -- records ------------------------------------------------------------------------------
    @abstractmethod
    def get(self, record_id: str) -> StoredRecord | None:
        """Return the record with this id (or its tombstone), or None."""

    @abstractmethod
    def get_many(self, record_ids: Sequence[str]) -> dict[str, StoredRecord]:
        """Return the records with these ids that are held, by id (one read for a page)."""

    @abstractmethod
    def find_by_identifier(self, origin: str, identifier: str) -> StoredRecord | None:
        """Return the record of ``origin`` carrying this external identifier, or None."""

    @abstractmethod
    def find_by_uuid(self, kind: str, uuid: str) -> list[StoredRecord]:
        """Return the records of ``kind`` (any origin) whose id ends in ``/<uuid>``, by id."""

    @abstractmethod
    def find_by_identifiers(
        self, origin: str, identifiers: Sequence[str]
    ) -> dict[str, StoredRecord]:
        """Return the records of ``origin`` carrying any of these identifiers, by identifier."""

    @abstractmethod
    def changes(
        self, after: int, limit: int, *, origin: str | None = None, relayed_only: bool = False
    ) -> list[tuple[int, bytes]]:
        """Return up to ``limit`` (seq, body) pairs with seq > ``after`` in seq order; with
        ``relayed_only``, none that the admin hid with relaying blocked."""

    @abstractmethod
    def last_seq(self, *, origin: str | None = None) -> int:
        """Return the highest sequence number handed out so far (0 when empty); with
        ``origin``, the highest one a record of that origin holds (the head of its feed)."""

    @abstractmethod
    def list_records(
        self, where: RecordFilter, *, after: str | None, limit: int
    ) -> list[StoredRecord]:
        """Return up to ``limit`` records matching ``where`` with id > ``after``, by id."""

    @abstractmethod
    def count(self, where: RecordFilter) -> int:
        """Return how many records match ``where``."""

    @abstractmethod
    def iter_records(self, *, kind: str | None = None, batch: int = 1000) -> Iterator[StoredRecord]:
        """Yield every record (optionally of one kind) in seq order, reading in batches."""

    @abstractmethod
    def write(self) -> AbstractContextManager[Writer]:
        """Open one write transaction (one writer at a time; readers are never blocked)."""

    def put(self, record: dict[str, Any], body: bytes, **options: Any) -> StoredRecord:
        """Write one record in its own transaction (see :meth:`Writer.put`)."""
        with self.write() as writer:
            return writer.put(record, body, **options)

    @abstractmethod
    def reindex(self) -> int:
        """Rebuild every derived index (text, facets, keys) from the records; return the count."""

    # -- scouting -------------------------------------------------------------------------------
    @property
    @abstractmethod
    def candidates(self) -> CandidateIndex:
        """The indexed reads scouting builds its candidate pools from (:class:`CandidateIndex`)."""

    # -- keys learned from descriptors --------------------------------------------------------
    @abstractmethod
    def descriptor(self, node_iri: str) -> StoredRecord | None:
        """Return the stored descriptor of a node, or None."""

    # -- operator tokens ----------------------------------------------------------------------
    @abstractmethod
    def add_token(self, name: str, token_hash: str, scopes: Sequence[str], *,
                  actor: str | None = None) -> Token:
        """Store a new token's hash and scopes; names are unique. With ``actor``, the audit
        log's ``token.create`` row is written in the same transaction."""

    @abstractmethod
    def token_by_hash(self, token_hash: str) -> Token | None:
        """Return the live (not revoked) token with this hash and mark it used, or None."""

    @abstractmethod
    def tokens(self) -> list[Token]:
        """Return every token, revoked ones included, by id."""

    @abstractmethod
    def revoke_token(self, name: str, *, actor: str | None = None) -> bool:
        """Revoke a token by name; return False if no live token has that name. With
        ``actor``, the audit log's ``token.revoke`` row is written in the same transaction."""

    # -- accounts, sign-in failures, the audit log, node secrets (docs/web.md) -----------------
    @abstractmethod
    def add_user(self, user: User) -> User:
        """Store a new account (``user.id`` is ignored); names and e-mails are unique."""

    @abstractmethod
    def user(self, *, user_id: int | None = None, name: str | None = None,
             oidc_subject: str | None = None) -> User | None:
        """Return the account with this id, sign-in name (or e-mail) or OIDC subject, or None."""

    @abstractmethod
    def users(self) -> list[User]:
        """Return every account, disabled ones included, by name."""

    @abstractmethod
    def update_user(self, user_id: int, *, end_sessions: bool = False,
                    **changes: Any) -> User:
        """Change an account's columns (role, disabled, password_hash, last_sign_in, …);
        with ``end_sessions`` its session epoch goes up, ending every session of it."""

    @abstractmethod
    def note_sign_in_failure(self, keys: Sequence[str], *, at: str, forget_before: str) -> None:
        """Count a failed sign-in against each key; drop failures older than ``forget_before``."""

    @abstractmethod
    def sign_in_failures(self, key: str, *, since: str) -> list[str]:
        """The times of the failed sign-ins counted against ``key`` since ``since``, oldest
        first."""

    @abstractmethod
    def clear_sign_in_failures(self, key: str) -> None:
        """Forget the failures counted against ``key`` (after a successful sign-in)."""

    def audit(self, *, actor: str, action: str, record_id: str | None = None,
              version: int | None = None, detail: str = "") -> None:
        """Add a row to the audit log in its own transaction (see :meth:`Writer.audit`)."""
        with self.write() as writer:
            writer.audit(actor=actor, action=action, record_id=record_id, version=version,
                         detail=detail)

    @abstractmethod
    def audit_log(self, *, limit: int = 100, before: int | None = None,
                  record_id: str | None = None, actor: str | None = None) -> list[AuditEntry]:
        """The newest audit rows first (ids below ``before``), optionally of one record or
        actor."""

    @abstractmethod
    def node_secret(self, name: str, make: Callable[[], str]) -> str:
        """The node's secret ``name``, made with ``make()`` and stored the first time it is
        asked for (every process of the node then reads the same value)."""

    # -- peers and quarantine -----------------------------------------------------------------
    @abstractmethod
    def peers(self) -> list[PeerState]:
        """Return every peer's sync state."""

    @abstractmethod
    def quarantined(self, *, limit: int = 100, after: int = 0) -> list[QuarantineEntry]:
        """Return quarantined items by id."""

    # -- drafts, review queue and moderation (docs/web.md) -------------------------------------
    @abstractmethod
    def draft(self, draft_id: int) -> Draft | None:
        """Return a draft by its number, or None."""

    @abstractmethod
    def draft_of(self, record_id: str) -> Draft | None:
        """Return the draft editing a published record, or None."""

    @abstractmethod
    def drafts(self, *, limit: int = 100) -> list[Draft]:
        """Return the drafts, most recently saved first."""

    @abstractmethod
    def held(self, identifier: str) -> HeldRecord | None:
        """Return a record of the review queue, or None."""

    @abstractmethod
    def held_records(self, status: str | None = "held", *, limit: int = 1000
                     ) -> list[HeldRecord]:
        """Return the review queue (by status; None: every status), oldest first."""

    @abstractmethod
    def hidden(self) -> list[Hidden]:
        """Return every hidden record and origin, newest first."""

    @abstractmethod
    def hidden_entry(self, record_id: str, origin: str) -> Hidden | None:
        """Return the entry that hides a record (its own, else its origin's), or None."""

    @abstractmethod
    def moderation_version(self) -> int:
        """A number that changes on every hide and unhide (the RDF view rebuilds on it)."""

    @abstractmethod
    def quarantine_entry(self, entry_id: int) -> QuarantineEntry | None:
        """Return one quarantined item, or None."""

    # -- the RDF view's skipped records ---------------------------------------------------------
    @abstractmethod
    def save_view_skips(self, skipped: Mapping[str, tuple[int, str]]) -> None:
        """Replace the list of records the RDF view left out: id -> (sequence, why)."""

    @abstractmethod
    def view_skips(self, *, limit: int = 100) -> tuple[int, list[tuple[str, int, str]]]:
        """How many records the RDF view left out, and the first ``limit`` (id, seq, why)."""

    @abstractmethod
    def quarantine_size(self) -> dict[str, tuple[int, int]]:
        """(rows, items received) of the quarantine, by peer."""

    @abstractmethod
    def due_retries(self, peer: str, *, now: str, limit: int) -> list[RetryEntry]:
        """Ids from ``peer`` whose retry is due at ``now``, soonest first."""

    @abstractmethod
    def pending_retries(self) -> dict[str, int]:
        """How many ids wait for a retry, by peer."""

    # -- anti-entropy and descriptor history (protocol.md §6.1, §6.2) ---------------------------
    @abstractmethod
    def origin_digests(self, origin: str | None = None) -> dict[str, OriginDigest]:
        """Count and digest of every origin's records (or one origin's), by origin."""

    @abstractmethod
    def bucket_digests(self, origin: str) -> dict[str, OriginDigest]:
        """Count and digest of one origin's records by bucket (the id's last character)."""

    @abstractmethod
    def digest_index(self, origin: str, bucket: str | None, *, after: str | None,
                     limit: int) -> list[tuple[str, int, str]]:
        """(id, version, proofValue) of an origin's records (in one bucket) after ``after``."""

    @abstractmethod
    def descriptor_history(self, origin: str, *, after: int, limit: int) -> list[bytes]:
        """An origin's descriptor versions held with version > ``after``, oldest first."""

    # -- push, shared by every process on the database (sync/push.py) --------------------------
    @abstractmethod
    def push_subscribers(self) -> list[PushSubscriber]:
        """Every subscription to this node's feed (expired ones too, until dropped)."""

    @abstractmethod
    def save_push_subscriber(self, subscriber: PushSubscriber) -> None:
        """Add or replace the subscription of ``(callback, scope)``."""

    @abstractmethod
    def drop_push_subscriber(self, callback: str, scope: str) -> None:
        """End a subscription (no-op if there is none)."""

    @abstractmethod
    def post_push_message(self, message: str) -> None:
        """Queue a message (JSON) for the leading sync daemon: a process that does not lead
        hands on what its HTTP workers received."""

    @abstractmethod
    def take_push_messages(self, *, limit: int) -> list[str]:
        """Remove and return up to ``limit`` queued messages, oldest first."""

    def try_lead(self, role: str) -> bool:
        """Whether this process holds (or now takes) the one ``role`` (e.g. ``"sync"``) among
        every process sharing this database; held until the process or its store ends. A
        database only one host opens (SQLite) has one leader by construction: always True."""
        return True

    @abstractmethod
    def schema_version(self) -> int:
        """The schema version of the database (the number of migrations applied)."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection this store opened."""
