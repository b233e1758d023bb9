"""Records by id: publish, read, negotiate, update with If-Match, delete to a tombstone, 304s."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF

from ncc_node.context import NodeContext
from ncc_node.identity.descriptor import key_lookup_from_descriptor
from ncc_node.integrity.proofs import verify
from vocab import CONTEXT_URL, VOCAB_NS

from .conftest import merge, uuid_of

Auth = Callable[..., dict[str, str]]
Publish = Callable[..., dict[str, Any]]
NCC_INITIATIVE = URIRef(VOCAB_NS + "Initiative")


def verify_own(context: NodeContext, record: dict[str, Any]) -> None:
    """The record's proof holds under the node's published descriptor."""
    descriptor = json.loads(context.store.descriptor(context.identity.node_iri).body)
    verify(record, key_lookup=key_lookup_from_descriptor(descriptor))


@pytest.mark.parametrize("kind, collection", [("Initiative", "initiatives"),
                                              ("Method", "methods")])
def test_post_mints_signs_and_stores(client: FlaskClient, context: NodeContext, auth: Auth,
                                     make_payload: Callable[..., Any], kind: str,
                                     collection: str) -> None:
    response = client.post(f"/{collection}", json=make_payload(kind), headers=auth())
    assert response.status_code == 201
    record = response.get_json()
    assert record["@context"] == CONTEXT_URL and record["type"] == kind
    assert record["id"].startswith(f"{context.identity.base_url}/{collection}/")
    assert record["origin"] == context.identity.node_iri and record["version"] == 1
    assert response.headers["Location"] == record["id"]
    stored = context.store.get(record["id"])
    assert stored is not None and response.data == stored.body
    assert response.headers["ETag"] == stored.etag
    assert response.content_type == "application/ld+json"
    verify_own(context, record)


def test_post_accepts_json_ld_media_type(client: FlaskClient, auth: Auth,
                                         make_payload: Callable[..., Any]) -> None:
    body = json.dumps({"@context": CONTEXT_URL, "type": "Initiative", **make_payload()})
    response = client.post("/initiatives", data=body, headers={
        **auth(), "Content-Type": "application/ld+json; charset=utf-8"})
    assert response.status_code == 201


def test_get_serves_the_stored_bytes_with_etag(client: FlaskClient, context: NodeContext,
                                               publish: Publish) -> None:
    record = publish()
    response = client.get(f"/initiatives/{uuid_of(record)}")
    stored = context.store.get(record["id"])
    assert stored is not None
    assert response.status_code == 200 and response.data == stored.body
    assert response.headers["ETag"] == stored.etag and response.headers["Vary"] == "Accept"
    head = client.head(f"/initiatives/{uuid_of(record)}")
    assert head.status_code == 200 and head.headers["ETag"] == stored.etag and head.data == b""


@pytest.mark.parametrize("header", ["{etag}", "W/{etag}", '"other", {etag}', "*"])
def test_if_none_match_gives_304(client: FlaskClient, publish: Publish, header: str) -> None:
    record = publish()
    url = f"/initiatives/{uuid_of(record)}"
    etag = client.get(url).headers["ETag"]
    response = client.get(url, headers={"If-None-Match": header.format(etag=etag)})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag


def test_stale_if_none_match_gives_the_record(client: FlaskClient, publish: Publish) -> None:
    record = publish()
    response = client.get(f"/initiatives/{uuid_of(record)}",
                          headers={"If-None-Match": '"1-0000"'})
    assert response.status_code == 200 and response.get_json() == record


@pytest.mark.parametrize("accept, mimetype, rdf_format", [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("text/turtle;q=0.5, application/n-triples", "application/n-triples", "nt"),
])
def test_rdf_representations(client: FlaskClient, publish: Publish, accept: str, mimetype: str,
                             rdf_format: str) -> None:
    record = publish()
    url = f"/initiatives/{uuid_of(record)}"
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200 and response.mimetype == mimetype
    graph = Graph().parse(data=response.get_data(as_text=True), format=rdf_format)
    subject = URIRef(record["id"])
    assert (subject, RDF.type, NCC_INITIATIVE) in graph
    assert Literal(record["name"]["en"], lang="en") in set(graph.objects(subject, None))
    # a representation of its own: another ETag, and 304 on it
    etag = response.headers["ETag"]
    assert etag != client.get(url).headers["ETag"]
    again = client.get(url, headers={"Accept": accept, "If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize("accept", ["", "*/*", "application/*", "application/ld+json"])
def test_json_ld_is_the_default(client: FlaskClient, publish: Publish, accept: str) -> None:
    record = publish()
    response = client.get(f"/initiatives/{uuid_of(record)}", headers={"Accept": accept})
    assert response.mimetype == "application/ld+json" and response.get_json() == record


def test_plain_json_on_request(client: FlaskClient, publish: Publish) -> None:
    record = publish()
    response = client.get(f"/initiatives/{uuid_of(record)}",
                          headers={"Accept": "application/json"})
    assert response.mimetype == "application/json" and response.get_json() == record


def test_unacceptable_media_type_is_406(client: FlaskClient, publish: Publish) -> None:
    record = publish()
    response = client.get(f"/initiatives/{uuid_of(record)}", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.get_json()["error"]["code"] == "not_acceptable"
    assert "text/turtle" in response.get_json()["error"]["message"]


def test_put_publishes_the_next_version(client: FlaskClient, context: NodeContext,
                                        auth: Auth, publish: Publish,
                                        make_payload: Callable[..., Any]) -> None:
    record = publish()
    url = f"/initiatives/{uuid_of(record)}"
    etag = client.get(url).headers["ETag"]
    payload = make_payload(stage="maturity:established")
    response = client.put(url, json=payload, headers={**auth(), "If-Match": etag})
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["id"] == record["id"] and updated["version"] == 2
    assert updated["stage"] == "maturity:established"
    assert response.headers["ETag"] != etag
    assert client.get(url).data == response.data
    verify_own(context, updated)
    # the old ETag is stale now
    stale = client.put(url, json=payload, headers={**auth(), "If-Match": etag})
    assert stale.status_code == 412
    assert stale.get_json()["error"]["code"] == "precondition_failed"


def test_put_without_if_match_is_428(client: FlaskClient, context: NodeContext, auth: Auth,
                                     publish: Publish, make_payload: Callable[..., Any]) -> None:
    record = publish()
    before = context.store.last_seq()
    response = client.put(f"/initiatives/{uuid_of(record)}", json=make_payload(),
                          headers=auth())
    assert response.status_code == 428
    assert response.get_json()["error"]["code"] == "precondition_required"
    assert context.store.last_seq() == before


def test_put_of_an_unknown_record_is_404(client: FlaskClient, auth: Auth,
                                         make_payload: Callable[..., Any]) -> None:
    response = client.put("/initiatives/00000000-0000-4000-8000-000000000000",
                          json=make_payload(), headers={**auth(), "If-Match": "*"})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_delete_writes_a_signed_tombstone(client: FlaskClient, context: NodeContext,
                                          auth: Auth, publish: Publish) -> None:
    record = publish()
    url = f"/initiatives/{uuid_of(record)}"
    response = client.delete(url, headers=auth())
    assert response.status_code == 200
    tombstone = response.get_json()
    assert tombstone["type"] == "Tombstone" and tombstone["formerType"] == "Initiative"
    assert tombstone["id"] == record["id"] and tombstone["version"] == 2
    verify_own(context, tombstone)
    stored = context.store.get(record["id"])
    assert stored is not None and stored.deleted and stored.body == response.data

    gone = client.get(url)
    assert gone.status_code == 410
    error = gone.get_json()["error"]
    assert error["code"] == "gone" and error["tombstone"] == tombstone
    assert stored.body in gone.data  # embedded as stored, not re-serialized
    headers = {**auth(), "If-Match": "*"}
    assert client.put(url, json={}, headers=headers).status_code == 410
    assert client.delete(url, headers=auth()).status_code == 410
    assert record["id"] not in client.get("/initiatives").get_data(as_text=True)


def test_delete_with_a_stale_if_match_is_412(client: FlaskClient, context: NodeContext,
                                             auth: Auth, publish: Publish) -> None:
    record = publish()
    response = client.delete(f"/initiatives/{uuid_of(record)}",
                             headers={**auth(), "If-Match": '"1-stale"'})
    assert response.status_code == 412
    assert not context.store.get(record["id"]).deleted  # type: ignore[union-attr]


def test_records_of_other_nodes_are_served_but_read_only(
        client: FlaskClient, context: NodeContext, peer: NodeContext, auth: Auth,
        make_payload: Callable[..., Any]) -> None:
    foreign = merge(context, peer.publisher.create("Initiative", make_payload()))
    url = f"/initiatives/{uuid_of(foreign)}"
    response = client.get(url)
    assert response.status_code == 200 and response.data == foreign.body
    before = context.store.last_seq()
    put = client.put(url, json=make_payload(), headers={**auth(), "If-Match": foreign.etag})
    delete = client.delete(url, headers=auth())
    assert put.status_code == delete.status_code == 409
    assert put.get_json()["error"]["code"] == "conflict"
    assert peer.identity.node_iri in put.get_json()["error"]["message"]
    assert context.store.last_seq() == before


def test_a_merged_tombstone_is_410_too(client: FlaskClient, context: NodeContext,
                                       peer: NodeContext,
                                       make_payload: Callable[..., Any]) -> None:
    created = peer.publisher.create("Method", make_payload("Method"))
    tombstone = merge(context, peer.publisher.delete(created.id))
    response = client.get(f"/methods/{uuid_of(tombstone)}")
    assert response.status_code == 410 and tombstone.body in response.data


@pytest.mark.parametrize("path", [
    "/initiatives/00000000-0000-4000-8000-000000000000",
    "/initiatives/not-a-uuid",
    "/initiatives/00000000-0000-4000-8000-000000000000/extra",
])
def test_unknown_records_are_404(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_a_record_is_only_served_in_its_own_collection(client: FlaskClient,
                                                       publish: Publish) -> None:
    record = publish("Method")
    assert client.get(f"/methods/{uuid_of(record)}").status_code == 200
    assert client.get(f"/initiatives/{uuid_of(record)}").status_code == 404
