"""One round with one peer: trust its descriptor, then pull its feed page by page.

architecture §6: each page — accepted records, tombstones and descriptors, quarantined items,
and the peer's new cursor — is one transaction, so a crash at any moment loses nothing and
duplicates nothing (the next round re-reads at most the page in flight, and re-read states are
duplicates).

Origins introduced by a relay (``scope=all``) are learned from their descriptors, which travel
through the feed. A node's descriptor precedes its records in its own feed (sequence 1), but a
relay lists each record at the position of its latest write, so after a rotation an origin's
records come *before* its new descriptor. An item whose origin is unknown is therefore deferred,
not quarantined at once: the stored cursor is held at the first page that had such items, and
when the origin's descriptor is accepted later in the round, the round goes back to that page
and reads on (each origin at most once per round; re-read states are duplicates). If the feed
ends with origins still unknown, the round goes back once more and quarantines their items as
``unknown_origin``. A crash meanwhile re-reads from the held cursor, so nothing is lost; items
quarantined for other reasons are quarantined once per round however often they are re-read.

Convergence (docs/sync.md, "Convergence"): a rejection that damage on the way could explain
(:data:`sync.retry.TRANSIENT`) is asked for again by id at once, and if it still fails it is
noted for a retry with backoff in later rounds (:mod:`sync.retry`), from the peer and from the
other configured peers; a descriptor that skips versions makes the round walk the origin's
descriptor history (:mod:`sync.history`); every ``sync.anti_entropy_every`` rounds the digests
are compared and the differences pulled (:mod:`sync.repair`). Each round is bounded: time (the
client's deadlines and the peer's budget), pages and bytes (an endless feed is cut,
``feed_cut``), and the quarantine (capped per peer and in all).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ncc_node import (
    Conflict,
    PeerState,
    RetryEntry,
    RosterFile,
    RosterRejected,
    Store,
    StoredRecord,
    Writer,
    descriptor_keys,
    format_timestamp,
)

from .checkpool import CheckPool, PendingScreen
from .client import PeerClient
from .config import PeerConfig, SyncOptions
from .decided import Decided
from .errors import (
    BadResponse,
    FeedCut,
    PeerHttpError,
    PeerRejected,
    ResponseTooLarge,
    SyncError,
)
from .feedpage import FeedPage
from .history import walk_history
from .knowledge import KnownKeys, PageKnowledge
from .repair import anti_entropy
from .results import PeerResult
from .retry import TRANSIENT, refetch, retry_due
from .rules import Limits, Screened, TrustPolicy, check_item, with_roster
from .verdicts import ACCEPTED, DUPLICATE, Held, Verdict

__all__ = ["PeerRun", "Progress"]

logger = logging.getLogger(__name__)
Progress = Callable[[str, int], None]
CAS_ATTEMPTS = 3
READ_AHEAD = 2  # pages fetched and screened beyond the one being applied


@dataclass(frozen=True)
class _Screening:
    """A page's records and tombstones being screened in the check pool."""

    generation: int  # PeerRun.generation when started: the key lookups it used
    chosen: list[int]  # the indexes of the page's items it screens
    pending: PendingScreen


@dataclass(frozen=True)
class _PrefetchedPage:
    """The next page, fetched (and its screening started) before this one is committed."""

    after: str | None  # the cursor it was asked for with
    page: FeedPage
    screening: _Screening | None


class _Unheld:
    """A store view in which one record id is not held (a descriptor judged afresh)."""

    def __init__(self, knowledge: PageKnowledge, record_id: str) -> None:
        self.knowledge = knowledge
        self.record_id = record_id

    def held(self, record_id: str) -> Held | None:
        """Nothing for the id judged afresh, else what the store holds."""
        return None if record_id == self.record_id else self.knowledge.held(record_id)

    def key_lookup(self, origin: str) -> Any:
        """The store's key lookup."""
        return self.knowledge.key_lookup(origin)

    def country_holder(self, country: str) -> str | None:
        """The holder of ``country`` other than the origin judged afresh."""
        holder = self.knowledge.country_holder(country)
        return None if holder == self.record_id else holder


_Decided = Decided


