"""Push in the sync daemon: follow peers' feeds by subscription, notify this node's subscribers.

Between two full rounds the daemon waits in :meth:`PushAgent.pause` instead of sleeping, and
while a round runs (in a thread of its own) it waits in :meth:`PushAgent.alongside`. There it
- subscribes to each configured peer's feed (``POST <peer>/push/subscriptions``, WebSub-shaped)
  and renews the lease at half time; a peer without push (404) is asked again a lease later;
- takes what this node's HTTP workers received (:mod:`ncc_node.push_channel`): a peer's
  notification is a *hint*: the peer is pulled with :meth:`SyncWorker.sync_peer`, the ordinary
  verified path, at most once per ``push.min_gap_s`` (hints meanwhile are coalesced into one pull
  after the gap, never dropped), and not at all when the hint's head is the cursor already held;
- verifies a subscriber's intent (``GET <callback>?hub.challenge=…``) before it gets anything,
  keeps the subscription in the store until its lease ends (so a restarted daemon, or another
  process that takes the lead, notifies the same subscribers), and
- whenever this node's feed moved (its own records, or in ``scope=all`` also what it merged),
  ``POST``s each subscriber the new head; one notification in flight per subscriber, a newer head
  follows when it is done; three failures in a row, or a 404/410, end the subscription.

HTTP to peers runs in a few threads so a slow peer never holds the loop; results are handled in
the daemon's own thread, which alone touches push's state.

Of several ``ncc serve`` processes sharing one database only the daemon that leads
(``Store.try_lead("sync")``, the same lead as the rounds') does any of this. The others' HTTP
workers still take notifications and subscriptions for the node: their daemon only queues what
came in in the store (``post_push_message``), and the leader takes it from there within a second.
So one process subscribes, pulls on hints and notifies; every subscription is seen by whichever
process leads; a notification goes out once.
"""

from __future__ import annotations

import json
import logging
import queue
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests

from ncc_node import (
    PushChannel,
    PushSubscriber,
    callback_for,
    channel_address,
    encode_cursor,
    topic_for,
)

from .config import PeerConfig
from .results import PeerResult
from .worker import SyncWorker

__all__ = ["PushAgent", "PushCounts"]

log = logging.getLogger(__name__)

SLICE_S = 1.0  # longest single wait, so a stop request is seen within a second
THREADS = 4
INBOX = 10_000  # messages held at most (hints, subscriptions, results)
TIMEOUT = (2.0, 5.0)  # connect, read: notifications and subscriptions are small
FAILURES_TO_DROP = 3
RETRY_S = (2.0, 60.0)  # a failed subscription is tried again after 2 s, doubling up to 60 s
LEAD_CHECK_S = (1.0, 5.0)  # how often the lead is asked again: while leading, while not
FORWARDED = 100  # queued messages of other processes taken at most per tick
BUSY_RETRY_S = 0.1  # a hinted peer that a round is pulling is asked for again this soon

_T = TypeVar("_T")


@dataclass
class _Subscriber:
    callback: str
    scope: str
    expires: float
    told: str | None  # the head it was last sent
    failures: int = 0
    inflight: Future[int] | None = None
    sending: str | None = None


@dataclass
class PushCounts:
    """What push did since the last :meth:`PushAgent.take_counts`."""

    notifications: int = 0  # sent to subscribers
    hints: int = 0  # notifications received from peers (via the HTTP workers)
    pulls: int = 0  # pulls they triggered
    requests: int = 0  # HTTP requests made for push (notifications, subscriptions, checks)
    wire_bytes: int = 0  # their size on the wire, both ways, heads included


