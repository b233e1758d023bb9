"""Push between real nodes: subscriptions, notifications as hints, expiry, rate limits, lies.

Each node is a live HTTP node; its sync daemon's push side (:class:`sync.PushAgent`) runs in this
process, driven either by :func:`sync.run_daemon` in a thread (propagation) or by calling its
``pause`` directly (so what it did can be checked without waiting on timers). A fake peer stands
in for a hostile or foreign subscriber or publisher.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from ncc_node import callback_for, digest, encode_cursor, topic_for
from ncc_node.settings import load_settings
from sync import PushAgent, SyncWorker, run_daemon

from ..nodes import LiveNode
from .conftest import FakePeer, fake_with_records, holdings

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
Fake = Callable[..., FakePeer]


class Clock:
    """A clock the test moves on (the agent's leases and gaps), starting at the real one."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.monotonic() + self.offset


class Daemons:
    """Push agents of live nodes, with their peers set; all closed at teardown."""

    def __init__(self) -> None:
        self.agents: list[PushAgent] = []
        self.threads: list[threading.Thread] = []
        self.stop = threading.Event()

    def agent(self, node: LiveNode, peers: list[tuple[Any, str]], clock: Clock | None = None,
              **settings: Any) -> PushAgent:
        """Configure ``node`` to pull ``peers`` ((node or fake, scope)) and give it an agent."""
        values = {k: v for k, v in node.context.settings.items() if v is not None}
        values.update({"peers": [{"base_url": p.url, "scope": s} for p, s in peers],
                       "sync.backoff_s": 0, "sync.check_workers": 1,
                       "sync.connect_timeout_s": 2, "sync.read_timeout_s": 5, **settings})
        node.context.settings = load_settings(values, environ={})  # the HTTP side sees them too
        worker = SyncWorker(node.context.store, node.context.identity, node.context.settings)
        agent = PushAgent(worker, data_dir=node.context.settings.path("node.data_dir"),
                          stop=self.stop, clock=clock or time.monotonic)
        self.agents.append(agent)
        return agent

    def run(self, agent: PushAgent, interval_s: float = 3600) -> None:
        """Run the agent's node as a daemon with a long interval: only push moves records."""
        assert agent.open()
        thread = threading.Thread(target=run_daemon, args=(agent.worker,), daemon=True,
                                  kwargs={"interval_s": interval_s, "jitter_s": 0,
                                          "stop": self.stop, "pause": agent.pause,
                                          "alongside": agent.alongside})
        thread.start()
        self.threads.append(thread)

    def close(self) -> None:
        """Stop the daemons and close the agents."""
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=10)
        for agent in self.agents:
            agent.close()


@pytest.fixture
def daemons() -> Iterator[Daemons]:
    """Push agents for live nodes."""
    made = Daemons()
    yield made
    made.close()


def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll ``condition`` until it holds (fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.02)


def publish_http(node: LiveNode, make_payload: Payload, name: str) -> str:
    """Publish one initiative through the HTTP API (which nudges the daemon); its id."""
    response = requests.post(node.url + "/initiatives", headers=node.auth(), timeout=10,
                             json=make_payload(name={"en": name}))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def subscribed(agent: PushAgent, count: int) -> Callable[[], bool]:
    """Whether ``agent`` holds ``count`` verified subscribers."""
    return lambda: len(agent.subscribers) == count


def test_push_carries_a_record_through_a_chain(live_node: Start, daemons: Daemons,
                                                make_payload: Payload) -> None:
    """A - B - C - D, each pulling its neighbours (scope=all) every hour: a record published
    on A reaches D through three relays within seconds, every hop verified."""
    nodes = [live_node(c) for c in ("DE", "EE", "NL", "LU")]
    agents = []
    for index, node in enumerate(nodes):
        neighbours = [nodes[i] for i in (index - 1, index + 1) if 0 <= i < len(nodes)]
        agents.append(daemons.agent(node, [(n, "all") for n in neighbours]))
    for agent in agents:
        daemons.run(agent)
    for agent, node in zip(agents, nodes, strict=True):  # inner nodes have two subscribers
        until(subscribed(agent, 1 if node in (nodes[0], nodes[-1]) else 2))
    until(lambda: len({digest(n.context.store) for n in nodes}) == 1)
    record_id = publish_http(nodes[0], make_payload, "Pushed along the chain")
    until(lambda: all(n.context.store.get(record_id) is not None for n in nodes))
    assert nodes[3].context.store.get(record_id).received_from == nodes[2].url
    assert len({digest(n.context.store) for n in nodes}) == 1
    for node in nodes:
        assert node.context.store.quarantined() == []


