"""Real nodes on 127.0.0.1, port 0, over real HTTP: writes, paging under writes, feed relay."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import requests

from ncc_node.identity.descriptor import key_lookup_from_descriptor, verify_descriptor
from ncc_node.integrity.proofs import verify
from tests.nodes import LiveNode

from .conftest import build_payload

Start = Callable[..., LiveNode]
TIMEOUT = 10


def test_a_record_lifecycle_over_http(live_node: Start) -> None:
    node = live_node("DE")
    created = requests.post(f"{node.url}/initiatives", json=build_payload(),
                            headers=node.auth("write"), timeout=TIMEOUT)
    assert created.status_code == 201
    record = created.json()
    assert created.headers["Location"] == record["id"]
    assert record["id"].startswith(f"{node.url}/initiatives/")
    url = record["id"]  # a record's id is its URL at its origin
    got = requests.get(url, timeout=TIMEOUT)
    assert got.content == created.content and got.headers["ETag"] == created.headers["ETag"]
    cached = requests.get(url, headers={"If-None-Match": got.headers["ETag"]}, timeout=TIMEOUT)
    assert cached.status_code == 304 and cached.content == b""
    updated = requests.put(url, json=build_payload(stage="maturity:established"),
                           headers={**node.auth("write"), "If-Match": got.headers["ETag"]},
                           timeout=TIMEOUT)
    assert updated.status_code == 200 and updated.json()["version"] == 2
    deleted = requests.delete(url, headers=node.auth("admin"), timeout=TIMEOUT)
    assert deleted.status_code == 200 and deleted.json()["type"] == "Tombstone"
    gone = requests.get(url, timeout=TIMEOUT)
    assert gone.status_code == 410 and gone.json()["error"]["tombstone"] == deleted.json()
    anonymous = requests.post(f"{node.url}/initiatives", json=build_payload(), timeout=TIMEOUT)
    assert anonymous.status_code == 401 and "Bearer" in anonymous.headers["WWW-Authenticate"]


class Writer(threading.Thread):
    """Creates and updates records until told to stop, counting its writes."""

    def __init__(self, node: LiveNode, existing: list[str]) -> None:
        super().__init__(name="concurrent-writer", daemon=True)
        self.node = node
        self.existing = existing
        self.writes = 0
        self.changed = threading.Condition()
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        publisher = self.node.context.publisher
        try:
            while not self.stop.is_set():
                publisher.create("Initiative", build_payload())
                target = self.existing[self.writes % len(self.existing)]
                publisher.update(target, build_payload(), if_match="*")
                with self.changed:
                    self.writes += 1
                    self.changed.notify_all()
        except BaseException as exc:  # reported by the test, not swallowed
            self.error = exc
            with self.changed:
                self.changed.notify_all()

    def wait_for_more_than(self, count: int) -> None:
        """Block until the writer has written more than ``count`` times (10 s deadline)."""
        with self.changed:
            assert self.changed.wait_for(
                lambda: self.writes > count or self.error is not None, timeout=TIMEOUT)
        assert self.error is None, self.error


def test_pages_are_stable_under_concurrent_writes(live_node: Start) -> None:
    node = live_node("DE")
    existing = [node.context.publisher.create("Initiative", build_payload()).id
                for _ in range(24)]
    writer = Writer(node, existing)
    writer.start()
    seen: list[str] = []
    try:
        url: str | None = f"{node.url}/initiatives?limit=4"
        while url is not None:
            writer.wait_for_more_than(writer.writes)  # at least one write between two pages
            page = requests.get(url, timeout=TIMEOUT).json()
            seen.extend(item["id"] for item in page["items"])
            url = page["next"]
    finally:
        writer.stop.set()
        writer.join(TIMEOUT)
    assert writer.error is None and writer.writes >= 7
    assert len(seen) == len(set(seen))  # nothing twice
    assert set(existing) <= set(seen)  # everything that existed before page one, once
    assert seen == sorted(seen)


def feed_pages(url: str, **params: Any) -> tuple[list[bytes], list[dict[str, Any]], str]:
    """Read a feed over HTTP to its end: raw pages, items, final cursor."""
    raw: list[bytes] = []
    items: list[dict[str, Any]] = []
    query: dict[str, Any] = {"limit": 2, **params}
    while True:
        response = requests.get(f"{url}/feed", params=query, timeout=TIMEOUT)
        assert response.status_code == 200, response.text
        raw.append(response.content)
        page = response.json()
        items.extend(page["items"])
        query["after"] = page["cursor"]
        if not page["more"]:
            return raw, items, page["cursor"]


def test_a_feed_relayed_through_a_second_node_stays_verifiable(live_node: Start) -> None:
    origin, relay = live_node("DE"), live_node("EE")
    for _ in range(3):
        requests.post(f"{origin.url}/initiatives", json=build_payload(),
                      headers=origin.auth(), timeout=TIMEOUT).raise_for_status()
    descriptor = requests.get(f"{origin.url}/node", timeout=TIMEOUT).json()
    verify_descriptor(descriptor)
    lookup = key_lookup_from_descriptor(descriptor)

    # the relay pulls the origin's feed (what the sync worker does), verifying every item
    _, items, cursor = feed_pages(origin.url)
    assert [i["type"] for i in items] == ["Node", "Initiative", "Initiative", "Initiative"]
    for item in items[1:]:
        verify(item, key_lookup=lookup)
        body = origin.context.store.get(item["id"]).body  # type: ignore[union-attr]
        relay.context.store.put(json.loads(body), body, received_from=origin.url)
    relay.context.store.put(descriptor, origin.context.store.descriptor(  # type: ignore[union-attr]
        descriptor["id"]).body, received_from=origin.url)

    # a third party reads the relay: the origin's bytes, still verifiable end to end
    raw, relayed, _ = feed_pages(relay.url, scope="all")
    assert {i["id"] for i in relayed} >= {i["id"] for i in items}
    for item in items[1:]:
        stored = origin.context.store.get(item["id"])
        assert stored is not None and any(stored.body in page for page in raw)
    for item in relayed:
        if item["origin"] == descriptor["id"] and item["type"] != "Node":
            verify(item, key_lookup=lookup)
    own = feed_pages(relay.url)[1]
    assert {i["origin"] for i in own} == {relay.context.identity.node_iri}

    # an update at the origin reaches a resuming reader once, in its latest state
    target = items[1]["id"]
    requests.delete(target, headers=origin.auth(), timeout=TIMEOUT).raise_for_status()
    response = requests.get(f"{origin.url}/feed", params={"after": cursor}, timeout=TIMEOUT)
    assert [(i["id"], i["type"]) for i in response.json()["items"]] == [(target, "Tombstone")]
