"""Drafts over the API: stored unsigned and out of the feed; If-Match; stale edits refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from ncc_node.context import NodeContext

from .conftest import build_payload

Auth = Callable[..., dict[str, str]]


def _feed_ids(client: FlaskClient) -> list[str]:
    return [item["id"] for item in client.get("/feed?scope=all").get_json()["items"]]


def test_a_draft_is_stored_unsigned_until_published(client: FlaskClient, auth: Auth,
                                                    context: NodeContext) -> None:
    before = context.store.last_seq()
    made = client.post("/drafts", json={"kind": "Initiative",
                                        "payload": build_payload(name={"de": "Entwurf"})},
                       headers=auth("write"))
    assert made.status_code == 201, made.get_data(as_text=True)
    draft = made.get_json()
    assert draft["base_version"] == 0 and draft["record_id"] is None
    assert context.store.last_seq() == before  # nothing signed, nothing in the feed
    assert len(_feed_ids(client)) == 1  # the descriptor only
    etag = made.headers["ETag"]
    # saving needs the draft's ETag; an old one is refused
    assert client.put(f"/drafts/{draft['id']}", json={"payload": draft["payload"]},
                      headers=auth("write")).status_code == 428
    saved = client.put(f"/drafts/{draft['id']}", json={"payload": build_payload()},
                       headers={**auth("write"), "If-Match": etag})
    assert saved.status_code == 200 and saved.headers["ETag"] != etag
    stale = client.put(f"/drafts/{draft['id']}", json={"payload": build_payload()},
                       headers={**auth("write"), "If-Match": etag})
    assert stale.status_code == 412, stale.get_json()
    assert "someone else" in stale.get_json()["error"]["message"]
    published = client.post(f"/drafts/{draft['id']}/publish",
                            headers={**auth("write"), "If-Match": saved.headers["ETag"]})
    assert published.status_code == 201, published.get_data(as_text=True)
    record = published.get_json()
    assert record["version"] == 1 and record["proof"]["proofValue"]
    assert record["id"] in _feed_ids(client)
    assert client.get(f"/drafts/{draft['id']}", headers=auth("write")).status_code == 404


def test_an_edit_on_an_old_version_is_refused(client: FlaskClient, auth: Auth,
                                              context: NodeContext) -> None:
    created = client.post("/initiatives", json=build_payload(), headers=auth("write"))
    record_id = created.get_json()["id"]
    draft = client.post("/drafts", json={"record_id": record_id, "base_version": 1,
                                         "payload": build_payload(name={"en": "Mine"})},
                        headers=auth("write"))
    assert draft.status_code == 201
    # someone else publishes version 2 through the API meanwhile
    uuid = record_id.rsplit("/", 1)[1]
    other = client.put(f"/initiatives/{uuid}", json=build_payload(name={"en": "Theirs"}),
                       headers={**auth("write"), "If-Match": created.headers["ETag"]})
    assert other.status_code == 200
    refused = client.post(f"/drafts/{draft.get_json()['id']}/publish",
                          headers={**auth("write"), "If-Match": draft.headers["ETag"]})
    assert refused.status_code == 412
    assert "someone else changed" in refused.get_json()["error"]["message"]
    stored: Any = context.store.get(record_id)
    assert stored.version == 2 and b"Theirs" in stored.body  # never overwritten
    # a second draft of the same record, or one on an old version, is refused too
    again = client.post("/drafts", json={"record_id": record_id, "base_version": 1,
                                         "payload": build_payload()}, headers=auth("write"))
    assert again.status_code == 412


def test_an_invalid_draft_is_kept_but_not_published(client: FlaskClient, auth: Auth) -> None:
    payload = build_payload()
    del payload["countries"]
    draft = client.post("/drafts", json={"payload": payload}, headers=auth("write"))
    assert draft.status_code == 201  # a draft may be incomplete
    refused = client.post(f"/drafts/{draft.get_json()['id']}/publish",
                          headers={**auth("write"), "If-Match": draft.headers["ETag"]})
    assert refused.status_code == 422
    assert any(d["path"] == "countries" for d in refused.get_json()["error"]["details"])


def test_drafts_need_a_token(client: FlaskClient) -> None:
    assert client.get("/drafts").status_code == 401
    assert client.post("/drafts", json={"payload": {}}).status_code == 401