def test_star_subscriptions_and_scopes(live_node: Start, daemons: Daemons,
                                       make_payload: Payload) -> None:
    """An aggregator pulls three national nodes (own); they pull it (all): one record published
    on one national node reaches the other two through the aggregator."""
    hub, *national = [live_node(c) for c in ("BE", "DE", "EE", "NL")]
    hub_agent = daemons.agent(hub, [(n, "own") for n in national])
    agents = [daemons.agent(n, [(hub, "all")]) for n in national]
    for agent in (hub_agent, *agents):
        daemons.run(agent)
    until(subscribed(hub_agent, 3))
    for agent in agents:
        until(subscribed(agent, 1))
    assert {(s.callback, s.scope) for s in hub_agent.subscribers.values()} == {
        (callback_for(n.url), "all") for n in national}
    assert {s.scope for a in agents for s in a.subscribers.values()} == {"own"}
    record_id = publish_http(national[1], make_payload, "Pushed through the hub")
    until(lambda: all(n.context.store.get(record_id) is not None for n in (hub, *national)))
    assert national[0].context.store.get(record_id).received_from == hub.url


def holding_peer(fake_peer: Fake) -> tuple[FakePeer, threading.Event, threading.Event]:
    """A peer that holds every feed request (up to 30 s) until released: (peer, held, release);
    ``held`` is set once a request is being held."""
    held, release = threading.Event(), threading.Event()

    def slow(request: Request) -> Response | None:
        if request.path == "/feed" and not release.is_set():
            held.set()
            release.wait(30)
        return None

    return fake_peer(slow), held, release


def test_push_works_while_a_round_waits_on_a_slow_peer(live_node: Start, fake_peer: Fake,
                                                        daemons: Daemons,
                                                        make_payload: Payload) -> None:
    """A round over many peers lasts as long as its slowest: a notification that comes in
    meanwhile is pulled at once, not after the round (the star's aggregator, a chain's relay)."""
    slow_peer, held, release = holding_peer(fake_peer)
    node, publisher = live_node("DE"), live_node("EE")
    agent = daemons.agent(node, [(slow_peer, "own"), (publisher, "own")],
                          **{"sync.read_timeout_s": 40})
    publisher_agent = daemons.agent(publisher, [(node, "own")])
    daemons.run(publisher_agent)
    daemons.run(agent, interval_s=0.5)
    until(subscribed(publisher_agent, 1), timeout=30)
    until(held.is_set, timeout=30)  # a round is under way, waiting for the slow peer
    try:
        record_id = publish_http(publisher, make_payload, "Pushed during a slow round")
        until(lambda: node.context.store.get(record_id) is not None, timeout=20)
        assert not release.is_set()  # the round is still waiting
    finally:
        release.set()


def test_a_peer_is_pulled_once_at_a_time(live_node: Start, fake_peer: Fake,
                                         daemons: Daemons) -> None:
    """Push's pull of a peer that a round is pulling waits its turn instead of racing it."""
    slow_peer, held, release = holding_peer(fake_peer)
    node = live_node("DE")
    worker = daemons.agent(node, [(slow_peer, "own")], **{"sync.read_timeout_s": 40}).worker
    [peer] = worker.peers()
    results: list[Any] = []
    pulling = threading.Thread(target=lambda: results.append(worker.sync_peer(peer)))
    pulling.start()
    try:
        until(held.is_set, timeout=30)
        assert worker.sync_peer_unless_busy(peer) is None
    finally:
        release.set()
        pulling.join(timeout=30)
    assert results and results[0].error is None, results
    again = worker.sync_peer_unless_busy(peer)
    assert again is not None and again.error is None


def consenting(notified: list[dict[str, Any]],
               checks: list[Request]) -> Callable[[Request], Response | None]:
    """A fake subscriber's handler: it confirms every verification of intent (kept in
    ``checks``) and takes every notification (kept in ``notified``)."""

    def subscriber(request: Request) -> Response | None:
        if request.path == "/push" and request.method == "GET":
            checks.append(request)
            return Response(request.args["hub.challenge"], content_type="text/plain")
        if request.path == "/push" and request.method == "POST":
            notified.append(request.get_json())
            return Response(status=202)
        return None

    return subscriber


