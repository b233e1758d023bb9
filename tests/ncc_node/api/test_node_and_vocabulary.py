"""The descriptor, the vocabulary documents, the OpenAPI document and the offline docs page."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, SH

from ncc_node.context import NodeContext
from ncc_node.identity.descriptor import verify_descriptor
from ncc_node.identity.node_identity import rotate_identity
from vocab import VOCAB_NS, context_document, data_text

from .test_errors import assert_error


@pytest.mark.parametrize("url", ["/node", "/.well-known/ncc-node"])
def test_the_descriptor_is_served_signed(client: FlaskClient, context: NodeContext,
                                         url: str) -> None:
    response = client.get(url)
    stored = context.store.descriptor(context.identity.node_iri)
    assert stored is not None
    assert response.status_code == 200 and response.data == stored.body
    assert response.mimetype == "application/ld+json"
    descriptor = response.get_json()
    assert descriptor["id"] == context.identity.node_iri and descriptor["type"] == "Node"
    assert descriptor["jurisdiction"] == "country:DEU"
    verify_descriptor(descriptor)
    assert client.get(url, headers={"If-None-Match": stored.etag}).status_code == 304


def test_the_descriptor_in_turtle(client: FlaskClient, context: NodeContext) -> None:
    response = client.get("/node", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert (URIRef(context.identity.node_iri), RDF.type, URIRef(VOCAB_NS + "Node")) in graph


def test_a_rotation_shows_at_once(app: Flask, client: FlaskClient,
                                  context: NodeContext) -> None:
    before = client.get("/node").headers["ETag"]
    rotate_identity(context.settings, context.store, context.identity)
    response = client.get("/node", headers={"If-None-Match": before})
    assert response.status_code == 200 and response.get_json()["version"] == 2
    assert len(response.get_json()["proof"]) == 2  # continuity proof set


def test_the_context_is_the_bundled_file(client: FlaskClient) -> None:
    response = client.get("/contexts/v1")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    assert response.get_json() == context_document()
    assert response.data == data_text("context-v1.jsonld").encode()
    assert "max-age" in response.headers["Cache-Control"]
    as_json = client.get("/contexts/v1", headers={"Accept": "application/json"})
    assert as_json.mimetype == "application/json" and as_json.data == response.data
    etag = response.headers["ETag"]
    assert client.get("/contexts/v1", headers={"If-None-Match": etag}).status_code == 304


def test_the_vocabulary_in_turtle_and_n_triples(client: FlaskClient) -> None:
    turtle = client.get("/vocab")
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    graph = Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    assert (URIRef(VOCAB_NS + "Initiative"), RDF.type, OWL.Class) in graph
    assert (URIRef("http://metadata.un.org/sdg/4"), None, None) in graph
    triples = client.get("/vocab", headers={"Accept": "application/n-triples"})
    assert triples.mimetype == "application/n-triples"
    assert len(Graph().parse(data=triples.get_data(as_text=True), format="nt")) == len(graph)


def test_the_shapes_are_the_bundled_file(client: FlaskClient) -> None:
    response = client.get("/shapes")
    assert response.data == data_text("shapes.ttl").encode()
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    assert any(graph.subjects(RDF.type, SH.NodeShape))
    triples = client.get("/shapes", headers={"Accept": "application/n-triples"})
    assert len(Graph().parse(data=triples.get_data(as_text=True), format="nt")) == len(graph)


@pytest.mark.parametrize("url", ["/vocab", "/shapes", "/contexts/v1"])
def test_vocabulary_documents_refuse_other_media_types(client: FlaskClient, url: str) -> None:
    assert_error(client.get(url, headers={"Accept": "text/html"}), 406, "not_acceptable")


def test_openapi_documents_every_route(app: Flask, client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.0")
    documented = {(path, method.upper()) for path, ops in spec["paths"].items()
                  for method in ops if method != "parameters"}
    served = set()
    for rule in app.url_map.iter_rules():
        # the web pages (ncc_node/web, docs/web.md) are HTML for people, not part of the API
        if rule.endpoint.startswith(("api-docs.", "swagger_ui_static.", "static", "web.")):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods or () if m not in ("HEAD", "OPTIONS")}
    assert documented == served
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                # /scout/similar/<path:record_id> takes a whole record IRI (docs/scouting.md)
                # drafts are numbered; a held record is named by its import identifier
                expected = ({"type": "string"} if path.startswith("/scout/similar/")
                            else {"type": "integer", "minimum": 0}
                            if path.startswith(("/drafts/", "/moderation/quarantine/"))
                            else {"type": "string"} if path.startswith("/moderation/review/")
                            else {"type": "string", "format": "uuid"})
                for parameter in op:
                    schema = parameter["schema"]
                    assert schema == expected or schema == {**expected, "minLength": 1}, path
                continue
            assert op["summary"] and not op["summary"].endswith("."), (path, method)
            assert "default" in op["responses"]
            # writes, and the operator's reads (sync status), need a token; POST /sparql is a
            # read (SPARQL 1.1 Protocol §2.1.2); peers' push messages need no trust (hints)
            operator = (method in ("post", "put", "delete")
                        and path not in ("/sparql", "/push", "/push/subscriptions")
                        or path.startswith(("/sync/", "/drafts", "/moderation/")))
            assert (op.get("security") == [{"bearerAuth": []}]) is operator, (path, method)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]


def test_every_view_docstring_is_its_summary(client: FlaskClient) -> None:
    view = client.application.view_functions["initiatives.Initiative"].view_class  # type: ignore[attr-defined]
    spec = client.get("/openapi.json").get_json()
    assert spec["paths"]["/initiatives/{record_id}"]["get"]["summary"] == view.get.__doc__
    assert spec["paths"]["/methods"]["post"]["summary"].startswith("Publish a new method")


def test_the_docs_page_needs_no_network(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets and not [a for a in assets if "//" in a]  # nothing from another host
    for asset in assets:
        response = client.get("/" + asset)
        assert response.status_code == 200, asset
        response.close()
    assert "/openapi.json" in html
