"""The change feed (architecture §6): backfill, cursors, latest state, tombstones, scope, bytes."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ncc_node.api.feed import decode_cursor, encode_cursor
from ncc_node.app import create_app
from ncc_node.context import NodeContext
from tests.nodes import init_node, node_config

from .conftest import build_payload, merge
from .test_errors import assert_error

Publish = Callable[..., dict[str, Any]]


def feed(client: FlaskClient, query: str = "") -> dict[str, Any]:
    """One feed page as JSON (asserting 200)."""
    response = client.get(f"/feed?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    page: dict[str, Any] = response.get_json()
    return page


def read_all(client: FlaskClient, query: str = "", limit: int = 2) -> tuple[list[Any], str]:
    """Follow the feed to its end; return every item and the final cursor."""
    items: list[Any] = []
    page = feed(client, f"limit={limit}&{query}")
    items.extend(page["items"])
    while page["more"]:
        page = feed(client, f"limit={limit}&after={page['cursor']}&{query}")
        items.extend(page["items"])
    return items, page["cursor"]


def test_a_new_node_feeds_its_descriptor(client: FlaskClient, context: NodeContext) -> None:
    page = feed(client)
    assert [item["id"] for item in page["items"]] == [context.identity.node_iri]
    assert page["items"][0]["type"] == "Node" and page["more"] is False


def test_backfill_then_resume_then_nothing_new(client: FlaskClient, publish: Publish) -> None:
    made = [publish()["id"] for _ in range(3)]
    items, cursor = read_all(client)
    assert [item["id"] for item in items[1:]] == made  # in publishing order, after the descriptor
    # an up-to-date peer: one request, no items, the same cursor back
    again = feed(client, f"after={cursor}")
    assert again == {"items": [], "cursor": cursor, "more": False}
    newer = publish()
    resumed = feed(client, f"after={cursor}")
    assert [item["id"] for item in resumed["items"]] == [newer["id"]]
    assert resumed["cursor"] != cursor and resumed["more"] is False


def test_pages_are_the_stored_bytes_concatenated(client: FlaskClient, context: NodeContext,
                                                 publish: Publish) -> None:
    for _ in range(3):
        publish()
    response = client.get("/feed?limit=10")
    bodies = [body for _, body in context.store.changes(0, 10)]
    cursor = response.get_json()["cursor"]
    expected = (b'{"items":[' + b",".join(bodies) + b'],"cursor":"' + cursor.encode()
                + b'","more":false}')
    assert response.data == expected


def test_each_record_appears_once_in_its_latest_state(client: FlaskClient, auth: Any,
                                                      publish: Publish) -> None:
    first, second = publish(), publish()
    url = "/initiatives/" + first["id"].rsplit("/", 1)[1]
    etag = client.get(url).headers["ETag"]
    client.put(url, json=build_payload(stage="maturity:established"),
               headers={**auth(), "If-Match": etag})
    items, _ = read_all(client)
    ids = [item["id"] for item in items]
    assert ids.count(first["id"]) == 1
    # the update took a new sequence number: it now comes after the second record
    assert ids.index(first["id"]) > ids.index(second["id"])
    assert items[ids.index(first["id"])]["version"] == 2


def test_a_peer_resuming_after_an_update_gets_it(client: FlaskClient, auth: Any,
                                                 publish: Publish) -> None:
    record = publish()
    _, cursor = read_all(client)
    url = "/initiatives/" + record["id"].rsplit("/", 1)[1]
    client.put(url, json=build_payload(), headers={**auth(), "If-Match": "*"})
    page = feed(client, f"after={cursor}")
    assert [(i["id"], i["version"]) for i in page["items"]] == [(record["id"], 2)]


def test_tombstones_replace_deleted_records(client: FlaskClient, auth: Any,
                                            publish: Publish) -> None:
    record = publish()
    _, cursor = read_all(client)
    client.delete("/initiatives/" + record["id"].rsplit("/", 1)[1], headers=auth())
    page = feed(client, f"after={cursor}")
    assert [(i["id"], i["type"]) for i in page["items"]] == [(record["id"], "Tombstone")]
    items, _ = read_all(client)
    assert [i["type"] for i in items if i["id"] == record["id"]] == ["Tombstone"]


def test_scope_own_and_all(client: FlaskClient, context: NodeContext, peer: NodeContext,
                           publish: Publish) -> None:
    own = publish()
    foreign = merge(context, peer.publisher.create("Initiative", build_payload()))
    peer_descriptor = peer.store.descriptor(peer.identity.node_iri)
    assert peer_descriptor is not None
    merge(context, peer_descriptor)  # the sync worker keeps the peer's descriptor too
    own_items, _ = read_all(client)
    assert {i["origin"] for i in own_items} == {context.identity.node_iri}
    assert own["id"] in {i["id"] for i in own_items}
    all_items, _ = read_all(client, "scope=all")
    assert {i["id"] for i in all_items} == {i["id"] for i in own_items} | {
        foreign.id, peer.identity.node_iri}
    # relayed with the origin's bytes, proof and all
    response = client.get("/feed?scope=all&limit=100")
    assert foreign.body in response.data
    assert feed(client, "scope=own")["items"] == feed(client)["items"]


def test_cursors_are_opaque_and_canonical() -> None:
    for seq in (0, 1, 41, 10**12):
        assert decode_cursor(encode_cursor(seq)) == seq
    with pytest.raises(ValueError):
        decode_cursor(encode_cursor(5) + "=")


@pytest.mark.parametrize("query, field", [
    ("after=%%%", "after"),
    ("after=bm90IGEgY3Vyc29y", "after"),  # base64 of "not a cursor"
    ("after=MTo0=", "after"),  # padded: not how this node writes cursors
    ("after=Mjo0", "after"),  # another cursor format version
    ("after=MTotNA", "after"),  # "1:-4"
    ("limit=0", "limit"),
    ("limit=-1", "limit"),
    ("limit=1.5", "limit"),
    ("limit=many", "limit"),
    ("scope=mine", "scope"),
])
def test_bad_feed_parameters_are_400(client: FlaskClient, query: str, field: str) -> None:
    error = assert_error(client.get(f"/feed?{query}"), 400, "bad_request")
    assert [d["path"] for d in error["details"]] == [field]


def test_a_cursor_ahead_of_the_feed_is_400(client: FlaskClient) -> None:
    error = assert_error(client.get(f"/feed?after={encode_cursor(99)}"), 400, "bad_request")
    assert error["details"] == [{"path": "after", "rule": "cursor",
                                 "message": "ahead of this node's feed"}]


@pytest.fixture
def small_feed(tmp_path: Path) -> Iterator[Flask]:
    """A node whose feed pages hold at most 2 items."""
    config = node_config(tmp_path / "small", "http://127.0.0.1:8474",
                         **{"limits.feed_page_max": 2})
    init_node(config)
    application = create_app(config)
    yield application
    application.extensions["ncc"].store.close()


def test_feed_limits_above_the_maximum_are_reduced(small_feed: Flask) -> None:
    context: NodeContext = small_feed.extensions["ncc"]
    for _ in range(3):
        context.publisher.create("Initiative", build_payload())
    page = small_feed.test_client().get("/feed?limit=5000").get_json()
    assert len(page["items"]) == 2 and page["more"] is True
    assert json.loads(context.store.changes(0, 2)[-1][1]) == page["items"][-1]