class PushAgent:
    """The push side of one node's sync daemon."""

    def __init__(self, worker: SyncWorker, *, data_dir: Path, stop: threading.Event,
                 on_pull: Callable[[PeerResult], None] | None = None,
                 lead: Callable[[], bool] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        settings = worker.settings
        self.worker = worker
        self.store = worker.store
        self.stop = stop
        self.on_pull = on_pull
        self.lead = lead if lead is not None else (lambda: True)
        self.leading = False
        self.lead_checked = -1e9
        self.clock = clock
        self.own_base = str(settings["node.base_url"]).rstrip("/")
        self.own_iri = worker.identity.node_iri
        self.lease_s = int(settings["push.lease_s"])
        self.min_gap_s = float(settings["push.min_gap_s"])
        self.address = channel_address(data_dir)
        self.channel: PushChannel | None = None
        self.subscribers: dict[tuple[str, str], _Subscriber] = {}
        self.renewals: dict[str, float] = {}  # peer base URL -> when to (re)subscribe
        self.renewing: dict[str, Future[int]] = {}
        self.refused: dict[str, int] = {}  # peer base URL -> failed subscriptions in a row
        self.leased: set[str] = set()  # peers that granted the last subscription asked for
        self.checks: list[tuple[str, str, int, str, Future[bool]]] = []  # intent being verified
        self.hinted: dict[str, float] = {}  # peer base URL -> when to pull it
        self.last_pull: dict[str, float] = {}
        self.counts = PushCounts()
        self.lock = threading.Lock()  # guards counts (updated by the HTTP threads)
        self.local = threading.local()
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="push")
        # the socket's queue is short (net.unix.max_dgram_qlen, often 10): a thread drains it
        # into this one, also while a round runs; the pool's threads post here when done
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue(INBOX)
        self.reader: threading.Thread | None = None
        self.closing = threading.Event()

    # -- life cycle -----------------------------------------------------------------------------
    def open(self) -> bool:
        """Listen for the HTTP workers' messages; False if another daemon already does."""
        try:
            self.channel = PushChannel(self.address)
        except OSError as exc:
            log.warning("push off: cannot listen on %s: %s", self.address.lstrip("\0"), exc)
            return False
        self.reader = threading.Thread(target=self._read, name="push-inbox", daemon=True)
        self.reader.start()
        # what a pull merges is relayed at once, not at the next tick (at most a second later)
        self.worker.on_merged = lambda: self._post({"kind": "merged"})
        self._check_lead()  # leading: subscribe now, the first round may take a while
        return True

    # -- the lead -------------------------------------------------------------------------------
    def _check_lead(self) -> bool:
        """Whether this daemon leads (asked again every second while it does, every few
        seconds while not); taking the lead starts push, losing it stops it."""
        now = self.clock()
        if now - self.lead_checked < LEAD_CHECK_S[0 if self.leading else 1]:
            return self.leading
        self.lead_checked = now
        leading = bool(self.lead())
        if leading and not self.leading:
            self.leading = True
            self._start_leading()
        elif self.leading and not leading:
            log.warning("push: this process no longer leads; another one notifies now")
            self.leading = False
            self.subscribers.clear()
            self.hinted.clear()
            self.leased.clear()
            self.renewals.clear()
        return self.leading

    def _start_leading(self) -> None:
        """Take the subscribers from the store, subscribe to the peers, and say hello: a peer
        that follows this node but could not subscribe while no daemon led takes the hint,
        pulls once, and subscribes again at once."""
        now, wall = self.clock(), time.time()
        self.subscribers = {
            (held.callback, held.scope): _Subscriber(held.callback, held.scope,
                                                     now + (held.expires - wall), held.told)
            for held in self.store.push_subscribers()}
        self._renew()
        head = encode_cursor(self.store.last_seq())
        for peer in self.worker.peers():
            self._submit(self._tell, callback_for(peer.base_url), "all", head)

    def _keep(self, subscriber: _Subscriber) -> None:
        """Write a subscription to the store (its lease end as Unix time)."""
        expires = round(time.time() + (subscriber.expires - self.clock()))
        self.store.save_push_subscriber(PushSubscriber(subscriber.callback, subscriber.scope,
                                                       expires, subscriber.told))

    def _drop(self, key: tuple[str, str]) -> None:
        self.subscribers.pop(key, None)
        self.store.drop_push_subscriber(*key)

    def close(self) -> None:
        """Stop listening and finish the requests under way (bounded by their timeouts)."""
        self.worker.on_merged = None
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.closing.set()
        if self.reader is not None:
            self.reader.join(timeout=5)
        if self.channel is not None:
            self.channel.close()
            self.channel = None

    def take_counts(self) -> PushCounts:
        """The counts since the last call, reset."""
        with self.lock:
            counts, self.counts = self.counts, PushCounts()
        return counts

    # -- the wait between rounds, and the rounds ------------------------------------------------
    def pause(self, timeout: float) -> None:
        """Wait ``timeout`` seconds (or until stopped), doing push's work meanwhile."""
        deadline = self.clock() + max(0.0, timeout)
        self._work(lambda: self.clock() >= deadline, deadline)
        self.stop.wait(max(0.0, deadline - self.clock()))

    def alongside(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` (a sync round) in a thread and do push's work until it ends.

        A round over many peers takes seconds; meanwhile hints are pulled (a peer the round is
        pulling at that moment is pulled again once the round's pull of it ended) and what the
        round merges is relayed to this node's subscribers as it lands, not after the round.
        """
        outcome: list[Any] = []
        finished = threading.Event()

        def run() -> None:
            try:
                outcome.append(work())
            except BaseException as exc:  # noqa: BLE001 - raised again in the daemon's thread
                outcome.append(exc)
            finally:
                finished.set()
                self._post({"kind": "done"})  # wake the loop at once

        thread = threading.Thread(target=run, name="sync-round", daemon=True)
        thread.start()
        self._work(finished.is_set, None)
        thread.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        result: _T = outcome[0]
        return result

    def _work(self, done: Callable[[], bool], deadline: float | None) -> None:
        """Take messages, pull on hints, renew and notify until ``done()`` (or stopped)."""
        try:
            self._tick()
            while not self.stop.is_set() and self.channel is not None and not done():
                now = self.clock()
                wake = min([deadline if deadline is not None else now + SLICE_S,
                            *self.hinted.values()])
                for message in self._messages(min(max(0.0, wake - now), SLICE_S)):
                    self._take(message)
                self._tick()
        except Exception:  # keep the daemon alive: the rounds go on, push resumes next pause
            log.exception("push failed")
            while not done() and not self.stop.wait(0.1):  # the round still ends in time
                pass

    def _tick(self) -> None:
        self._collect()
        if not self._check_lead():
            return
        for raw in self.store.take_push_messages(limit=FORWARDED):  # other processes' workers
            try:
                message = json.loads(raw)
            except ValueError:
                continue
            if isinstance(message, dict):
                self._take(message)
        self._pull_hinted()
        self._renew()
        self._notify()

    # -- messages from the HTTP workers ---------------------------------------------------------
    def _read(self) -> None:
        """(in a thread) Move the channel's datagrams into the inbox until closed."""
        while not self.closing.is_set() and self.channel is not None:
            for message in self.channel.receive(0.25):
                self._post(message)

    def _post(self, message: dict[str, Any]) -> None:
        try:
            self.inbox.put_nowait(message)
        except queue.Full:  # a flood: hints are coalesced anyway, the rounds go on
            pass

    def _messages(self, timeout: float) -> list[dict[str, Any]]:
        """The inbox's messages, waiting up to ``timeout`` for the first."""
        try:
            messages = [self.inbox.get(timeout=timeout)]
        except queue.Empty:
            return []
        while True:
            try:
                messages.append(self.inbox.get_nowait())
            except queue.Empty:
                return messages

    def _take(self, message: dict[str, Any]) -> None:
        kind = message.get("kind")
        if not self.leading:  # the leader acts on it: hand it over through the store
            if kind in ("hint", "subscribe", "unsubscribe"):
                self.store.post_push_message(json.dumps(message, separators=(",", ":")))
            return  # "moved": the leader compares the feed's head every second anyway
        if kind == "hint":
            self._hint(message)
        elif kind in ("subscribe", "unsubscribe"):
            self._check_intent(message)
        # "moved" (a local write) and anything else: the tick compares the heads anyway

    def _peer(self, base_url: object) -> PeerConfig | None:
        return next((p for p in self.worker.peers() if p.base_url == base_url), None)

    def _hint(self, message: dict[str, Any]) -> None:
        with self.lock:
            self.counts.hints += 1
        peer = self._peer(message.get("peer"))
        if peer is None:
            return  # the worker checked this; a stray datagram of someone else changes nothing
        if peer.base_url not in self.leased and peer.base_url not in self.renewing:
            self.renewals[peer.base_url] = 0.0  # it has push after all (back up?): subscribe
        head = message.get("head")
        if head is not None and message.get("scope") == peer.scope:
            held = {state.base_url: state for state in self.store.peers()}.get(peer.base_url)
            if held is not None and held.cursor == head and held.scope == peer.scope:
                return  # already pulled up to there
        due = max(self.clock(), self.last_pull.get(peer.base_url, -1e9) + self.min_gap_s)
        self.hinted[peer.base_url] = min(self.hinted.get(peer.base_url, due), due)

    def _pull_hinted(self) -> None:
        now = self.clock()
        for base_url in [b for b, due in self.hinted.items() if due <= now]:
            del self.hinted[base_url]
            peer = self._peer(base_url)
            if peer is None or self.stop.is_set():
                continue
            before = self.store.last_seq()
            try:
                pulled = self.worker.sync_peer_unless_busy(peer, stop=self.stop)
            except Exception as exc:  # bulkhead, as in a round: the loop goes on
                log.exception("pull of %s after its notification failed", base_url)
                pulled = PeerResult(base_url, error=f"internal: {type(exc).__name__}: {exc}")
            if pulled is None:  # the round pulls it right now: again once that pull ended
                self.hinted[base_url] = self.clock() + BUSY_RETRY_S
                continue
            result = pulled
            self.last_pull[base_url] = self.clock()
            with self.lock:
                self.counts.pulls += 1
            if self.on_pull is not None:
                self.on_pull(result)
            if result.accepted:
                self._skip_echo(base_url, before, result.accepted)
                self._notify()  # relay at once: the next hop need not wait for the tick

    def _skip_echo(self, base_url: str, before: int, accepted: int) -> None:
        """Do not tell a peer about what this node just took from its feed: when it was told
        the head of before the pull and every write since is one of that pull's (each takes one
        sequence number; a local write meanwhile makes the count differ, and it is told)."""
        echo = self.subscribers.get((callback_for(base_url), "all"))
        after = self.store.last_seq()
        if (echo is not None and echo.inflight is None and echo.told == encode_cursor(before)
                and after - before == accepted):
            echo.told = encode_cursor(after)
            self._keep(echo)

    # -- subscribing to peers -------------------------------------------------------------------
    def _renew(self) -> None:
        now = self.clock()
        for peer in self.worker.peers():
            if peer.base_url in self.renewing or self.renewals.get(peer.base_url, 0) > now:
                continue
            self.renewing[peer.base_url] = self._submit(self._subscribe, peer)

    def _subscribe(self, peer: PeerConfig) -> int:
        """(in a thread) Ask ``peer`` for a lease; return the seconds granted, 0 on failure,
        -1 if the peer has no push."""
        form = {"hub.mode": "subscribe", "hub.callback": callback_for(self.own_base),
                "hub.topic": topic_for(peer.base_url, peer.scope),
                "hub.lease_seconds": str(self.lease_s)}
        response = self._http("POST", f"{peer.base_url}/push/subscriptions", data=form)
        if response is None:
            return 0
        if response.status_code == 404:
            return -1
        if response.status_code != 202:
            log.warning("push subscription at %s refused: HTTP %s", peer.base_url,
                        response.status_code)
            return 0
        try:
            return max(1, int(response.json()["lease_seconds"]))
        except (ValueError, KeyError, TypeError):
            return self.lease_s

    # -- this node's subscribers ----------------------------------------------------------------
    def _check_intent(self, message: dict[str, Any]) -> None:
        callback, scope, lease = message.get("callback"), message.get("scope"), message.get("lease")
        peers = {callback_for(p.base_url) for p in self.worker.peers()}
        if callback not in peers or scope not in ("own", "all") or not isinstance(lease, int):
            return
        mode = str(message.get("kind"))
        future = self._submit(self._verify, str(callback), str(scope), lease, mode)
        self.checks.append((mode, str(callback), min(lease, self.lease_s), str(scope), future))

    def _verify(self, callback: str, scope: str, lease: int, mode: str) -> bool:
        """(in a thread) WebSub verification of intent: the callback must echo the challenge."""
        challenge = secrets.token_urlsafe(24)
        params = {"hub.mode": mode, "hub.topic": topic_for(self.own_base, scope),
                  "hub.challenge": challenge, "hub.lease_seconds": str(lease)}
        response = self._http("GET", callback, params=params)
        confirmed = (response is not None and response.status_code == 200
                     and response.content[:256] == challenge.encode())
        if not confirmed:
            log.warning("push: %s did not confirm that it wants to %s %s (%s)", callback, mode,
                        params["hub.topic"], "no answer" if response is None
                        else f"HTTP {response.status_code}")
        return confirmed

    def _notify(self) -> None:
        now = self.clock()
        heads: dict[str, str] = {}
        for key, subscriber in list(self.subscribers.items()):
            if subscriber.expires <= now:
                self._drop(key)
                continue
            if subscriber.inflight is not None:
                continue
            if subscriber.scope not in heads:
                origin = self.own_iri if subscriber.scope == "own" else None
                heads[subscriber.scope] = encode_cursor(self.store.last_seq(origin=origin))
            head = heads[subscriber.scope]
            if head != subscriber.told:
                subscriber.sending = head
                subscriber.inflight = self._submit(self._tell, subscriber.callback,
                                                   subscriber.scope, head)

    def _tell(self, callback: str, scope: str, head: str) -> int:
        """(in a thread) POST one notification; return the HTTP status (0: no answer)."""
        topic = topic_for(self.own_base, scope)
        links = f'<{self.own_base}/push/subscriptions>; rel="hub", <{topic}>; rel="self"'
        response = self._http("POST", callback, json={"topic": topic, "head": head},
                              headers={"Link": links})
        with self.lock:
            self.counts.notifications += 1
        return 0 if response is None else response.status_code

    def _collect(self) -> None:
        """Handle the results of finished requests (in the daemon's thread)."""
        now = self.clock()
        for base_url, renewal in list(self.renewing.items()):
            if not renewal.done():
                continue
            del self.renewing[base_url]
            granted = renewal.result()
            failed = self.refused.pop(base_url, 0)
            self.leased.discard(base_url)
            if granted > 0:
                self.leased.add(base_url)
                self.renewals[base_url] = now + granted / 2
            elif granted < 0:
                self.renewals[base_url] = now + self.lease_s  # no push there: ask much later
            else:  # unreachable, or its daemon not up yet (503): soon, then less and less often
                self.refused[base_url] = failed + 1
                first, most = RETRY_S
                self.renewals[base_url] = now + min(most, first * 2 ** failed, self.lease_s / 2)
        for check in [c for c in self.checks if c[4].done()]:
            self.checks.remove(check)
            mode, callback, lease, scope, future = check
            if not future.result():
                continue
            if mode == "unsubscribe":
                self._drop((callback, scope))
                continue
            # a new subscriber is told the head at once: it may have pulled before the last
            # write (it skips the pull if it holds that cursor); a renewal keeps what it was told
            known = self.subscribers.get((callback, scope))
            told = known.told if known else None
            self.subscribers[(callback, scope)] = _Subscriber(callback, scope, now + lease, told)
            self._keep(self.subscribers[(callback, scope)])
        for key, subscriber in list(self.subscribers.items()):
            if subscriber.inflight is None or not subscriber.inflight.done():
                continue
            status = subscriber.inflight.result()
            subscriber.inflight = None
            if status in (404, 410):  # it says it does not follow us (any more)
                self._drop(key)
            elif 200 <= status < 300 or status == 429:  # 429: it has our hint already
                subscriber.told, subscriber.failures = subscriber.sending, 0
                self._keep(subscriber)
            else:
                log.warning("push: notifying %s failed (%s)", subscriber.callback,
                            f"HTTP {status}" if status else "no answer")
                subscriber.failures += 1
                if subscriber.failures >= FAILURES_TO_DROP:
                    self._drop(key)

    # -- HTTP ---------------------------------------------------------------------------------
    def _http(self, method: str, url: str, **kwargs: Any) -> requests.Response | None:
        """(in a thread) One request with short timeouts; None if it got no answer."""
        session = getattr(self.local, "session", None)
        if session is None:
            session = self.local.session = requests.Session()
            session.headers["User-Agent"] = self.worker.user_agent
        try:
            response = session.request(method, url, timeout=TIMEOUT, allow_redirects=False,
                                       **kwargs)
        except requests.RequestException as exc:
            log.warning("push: %s %s: %s", method, url, exc)
            return None
        size = len(response.content[:4096])
        sent = response.request
        body = sent.body if isinstance(sent.body, bytes) else (sent.body or "").encode()
        wire = (len(f"{method} {sent.path_url} HTTP/1.1\r\n") + len(body) + size
                + sum(len(k) + len(str(v)) + 4 for k, v in sent.headers.items())
                + sum(len(k) + len(v) + 4 for k, v in response.headers.items()) + 30)
        with self.lock:
            self.counts.requests += 1
            self.counts.wire_bytes += wire
        return response

    def _submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future = self.pool.submit(function, *args)
        # the loop looks at the result as soon as it is there
        future.add_done_callback(lambda _: self._post({"kind": "done"}))
        return future