def test_subscription_expires_without_renewal(live_node: Start, fake_peer: Fake,
                                              daemons: Daemons, make_payload: Payload) -> None:
    """A subscriber that does not renew gets nothing once its lease is over; the publisher's
    verification of intent went to its callback first."""
    notified: list[dict[str, Any]] = []
    checks: list[Request] = []
    fake = fake_peer(consenting(notified, checks))
    node = live_node("DE")
    clock = Clock()
    agent = daemons.agent(node, [(fake, "own")], clock, **{"push.lease_s": 60})
    assert agent.open()
    answer = requests.post(node.url + "/push/subscriptions", timeout=10, data={
        "hub.mode": "subscribe", "hub.callback": callback_for(fake.url),
        "hub.topic": topic_for(node.url, "own"), "hub.lease_seconds": "3600"})
    assert answer.status_code == 202 and answer.json() == {"lease_seconds": 60}
    deadline = time.monotonic() + 10
    while not agent.subscribers and time.monotonic() < deadline:
        agent.pause(0.05)
    [check] = checks
    assert check.args["hub.mode"] == "subscribe"
    assert check.args["hub.topic"] == topic_for(node.url, "own")
    own = node.context.identity.node_iri

    def subscribed_to() -> list[dict[str, Any]]:  # besides the daemon's hello, in scope all
        return [n for n in notified if n["topic"] == topic_for(node.url, "own")]

    def told(count: int) -> None:
        deadline = time.monotonic() + 10
        while len(subscribed_to()) < count and time.monotonic() < deadline:
            agent.pause(0.05)
        assert len(subscribed_to()) == count
        assert subscribed_to()[-1]["head"] == encode_cursor(
            node.context.store.last_seq(origin=own))

    told(1)  # a new subscriber is told the head at once
    publish_http(node, make_payload, "Told")
    told(2)
    clock.offset += 61  # past the lease
    publish_http(node, make_payload, "Not told")
    agent.pause(0.3)
    assert len(subscribed_to()) == 2 and agent.subscribers == {}
    assert notified[0] == {"topic": topic_for(node.url, "all"), "head": encode_cursor(1)}


def test_a_subscription_outlives_its_daemon(live_node: Start, fake_peer: Fake,
                                            daemons: Daemons, make_payload: Payload) -> None:
    """Subscriptions are kept in the store: a daemon started again (or another process that
    takes the lead) notifies the subscriber without it subscribing again."""
    notified: list[dict[str, Any]] = []
    checks: list[Request] = []
    fake = fake_peer(consenting(notified, checks))
    node = live_node("DE")
    first = daemons.agent(node, [(fake, "own")])
    assert first.open()
    answer = requests.post(node.url + "/push/subscriptions", timeout=10, data={
        "hub.mode": "subscribe", "hub.callback": callback_for(fake.url),
        "hub.topic": topic_for(node.url, "own")})
    assert answer.status_code == 202
    deadline = time.monotonic() + 10
    while not first.subscribers and time.monotonic() < deadline:
        first.pause(0.05)
    [held] = node.context.store.push_subscribers()
    assert (held.callback, held.scope) == (callback_for(fake.url), "own")
    assert abs(held.expires - time.time() - 900) < 30  # the lease, as Unix time
    first.close()

    publish_http(node, make_payload, "Written while no daemon ran")
    second = daemons.agent(node, [(fake, "own")])
    assert second.open()
    own = topic_for(node.url, "own")
    head = encode_cursor(node.context.store.last_seq(origin=node.context.identity.node_iri))
    deadline = time.monotonic() + 10
    while {"topic": own, "head": head} not in notified and time.monotonic() < deadline:
        second.pause(0.05)
    assert {"topic": own, "head": head} in notified and len(checks) == 1
    assert [s.told for s in node.context.store.push_subscribers()] == [head]


def test_subscriptions_need_a_configured_peer_and_its_consent(live_node: Start, fake_peer: Fake,
                                                              daemons: Daemons) -> None:
    """Only a configured peer's /push may subscribe, and only if it echoes the challenge: no
    request goes anywhere else (DESIGN §9)."""
    stranger = fake_peer()
    refuses = fake_peer(lambda request: Response(b"no", status=404)
                        if request.path == "/push" else None)
    node = live_node("DE")
    agent = daemons.agent(node, [(refuses, "own")])
    assert agent.open()
    form = {"hub.mode": "subscribe", "hub.topic": topic_for(node.url, "own")}
    answer = requests.post(node.url + "/push/subscriptions", timeout=10,
                           data={**form, "hub.callback": callback_for(stranger.url)})
    assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
    answer = requests.post(node.url + "/push/subscriptions", timeout=10,
                           data={**form, "hub.topic": topic_for(stranger.url, "own"),
                                 "hub.callback": callback_for(refuses.url)})
    assert answer.status_code == 400  # not this node's feed
    answer = requests.post(node.url + "/push/subscriptions", timeout=10,
                           data={**form, "hub.callback": callback_for(refuses.url)})
    assert answer.status_code == 202
    deadline = time.monotonic() + 5
    while not any(r.path == "/push" for r in refuses.requests) and time.monotonic() < deadline:
        agent.pause(0.05)
    agent.pause(0.2)
    assert agent.subscribers == {}  # it did not consent
    assert stranger.requests == []