class PeerRun:
    """The state of one round with one peer (not reused)."""

    def __init__(self, store: Store, peer: PeerConfig, *, client: Callable[[str], PeerClient],
                 policy: TrustPolicy, options: SyncOptions, clock: Callable[[], datetime],
                 progress: Progress | None = None, stop: threading.Event | None = None,
                 checks: CheckPool | None = None, others: Sequence[PeerConfig] = (),
                 roster: RosterFile | None = None,
                 on_merged: Callable[[], None] | None = None) -> None:
        self.store = store
        self.on_merged = on_merged  # told after each commit that accepted records
        self.roster = roster  # the federation roster held; the peer may serve a newer one
        self.others = list(others)  # the other configured peers: sources for retries
        self.checks = checks
        self.peer = peer
        self.client = client
        self.policy = policy
        self.options = options
        self.limits = Limits(options.max_record_bytes, options.max_json_depth,
                             options.max_future_skew)
        self.clock = clock
        self.progress = progress
        self.stop = stop
        known = {state.base_url: state for state in store.peers()}
        self.state = known.get(peer.base_url) or PeerState(base_url=peer.base_url)
        if self.state.scope != peer.scope:  # a cursor of the other scope skips items: start over
            self.state = replace(self.state, scope=peer.scope, cursor=None)
        self.state = replace(self.state, node_iri=peer.node_iri)
        self.result = PeerResult(peer.base_url, cursor=self.state.cursor)
        self.lookups: dict[str, KnownKeys | None] = {}
        self.fetched: dict[str, list[_Decided]] = {}  # descriptors fetched this round, by origin
        self.fetch_committed: set[str] = set()  # ... and already committed with a page
        self.pending: dict[str, tuple[int, str | None]] = {}  # unknown origin -> (page, after)
        self.final = False  # going over the feed again to quarantine unknown origins' items
        self.seen_rejects: set[bytes] = set()
        self.page_size = options.page_size
        self.done = 0
        self.generation = 0  # bumped whenever committed descriptors change the key lookups
        self.until = time.monotonic() + options.peer_budget_s  # the round's time budget
        self.retrying: dict[str, int] = {}  # ids being retried this round -> attempts so far
        self.walked: set[str] = set()  # origins whose descriptor history was walked
        self.final_ids: set[str] = set()  # rejected as the origin itself serves them: final
        self.good_pages = 0  # pages in a row that fitted the response cap
        self.health: dict[str, Any] = dict(self.state.health)

    def client_for(self, base_url: str) -> PeerClient:
        """The client of ``base_url``, bounded by this round's budget."""
        client = self.client(base_url)
        client.until = self.until
        return client

    def run(self) -> PeerResult:
        """Run the round; a failure ends it with ``result.error`` (and the peer's last error)."""
        rounds = int(self.health.get("rounds", 0)) + 1
        self.health["rounds"] = rounds
        failed: SyncError | None = None
        try:
            self._refresh_roster()
            self._trust_peer()
            retry_due(self)
            self._pull()
            every = self.options.anti_entropy_every
            if every and rounds % every == 0:
                try:
                    anti_entropy(self)
                except PeerHttpError as exc:
                    if exc.status not in (400, 404, 405, 501):
                        raise
                    # a peer that does not serve protocol.md §6.1: nothing to compare with
                    self.health["antientropy"] = {"at": format_timestamp(self.clock()),
                                                  "agrees": None, "unsupported": exc.message}
        except SyncError as exc:
            failed = exc
            self.result.error = f"{exc.code}: {exc.message}"
            self.state = replace(self.state, last_error=self.result.error,
                                 last_error_at=format_timestamp(self.clock()))
        self._save_health(failed)
        self.result.cursor = self.state.cursor
        return self.result

    def _save_health(self, failed: SyncError | None) -> None:
        """Keep what the status shows: error kinds since the last success, how far behind."""
        errors: dict[str, int] = {} if self.result.up_to_date and failed is None else dict(
            self.health.get("errors", {}))
        if failed is not None:
            errors[failed.code] = errors.get(failed.code, 0) + 1
            self.health.setdefault("error_since", format_timestamp(self.clock()))
        if not errors:
            self.health.pop("error_since", None)
        self.health["errors"] = dict(sorted(errors.items()))
        if self.result.behind is not None:  # counted by the anti-entropy check
            self.health["behind"] = self.result.behind
        else:  # the feed's end was reached (nothing behind) or not (not known)
            self.health["behind"] = 0 if self.result.up_to_date else None
        self.state = replace(self.state, health=dict(self.health))
        with self.store.write() as writer:
            writer.save_peer(self.state)

    # -- the federation roster -------------------------------------------------------------------
    def _refresh_roster(self) -> None:
        """Take a newer federation roster if the peer serves one: the peer is only a mirror,
        the pinned roster keys' signatures are what counts (TUF). A roster that is refused
        (forged, expired, rolled back) is quarantined; the round goes on under the held one."""
        if self.roster is None or not self.roster.configured:
            return
        base = self.peer.base_url
        try:
            raw = self.client_for(base).get_roster()
        except PeerHttpError as exc:
            if exc.status not in (404, 405, 501):  # else: the peer holds no roster
                self.health["roster"] = f"{exc.code}: {exc.message}"
            return
        except SyncError as exc:  # the round's own requests will say more
            self.health["roster"] = f"{exc.code}: {exc.message}"
            return
        try:
            roster, changed = self.roster.install(raw, self.clock())
        except RosterRejected as exc:
            with self.store.write() as writer:
                writer.quarantine(peer=base, record_id=None, reason=exc.reason,
                                  detail=f"roster from {base}: {exc.message}"[:1000],
                                  body=raw[: self.options.max_record_bytes])
            self.result.rejected[exc.reason] = self.result.rejected.get(exc.reason, 0) + 1
            self.health["roster"] = f"{exc.reason}: {exc.message}"
            logger.warning("roster from %s refused: %s: %s", base, exc.reason, exc.message)
            return
        self.health.pop("roster", None)
        if changed:
            logger.info("roster version %d taken from %s", roster.version, base)
        self.policy = with_roster(self.policy, roster, self.clock())

    # -- the peer's own descriptor ----------------------------------------------------------------
    def _trust_peer(self) -> None:
        held = self.store.descriptor(self.peer.node_iri)
        if held is None:
            decided = self._fetch_descriptor(self.peer.node_iri, PageKnowledge(self.store, {}))
            self._commit(decided, self.state.cursor)
            self.fetch_committed.add(self.peer.node_iri)
            for item in decided:
                if item.verdict.rejected:
                    raise PeerRejected(self.peer.base_url, item.verdict.reason,
                                       item.verdict.detail)
        elif held.received_from != self.peer.base_url:
            self._settle_with_peer(held)
        elif self.peer.keys:  # pins added after first contact: the key history must show one
            keys = descriptor_keys(json.loads(held.body))
            listed = {key.public_key_multibase for key in keys.values()}
            if not listed & set(self.peer.keys):
                raise PeerRejected(self.peer.base_url, "pin_mismatch",
                                   f"{self.peer.node_iri} lists none of the pinned keys")

    def _settle_with_peer(self, held: StoredRecord) -> None:
        """The peer's descriptor was first learnt from a relay: take the peer's own word.

        A valid next version (or the same bytes) changes nothing. A descriptor that does not
        follow from the held one by key continuity means the relay's copy was not the genuine
        node's (or the node lost its keys): the direct peer, which the operator configured,
        wins. Its descriptor replaces the held one, the held one goes to quarantine as
        ``origin_key_conflict`` and the conflict is the peer's last error, so the operator sees
        it; records held under keys the new descriptor does not list give way to the peer's.
        """
        base = self.peer.base_url
        value, raw = self.client(base).get_descriptor()
        if raw == held.body:
            return
        knowledge = PageKnowledge(self.store, {})
        verdict = self._check(raw, value, knowledge, base)
        if verdict.accepted or verdict.reason == DUPLICATE:
            self._commit([_Decided(verdict, raw, base)], self.state.cursor)
            return
        if verdict.reason not in ("rotation_rejected", "equivocation", "stale"):
            raise PeerRejected(base, verdict.reason, verdict.detail)
        fresh = check_item(raw, value, knowledge=_Unheld(knowledge, held.id),
                           policy=self.policy, limits=self.limits, now=self.clock(), via=base)
        if not fresh.accepted or fresh.record is None:
            raise PeerRejected(base, fresh.reason, fresh.detail)
        message = (f"origin_key_conflict: {held.id} was held as relayed by "
                   f"{held.received_from}, but the node itself serves a descriptor that "
                   f"does not follow from it ({verdict.reason}: {verdict.detail}); the node's "
                   "own descriptor replaces it")
        logger.warning("%s", message)
        with self.store.write() as writer:
            writer.put(fresh.record, raw, received_from=base, expect_version=held.version)
            writer.quarantine(peer=str(held.received_from), record_id=held.id,
                              reason="origin_key_conflict", detail=message[:1000],
                              body=held.body[: self.options.max_record_bytes])
            self.state = replace(self.state, last_error=message,
                                 last_error_at=format_timestamp(self.clock()))
            writer.save_peer(self.state)
        self.lookups.pop(held.id, None)
        self.result.rejected["origin_key_conflict"] = (
            self.result.rejected.get("origin_key_conflict", 0) + 1)

    def _fetch_descriptor(self, origin: str, knowledge: PageKnowledge) -> list[_Decided]:
        """``GET <origin>/node`` once per round and check it like a feed item."""
        if origin not in self.fetched:
            base = origin.removesuffix("/node")
            value, raw = self.client_for(base).get_descriptor()
            if value.get("id") != origin:
                raise PeerRejected(base, "bad_descriptor",
                                   f"the descriptor at {base}/node has id {value.get('id')!r}")
            verdict = self._check(raw, value, knowledge, base)
            walked: list[Decided] = []
            if verdict.reason == "rotation_rejected":  # versions missed: follow the chain
                walked = walk_history(self, origin, knowledge)
                verdict = self._check(raw, value, knowledge, base)
            self.fetched[origin] = [*walked, _Decided(verdict, raw, base)]
        decided = self.fetched[origin]
        for item in decided:
            if item.verdict.accepted and item.verdict.record is not None:
                knowledge.accept(item.verdict.record, item.raw)
        return decided

    # -- the feed ----------------------------------------------------------------------------
    def _pull(self) -> None:
        after = self.state.cursor
        index = 0
        ahead: deque[_PrefetchedPage] = deque()  # the next pages, fetched and being screened
        while not (self.stop is not None and self.stop.is_set()):
            if ahead and ahead[0].after == after:
                first = ahead.popleft()
                page, screening = first.page, first.screening
            else:  # the first page, or a rewind made the pages read ahead other ones
                ahead.clear()
                page = self._fetch(after)
                screening = self._start_screen(page)
            if page.more and (not page.items or page.cursor == after):
                raise BadResponse(self.peer.base_url, "the feed says more but does not advance")
            self._within_limits()
            if screening is not None:
                # keep the pool busy: the next pages are read and screened while this one is
                # screened and then decided and committed here
                self._read_ahead(ahead, page)
            after, finished = self._apply(page, after, index, screening)
            index += 1
            self.result.pages += 1
            self.done += len(page.items)
            if self.progress is not None:
                self.progress(self.peer.base_url, self.done)
            if finished:
                self.result.up_to_date = True
                return

    def _within_limits(self) -> None:
        """Cut an endless feed: at most ``max_pages_per_round`` pages and
        ``max_bytes_per_round`` bytes per round (what was committed stays)."""
        read = self.client(self.peer.base_url).body_bytes
        if self.result.pages >= self.options.max_pages_per_round:
            raise FeedCut(self.peer.base_url, f"the feed went on past "
                                              f"{self.options.max_pages_per_round} pages this "
                                              "round; the next round reads on")
        if read > self.options.max_bytes_per_round:
            raise FeedCut(self.peer.base_url, f"{read} bytes read this round, past "
                                              f"{self.options.max_bytes_per_round}; the next "
                                              "round reads on")

    def _read_ahead(self, ahead: deque[_PrefetchedPage], page: FeedPage) -> None:
        """Fill ``ahead`` with up to READ_AHEAD pages after ``page``."""
        last = ahead[-1].page if ahead else page
        while len(ahead) < READ_AHEAD and last.more and last.items:
            following = self._look_ahead(last.cursor)
            if following is None:
                return
            ahead.append(following)
            if following.page.cursor == last.cursor:
                return  # does not advance: the round fails there when it gets to it
            last = following.page

    def _look_ahead(self, after: str) -> _PrefetchedPage | None:
        """Fetch the page after ``after`` and start screening it; None if that fails (it is
        asked for again in turn, and its error, if it persists, ends the round there)."""
        try:
            page = self._fetch(after)
        except SyncError:
            return None
        return _PrefetchedPage(after, page, self._start_screen(page))

    def _fetch(self, after: str | None) -> FeedPage:
        """One page; a page too large for the response cap is asked for again, halved."""
        while True:
            try:
                page = self.client_for(self.peer.base_url).get_feed(after, self.page_size,
                                                                    self.peer.scope)
            except ResponseTooLarge:
                if self.page_size <= 1:
                    raise
                self.page_size //= 2
                self.good_pages = 0
                continue
            # an oversized answer may have been one bad moment: grow back after good pages
            self.good_pages += 1
            if self.page_size < self.options.page_size and self.good_pages >= 4:
                self.page_size, self.good_pages = min(self.options.page_size,
                                                      self.page_size * 2), 0
            return page

    def _check(self, raw: bytes, value: object, knowledge: PageKnowledge,
               via: str | None = None, screened: Screened | None = None,
               now: datetime | None = None) -> Verdict:
        return check_item(raw, value, knowledge=knowledge, policy=self.policy,
                          limits=self.limits, now=now or self.clock(),
                          via=via or self.peer.base_url, screened=screened)

    def _start_screen(self, page: FeedPage) -> _Screening | None:
        """Start screening a large page's records and tombstones in the check pool, under the
        key lookups known now; descriptors (and non-objects) are left to :meth:`_check`."""
        chosen = [i for i, item in enumerate(page.items)
                  if isinstance(item.value, dict) and item.value.get("type") != "Node"]
        if self.checks is None or len(chosen) < self.options.check_min_items:
            return None
        if not self.checks.ready():  # starting: this page is checked here, without waiting
            return None
        knowledge = PageKnowledge(self.store, self.lookups)
        descriptors = {}
        for origin in {page.items[i].value.get("origin") for i in chosen}:
            known = knowledge.known_keys(origin) if isinstance(origin, str) else None
            if known is not None:
                descriptors[origin] = known[0]
        pending = self.checks.screen([page.items[i].raw for i in chosen], descriptors,
                                     policy=self.policy, limits=self.limits, now=self.clock())
        return _Screening(self.generation, chosen, pending)

    def _screened(self, page: FeedPage, screening: _Screening | None) -> list[Screened | None]:
        """The outcome of ``screening`` by item, if the key lookups are still those it used."""
        if screening is not None and screening.generation != self.generation:
            screening = self._start_screen(page)  # a descriptor came in meanwhile: again
        screened: list[Screened | None] = [None] * len(page.items)
        if screening is not None:
            outcomes = screening.pending.get()
            for i, outcome in zip(screening.chosen, outcomes, strict=True):
                screened[i] = outcome
        return screened

    def check(self, raw: bytes, value: object, knowledge: PageKnowledge,
              via: str | None = None, now: datetime | None = None) -> Verdict:
        """Check one item under the round's policy and limits."""
        return self._check(raw, value, knowledge, via, now=now)

    def apply_items(self, page: FeedPage, *, source: str) -> list[Decided]:
        """Check and commit items asked for by id (a retry or a repair); the cursor stays."""
        for attempt in range(CAS_ATTEMPTS):
            knowledge = PageKnowledge(self.store, self.lookups)
            decided, fetched = self._decide(page, knowledge, None, source=source)
            try:
                self._commit(decided, self.state.cursor)
            except Conflict:
                if attempt == CAS_ATTEMPTS - 1:
                    raise
                continue
            knowledge.committed()
            if knowledge.page_lookups:
                self.generation += 1
            self.fetch_committed |= fetched
            return decided
        raise AssertionError("unreachable")

    def note_unserved(self, entries: Sequence[RetryEntry]) -> None:
        """Ids no source sent this round: try again later (or give up past the limit)."""
        with self.store.write() as writer:
            for entry in entries:
                self._schedule_retry(writer, Verdict(entry.reason, "", entry.record_id,
                                                     entry.origin))

    def _decide(self, page: FeedPage, knowledge: PageKnowledge,
                screening: _Screening | None,
                source: str | None = None) -> tuple[list[_Decided], set[str]]:
        """Check a page's items; return the verdicts and the origins whose descriptor was
        fetched for it (their descriptor is committed with the page)."""
        decided: list[_Decided] = []
        fetched: set[str] = set()
        source = source or self.peer.base_url
        screened = self._screened(page, screening)
        now = self.clock()  # one clock reading per page: it is the same second for all items
        knowledge.prefetch([value["id"] for value in (item.value for item in page.items)
                            if isinstance(value, dict) and isinstance(value.get("id"), str)])
        for index, item in enumerate(page.items):
            # screened under the page's first key lookups: void once a descriptor changed them
            early = None if knowledge.page_lookups else screened[index]
            verdict = self._check(item.raw, item.value, knowledge, source, screened=early,
                                  now=now)
            origin = verdict.origin
            if origin is not None and (
                    verdict.reason == "unconfirmed_origin"
                    or (verdict.reason in ("unknown_key", "unknown_origin")
                        and self.policy.is_direct(origin) and origin != self.policy.own_node)):
                # a direct peer's keys may have moved on, or a relay introduced an origin: ask
                # the origin itself (its own base URL, never the relay), once per round
                try:
                    descriptor = self._fetch_descriptor(origin, knowledge)
                except SyncError:
                    self.fetched[origin] = descriptor = []  # asked; the item stays as it is
                if origin not in self.fetch_committed and origin not in fetched:
                    decided.extend(descriptor)
                    fetched.add(origin)
                verdict = self._check(item.raw, item.value, knowledge, source, now=now)
            if (verdict.reason == "rotation_rejected" and origin is not None
                    and origin not in self.walked):  # versions missed: follow the chain
                decided.extend(walk_history(self, origin, knowledge))
                verdict = self._check(item.raw, item.value, knowledge, source, now=now)
            if verdict.accepted and verdict.record is not None:
                knowledge.accept(verdict.record, item.raw)
            decided.append(_Decided(verdict, item.raw, source))
        if any(d.verdict.reason in TRANSIENT for d in decided):
            decided = refetch(self, decided, knowledge, now)
        return decided, fetched

    def _apply(self, page: FeedPage, after: str | None, index: int,
               screening: _Screening | None) -> tuple[str | None, bool]:
        """Check and commit one page; return where to read on and whether the round is done."""
        for attempt in range(CAS_ATTEMPTS):
            knowledge = PageKnowledge(self.store, self.lookups)
            decided, fetched = self._decide(page, knowledge, screening)
            pending = dict(self.pending)
            if not self.final:
                for d in decided:
                    if d.verdict.reason == "unknown_origin":
                        pending.setdefault(str(d.verdict.origin), (index, after))
            tracking = bool(pending)  # pages that may be read again in this round
            learned = {d.verdict.origin for d in decided
                       if d.verdict.accepted and d.verdict.kind == "Node"}
            resolved = [origin for origin in pending if origin in learned]
            final = self.final
            if resolved:  # go back to the first page that had items of these origins
                target = min((pending.pop(origin) for origin in resolved), key=lambda p: p[0])
                store_cursor, read_on, finished = target[1], target[1], False
            elif pending and page.more:  # hold the stored cursor until they are resolved
                low = min(pending.values(), key=lambda p: p[0])
                store_cursor, read_on, finished = low[1], page.cursor, False
            elif pending:  # the end, origins still unknown: go back once more to quarantine
                low = min(pending.values(), key=lambda p: p[0])
                store_cursor, read_on, finished, final = low[1], low[1], False, True
                pending.clear()
            else:
                store_cursor, read_on, finished = page.cursor, page.cursor, not page.more
            try:
                self._commit(decided, store_cursor, finished=finished, track=tracking)
            except Conflict:
                if attempt == CAS_ATTEMPTS - 1:
                    raise
                continue  # someone else wrote one of these records meanwhile: check again
            knowledge.committed()
            if knowledge.page_lookups:
                self.generation += 1  # key lookups changed: screenings under way are void
            self.fetch_committed |= fetched
            self.pending, self.final = pending, final
            return read_on, finished
        raise AssertionError("unreachable")

    def _commit(self, decided: list[_Decided], cursor: str | None, *, finished: bool = False,
                track: bool = False) -> None:
        counts = Counter(self.state.counts)
        rejected: Counter[str] = Counter()
        accepted = duplicates = 0
        now = format_timestamp(self.clock())
        seen = set()
        with self.store.write() as writer:
            for item in decided:
                verdict = item.verdict
                if verdict.accepted and verdict.record is not None:
                    writer.put(verdict.record, item.raw, received_from=item.source,
                               expect_version=verdict.expect_version, derived=verdict.derived)
                    accepted += 1
                    if self.retrying and verdict.record_id in self.retrying:
                        self._retried(writer, verdict.record_id)
                elif not verdict.rejected:
                    duplicates += 1
                    if self.retrying and verdict.record_id in self.retrying:
                        self._retried(writer, verdict.record_id)
                elif verdict.reason == "unknown_origin" and not self.final:
                    continue  # deferred: its origin's descriptor may come later in the round
                else:
                    digest = hashlib.blake2b(item.raw, digest_size=16).digest()
                    if digest in self.seen_rejects or digest in seen:
                        continue  # quarantined earlier in this round; read again after a rewind
                    seen.add(digest)
                    writer.quarantine(peer=item.source, record_id=verdict.record_id,
                                      reason=verdict.reason, detail=verdict.detail,
                                      body=item.raw[: self.options.max_record_bytes])
                    rejected[verdict.reason] += 1
                    if verdict.reason in TRANSIENT and verdict.record_id is not None:
                        self._schedule_retry(writer, verdict)
            if rejected:
                dropped = writer.trim_quarantine(
                    self.peer.base_url, per_peer=self.options.quarantine_max_per_peer,
                    total=self.options.quarantine_max)
                if dropped:
                    self.health["quarantine_dropped"] = (
                        int(self.health.get("quarantine_dropped", 0)) + dropped)
            counts[ACCEPTED] += accepted
            counts.update(rejected)
            state = replace(self.state, cursor=cursor, counts=dict(sorted(counts.items())),
                            health=dict(self.health))
            if finished:
                state = replace(state, last_success=now)
            writer.save_peer(state)
        self.state = state
        if track:
            self.seen_rejects |= seen
        self.result.accepted += accepted
        self.result.duplicates += duplicates
        if accepted and self.on_merged is not None:
            self.on_merged()
        for reason, count in rejected.items():
            self.result.rejected[reason] = self.result.rejected.get(reason, 0) + count

    # -- retries (sync.retry) ----------------------------------------------------------------------
    def _retried(self, writer: Writer, record_id: str | None) -> None:
        """An id that was pending a retry is held now: forget the retry."""
        if record_id is not None:
            writer.clear_retry(self.peer.base_url, record_id)
            self.retrying.pop(record_id, None)
            self.result.retried += 1

    def _schedule_retry(self, writer: Writer, verdict: Verdict) -> None:
        """Ask for a possibly damaged item again later, with backoff, up to the limit."""
        record_id = str(verdict.record_id)
        if verdict.origin == self.policy.own_node or record_id in self.final_ids:
            return
        attempts = self.retrying.get(record_id, 0)
        if attempts >= self.options.retry_limit:
            writer.clear_retry(self.peer.base_url, record_id)  # final: it stays quarantined
            self.retrying.pop(record_id, None)
            self.health["retries_given_up"] = int(self.health.get("retries_given_up", 0)) + 1
            return
        wait = timedelta(seconds=self.options.retry_backoff_s * (2 ** attempts))
        writer.schedule_retry(peer=self.peer.base_url, record_id=record_id,
                              origin=verdict.origin, reason=verdict.reason,
                              next_at=format_timestamp(self.clock() + wait))
        self.retrying[record_id] = attempts + 1
