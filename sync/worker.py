"""The sync worker: pull every configured peer's feed, check each item, merge it (architecture §6).

Layering (CONVENTIONS §6): :mod:`sync.client` does the HTTP, :mod:`sync.rules` decides (pure),
the :class:`~ncc_node.Store` persists. One peer's failure is recorded in its status and never
stops the others; peers are synced at the same time (``sync.peer_concurrency`` threads, each
with its own connection), each within its budget, so a slow or dead peer never delays the rest.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

import requests

from ncc_node import NodeIdentity, Store, format_timestamp, roster_file_for, utc_now

from .checkpool import CheckPool
from .client import PeerClient
from .config import PeerConfig, SyncOptions, origins_from_settings, peers_from_settings
from .deadline import install
from .gcpolicy import fewer_collections
from .peer_run import PeerRun, Progress
from .results import PeerResult
from .rules import TrustPolicy, with_roster

__all__ = ["SyncWorker", "user_agent"]

log = logging.getLogger(__name__)


def user_agent(node_iri: str) -> str:
    """``ncc-exchange/<version> (+<node IRI>)``: who is asking, and where to find out more."""
    try:
        release = version("ncc-exchange")
    except PackageNotFoundError:  # a checkout that was never installed
        release = "0"
    return f"ncc-exchange/{release} (+{node_iri})"


class SyncWorker:
    """Pulls peers' feeds into one node's store."""

    def __init__(
        self,
        store: Store,
        identity: NodeIdentity,
        settings: Mapping[str, Any],
        *,
        session_factory: Callable[[], requests.Session] = requests.Session,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self.store = store
        self.identity = identity
        self.settings = settings
        self.options = SyncOptions.from_settings(settings)
        self.session_factory = session_factory
        self.clock = clock
        self.user_agent = user_agent(identity.node_iri)
        self.roster = roster_file_for(settings)
        processes = self.options.checking_processes
        self.checks = CheckPool(processes) if processes > 1 else None
        self._depth = 0  # nested sync_peer/run_once calls; the outermost ends the check pool
        self._depth_lock = threading.Lock()
        self._pulling: dict[str, threading.Lock] = {}  # one pull of a peer at a time
        #: called (from the pulling thread) after each page that merged records: push relays
        self.on_merged: Callable[[], None] | None = None

    @contextmanager
    def checking(self) -> Iterator[None]:
        """Keep the check pool's processes for the outermost call, and end them after it; the
        garbage collector runs less often meanwhile (:mod:`sync.gcpolicy`)."""
        with self._depth_lock:
            self._depth += 1
            outermost = self._depth == 1
        try:
            if outermost:  # the collector's thresholds are per process: set them once
                with fewer_collections():
                    yield
            else:
                yield
        finally:
            with self._depth_lock:
                self._depth -= 1
                last = self._depth == 0
            if last and self.checks is not None:
                self.checks.close()

    def peers(self) -> list[PeerConfig]:
        """The configured peers."""
        return peers_from_settings(self.settings)

    def policy(self, *extra: PeerConfig) -> TrustPolicy:
        """Whose records this node takes: direct peers (with pins), and introduced ones."""
        direct = {peer.node_iri: peer.keys for peer in [*self.peers(), *extra]}
        policy = TrustPolicy(self.identity.node_iri, direct, self.options.trust_introduced,
                             pinned=origins_from_settings(self.settings),
                             confirm_introduced=self.options.confirm_introduced,
                             one_node_per_country=self.options.one_node_per_country,
                             roster_only=bool(self.settings.get("roster.only")))
        if not self.roster.configured:
            return policy
        now = self.clock()
        return with_roster(policy, self.roster.held(now), now)

    def _pull_lock(self, peer: PeerConfig) -> threading.Lock:
        with self._depth_lock:
            return self._pulling.setdefault(peer.base_url, threading.Lock())

    def sync_peer(self, peer: PeerConfig, *, progress: Progress | None = None,
                  stop: threading.Event | None = None) -> PeerResult:
        """Pull one peer's feed until it has nothing more (or ``stop`` is set); a pull of the
        same peer already under way (a round's, push's) is waited for first."""
        with self._pull_lock(peer):
            return self._sync_peer(peer, progress, stop)

    def sync_peer_unless_busy(self, peer: PeerConfig, *,
                              stop: threading.Event | None = None) -> PeerResult | None:
        """:meth:`sync_peer`, or None at once if a pull of ``peer`` is under way: push asks
        again when it has ended rather than wait for it."""
        lock = self._pull_lock(peer)
        if not lock.acquire(blocking=False):
            return None
        try:
            return self._sync_peer(peer, None, stop)
        finally:
            lock.release()

    def _sync_peer(self, peer: PeerConfig, progress: Progress | None,
                   stop: threading.Event | None) -> PeerResult:
        started = time.monotonic()
        with self.checking(), install(self.session_factory()) as session:
            clients: dict[str, PeerClient] = {}

            def client(base_url: str) -> PeerClient:
                if base_url not in clients:
                    clients[base_url] = PeerClient(base_url, session=session,
                                                   options=self.options,
                                                   user_agent=self.user_agent)
                return clients[base_url]

            others = [p for p in self.peers() if p.base_url != peer.base_url]
            run = PeerRun(self.store, peer, client=client, policy=self.policy(peer),
                          options=self.options, clock=self.clock, progress=progress, stop=stop,
                          checks=self.checks, others=others, roster=self.roster,
                          on_merged=self.on_merged)
            result = run.run()
            result.requests = sum(c.requests for c in clients.values())
            result.wire_bytes = sum(c.wire_bytes for c in clients.values())
            result.body_bytes = sum(c.body_bytes for c in clients.values())
        elapsed = time.monotonic() - started
        result.records_per_s = round(run.done / elapsed, 1) if elapsed > 0 else float(run.done)
        return result

    def run_once(self, *, progress: Progress | None = None,
                 stop: threading.Event | None = None) -> list[PeerResult]:
        """One round over every configured peer; one peer's failure never stops the others."""
        with self.checking():
            return self._round(progress, stop)

    def _round(self, progress: Progress | None,
               stop: threading.Event | None) -> list[PeerResult]:
        peers = self.peers()
        if len(peers) <= 1 or self.options.peer_concurrency <= 1:
            return [result for peer in peers
                    if (result := self._one(peer, progress, stop)) is not None]
        with ThreadPoolExecutor(min(len(peers), self.options.peer_concurrency),
                                thread_name_prefix="sync-peer") as pool:
            futures = [pool.submit(self._one, peer, progress, stop) for peer in peers]
            return [result for future in futures if (result := future.result()) is not None]

    def _one(self, peer: PeerConfig, progress: Progress | None,
             stop: threading.Event | None) -> PeerResult | None:
        """One peer's round, its failure kept with it (None if stopped before it began)."""
        if stop is not None and stop.is_set():
            return None
        try:
            return self.sync_peer(peer, progress=progress, stop=stop)
        except Exception as exc:  # bulkhead: a bug or a store error stays with this peer
            log.exception("sync with %s failed", peer.base_url)
            message = f"internal: {type(exc).__name__}: {exc}"
            self._record_error(peer, message)
            return PeerResult(peer.base_url, error=message)

    def _record_error(self, peer: PeerConfig, message: str) -> None:
        known = {state.base_url: state for state in self.store.peers()}
        state = known.get(peer.base_url)
        if state is None:
            return  # never synced: nothing to attach the error to beyond the result
        state.last_error, state.last_error_at = message, format_timestamp(self.clock())
        try:
            with self.store.write() as writer:
                writer.save_peer(state)
        except Exception:  # the store itself is failing; the round's result carries the error
            log.exception("cannot record the sync error of %s", peer.base_url)