def test_notifications_are_rate_limited_and_coalesced(live_node: Start, fake_peer: Fake,
                                                      daemons: Daemons) -> None:
    """Past its burst a publisher gets 429; the hints that got in cause one pull, and a second
    one only after the gap."""
    publisher = fake_with_records(fake_peer, 3)
    node = live_node("DE", **{"push.rate_burst": 5, "push.rate_per_s": 2})
    clock = Clock()
    agent = daemons.agent(node, [(publisher, "own")], clock, **{"push.min_gap_s": 30})
    assert agent.open()
    agent.pause(0.1)  # its subscription request (the fake answers 404: no push there)
    notice = {"topic": topic_for(publisher.url, "own"), "head": "x"}
    statuses = [requests.post(node.url + "/push", json=notice, timeout=10).status_code
                for _ in range(8)]
    assert statuses == [202] * 5 + [429] * 3
    limited = requests.post(node.url + "/push", json=notice, timeout=10)
    assert limited.json()["error"]["code"] == "too_many_requests"
    assert int(limited.headers["Retry-After"]) >= 1
    agent.pause(0.3)
    assert publisher.feed_requests() == 1 and len(holdings(node)) == 5  # 3, 2 descriptors
    until(lambda: requests.post(node.url + "/push", json={**notice, "head": "y"},
                                timeout=10).status_code == 202)  # the bucket refills
    agent.pause(0.3)
    assert publisher.feed_requests() == 1  # within the gap: waits, coalesced
    clock.offset += 31
    agent.pause(0.3)
    assert publisher.feed_requests() == 2


def test_a_lying_push_changes_nothing(live_node: Start, fake_peer: Fake, daemons: Daemons,
                                      make_payload: Payload) -> None:
    """Notifications with a made-up head, for a feed the node does not follow, or in another
    peer's name: at most an ordinary verified pull that finds nothing new; no request to a
    stranger; nothing stored, quarantined or moved."""
    stranger = fake_peer()
    de, ee = live_node("DE"), live_node("EE")
    for index in range(3):
        de.context.publisher.create("Initiative", make_payload(name={"en": f"R{index}"}))
    agent = daemons.agent(ee, [(de, "own")])
    assert agent.open()
    agent.worker.run_once()
    before = (digest(ee.context.store), ee.context.store.peers())
    lies = [{"topic": topic_for(de.url, "own"), "head": "MTo5OTk5OQ"},  # far ahead
            {"topic": topic_for(de.url, "own"), "head": before[1][0].cursor},  # what it has
            {"topic": topic_for(de.url, "all"), "head": "MTox"},  # the other scope
            {"topic": topic_for(stranger.url, "own"), "head": None},
            {"topic": "file:///etc/passwd"}]
    answers = [requests.post(ee.url + "/push", json=lie, timeout=10) for lie in lies]
    assert [a.status_code for a in answers] == [202, 202, 202, 404, 404]
    bad = requests.post(ee.url + "/push", data=b"{not json", timeout=10,
                        headers={"Content-Type": "application/json"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_request"
    agent.pause(0.5)
    assert stranger.requests == []
    assert digest(ee.context.store) == before[0]
    [state] = ee.context.store.peers()
    assert state.cursor == before[1][0].cursor
    assert ee.context.store.quarantined() == []
    # the hints were pulls of the real feed, coalesced into one; the held head alone is skipped
    assert agent.take_counts().pulls == 1


def test_without_a_daemon_push_answers_503_and_the_pull_still_works(
        live_node: Start, make_payload: Payload) -> None:
    """No daemon listening: subscriptions and notifications get 503, nothing else changes."""
    de = live_node("DE")
    values = {k: v for k, v in de.context.settings.items() if v is not None}
    values["peers"] = [{"base_url": "http://127.0.0.1:9", "scope": "own"}]
    de.context.settings = load_settings(values, environ={})
    answer = requests.post(de.url + "/push", timeout=10,
                           json={"topic": topic_for("http://127.0.0.1:9", "own")})
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "service_unavailable"
