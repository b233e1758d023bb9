"""/sparql on real nodes: named graphs per origin after sync, incremental view, formats, limits."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.query import Result

from ncc_node.rdfview import VOCABULARY_GRAPH, RdfView

from ...nodes import LiveNode
from ...sync.conftest import peer, worker_for

NCC = "https://w3id.org/ncc/vocab#"
PREFIX = f"PREFIX ncc: <{NCC}> PREFIX schema: <https://schema.org/> "
INITIATIVES = PREFIX + "SELECT ?i ?name WHERE { ?i a ncc:Initiative ; schema:name ?name . " \
                       "FILTER(lang(?name) = 'en') } ORDER BY ?name"
SPARQL_JSON = "application/sparql-results+json"


def select(client: Any, query: str, **kw: Any) -> dict[str, Any]:
    response = client.get("/sparql", query_string={"query": query, **kw},
                          headers={"Accept": SPARQL_JSON})
    assert response.status_code == 200, response.get_data(as_text=True)
    data: dict[str, Any] = json.loads(response.get_data())
    return data


def names(data: dict[str, Any]) -> list[str]:
    return [row["name"]["value"] for row in data["results"]["bindings"]]


def test_named_graph_per_origin_after_sync(live_node: Callable[..., LiveNode],
                                           make_payload: Callable[..., dict[str, Any]]) -> None:
    de, ee = live_node("DE"), live_node("EE")
    de.context.publisher.create("Initiative", make_payload(name={"en": "German one"}))
    ee.context.publisher.create("Initiative", make_payload(name={"en": "Estonian one"}))
    worker_for(de, peer(ee)).run_once()
    client = de.app.test_client()
    assert names(select(client, INITIATIVES)) == ["Estonian one", "German one"]
    graphs = select(client, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    found = {row["g"]["value"] for row in graphs["results"]["bindings"]}
    de_iri, ee_iri = de.context.identity.node_iri, ee.context.identity.node_iri
    assert found == {de_iri, ee_iri, VOCABULARY_GRAPH}
    per_graph = PREFIX + "SELECT ?name WHERE { GRAPH <%s> { ?i a ncc:Initiative ; " \
                         "schema:name ?name . FILTER(lang(?name) = 'en') } }"
    assert names(select(client, per_graph % ee_iri)) == ["Estonian one"]
    # default-graph-uri narrows the default graph to the listed graphs
    assert names(select(client, INITIATIVES, **{"default-graph-uri": de_iri})) == ["German one"]
    # the vocabulary is there too: concept labels by SKOS
    labels = select(client, "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?l "
                    f"WHERE {{ GRAPH <{VOCABULARY_GRAPH}> {{ "
                    "<https://w3id.org/ncc/concepts/theme/education> "
                    "skos:prefLabel ?l FILTER(lang(?l) = 'de') } }")
    assert [b["l"]["value"] for b in labels["results"]["bindings"]] == ["Bildung"]


def test_view_follows_updates_and_deletions(app: Any, client: FlaskClient,
                                            make_payload: Callable[..., dict[str, Any]]) -> None:
    publisher = app.extensions["ncc"].publisher
    first = publisher.create("Initiative", make_payload(name={"en": "Alpha"}))
    publisher.create("Initiative", make_payload(name={"en": "Beta"}))
    assert names(select(client, INITIATIVES)) == ["Alpha", "Beta"]
    # the query processes keep views like this one, caught up by sequence number
    view = RdfView(app.extensions["ncc"].store)
    view.catch_up()
    size = len(view)
    updated = publisher.update(first.id, make_payload(name={"en": "Alpha two"}),
                               if_match=first.etag)
    assert names(select(client, INITIATIVES)) == ["Alpha two", "Beta"]
    assert view.catch_up() == 1
    assert len(view) == size  # old statements (blank-node organisations too) removed
    publisher.delete(first.id, if_match=updated.etag)
    assert names(select(client, INITIATIVES)) == ["Beta"]
    tombstone = select(client, "PREFIX as: <https://www.w3.org/ns/activitystreams#> "
                               f"SELECT ?t WHERE {{ <{first.id}> a as:Tombstone ; a ?t }}")
    assert len(tombstone["results"]["bindings"]) == 1
    view.catch_up()
    assert view.last_seq == app.extensions["ncc"].store.last_seq()


def test_view_rebuilt_when_missing_or_behind(app: Any, client: FlaskClient,
                                             make_payload: Callable[..., dict[str, Any]]) -> None:
    publisher = app.extensions["ncc"].publisher
    publisher.create("Initiative", make_payload(name={"en": "Alpha"}))
    view = RdfView(app.extensions["ncc"].store)
    assert view.oxigraph is None  # missing until first used
    assert names(select(client, INITIATIVES)) == ["Alpha"]
    view.catch_up()
    built = len(view)
    view.last_seq += 1000  # the store is behind the view: a restored database
    view.catch_up()
    assert names(select(client, INITIATIVES)) == ["Alpha"]
    assert view.last_seq == app.extensions["ncc"].store.last_seq() and len(view) == built


QUERY = PREFIX + "SELECT ?i ?name ?n WHERE { ?i a ncc:Initiative ; schema:name ?name ; " \
                 "ncc:version ?n }"


@pytest.mark.parametrize("accept,fmt", [
    (SPARQL_JSON, "json"), ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv")])
def test_select_formats_parse_back(app: Any, client: FlaskClient, accept: str, fmt: str,
                                   make_payload: Callable[..., dict[str, Any]]) -> None:
    app.extensions["ncc"].publisher.create("Initiative", make_payload(
        name={"en": 'Quote " and \\ back', "de": "Ümlaut\tTab"}))
    response = client.post("/sparql", data=QUERY, headers={
        "Accept": accept, "Content-Type": "application/sparql-query"})
    assert response.status_code == 200 and response.mimetype == accept
    result = Result.parse(io.BytesIO(response.get_data()), format=fmt)
    rows = {(str(r.name), getattr(r.name, "language", None)) for r in result}  # type: ignore
    if fmt == "csv":  # CSV carries plain values only
        assert rows == {('Quote " and \\ back', None), ("Ümlaut\tTab", None)}
    else:
        assert rows == {('Quote " and \\ back', "en"), ("Ümlaut\tTab", "de")}
        assert {str(r.n.datatype) for r in result} == {  # type: ignore
            "http://www.w3.org/2001/XMLSchema#integer"}


def test_ask_post_form_and_graph_formats(app: Any, client: FlaskClient,
                                         make_payload: Callable[..., dict[str, Any]]) -> None:
    record = app.extensions["ncc"].publisher.create("Initiative", make_payload())
    ask = client.post("/sparql", data={"query": f"ASK {{ <{record.id}> ?p ?o }}"},
                      headers={"Accept": SPARQL_JSON})
    assert ask.status_code == 200 and json.loads(ask.get_data())["boolean"] is True
    xml = client.get("/sparql", query_string={"query": "ASK { <urn:x:none> ?p ?o }"},
                     headers={"Accept": "application/sparql-results+xml"})
    assert Result.parse(io.BytesIO(xml.get_data()), format="xml").askAnswer is False
    for accept, fmt in (("text/turtle", "turtle"), ("application/n-triples", "nt"),
                        ("application/ld+json", "json-ld")):
        described = client.get("/sparql", query_string={"query": f"DESCRIBE <{record.id}>"},
                               headers={"Accept": accept})
        assert described.status_code == 200 and described.mimetype == accept
        graph = parse_graph(described.get_data(), fmt)
        assert (URIRef(record.id), None, None) in graph
        constructed = client.get("/sparql", headers={"Accept": accept}, query_string={
            "query": PREFIX + "CONSTRUCT { ?i schema:name ?n } WHERE { ?i schema:name ?n }"})
        names_graph = parse_graph(constructed.get_data(), fmt)
        assert len(names_graph) == len(all_names(app)) > 2


def parse_graph(data: bytes, fmt: str) -> Graph:
    if fmt != "json-ld":
        return Graph().parse(data=data, format=fmt)
    # rdflib's JSON-LD parser warns (ConjunctiveGraph); the JSON-LD comes from rdflib, so
    # Oxigraph's parser reads it back
    from pyoxigraph import RdfFormat, parse, serialize

    nt = serialize(parse(data, format=RdfFormat.JSON_LD), format=RdfFormat.N_QUADS)
    return Graph().parse(data=nt, format="nt")


def all_names(app: Any) -> set[tuple[Any, Any, Any]]:
    from pyoxigraph import NamedNode

    view = RdfView(app.extensions["ncc"].store)  # as a query process holds it
    view.catch_up()
    assert view.oxigraph is not None
    return {(q.subject, q.predicate, q.object) for q in view.oxigraph.quads_for_pattern(
        None, NamedNode("https://schema.org/name"), None, None)}


@pytest.mark.parametrize("request_kw", [
    {"query_string": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"data": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"data": {"query": "PREFIX x: <urn:x:> DELETE WHERE { ?s ?p ?o }"}},
    {"data": {"update": "LOAD <http://example.org/x>"}},
])
def test_updates_refused(client: FlaskClient, request_kw: dict[str, Any]) -> None:
    method = client.post if "data" in request_kw else client.get
    response = method("/sparql", **request_kw)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "sparql_update_refused"
    ask = select(client, "ASK { <urn:a> ?p ?o }")
    assert ask["boolean"] is False


def test_bad_queries_get_the_error_shape(client: FlaskClient) -> None:
    for query_string in ({"query": "SELEKT nothing"}, {},
                         {"query": "ASK {}", "named-graph-uri": "not an IRI"},
                         {"query": "ASK {}", "default-graph-uri": "x"}):
        response = client.get("/sparql", query_string=query_string)
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "sparql_query_invalid"
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"},
                          headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_result_cap(tmp_path: Any, live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE", **{"sparql.max_results": 5})
    client = node.app.test_client()
    response = client.get("/sparql", query_string={"query": "SELECT * { ?s ?p ?o }"})
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "sparql_too_many_results"
    assert len(select(client, "SELECT * { ?s ?p ?o } LIMIT 5")["results"]["bindings"]) == 5


def test_timeout(live_node: Callable[..., LiveNode]) -> None:
    node = live_node("DE", **{"sparql.timeout_seconds": 0.2, "sparql.max_results": 10**9})
    client = node.app.test_client()
    # the vocabulary crossed with itself three times: far longer than 0.2 s
    slow = "SELECT * { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"
    response = client.get("/sparql", query_string={"query": slow})
    assert response.status_code == 503
    body = response.get_json()["error"]
    assert body["code"] == "sparql_timeout" and "0.2 s" in body["message"]
    assert response.headers["Retry-After"]
