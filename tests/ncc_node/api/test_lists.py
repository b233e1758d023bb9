"""Record lists: every filter (compact and full IRIs), keyset pages, RDF, 304, bad parameters."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from rdflib import Graph, URIRef

from ncc_node.app import create_app
from ncc_node.context import NodeContext
from tests.nodes import init_node, node_config
from vocab import concept_index

from .conftest import build_payload, merge
from .test_errors import assert_error

Publish = Callable[..., dict[str, Any]]


def ids(response: Any) -> set[str]:
    """The ids of a JSON page."""
    assert response.status_code == 200, response.get_data(as_text=True)
    return {item["id"] for item in response.get_json()["items"]}


def local(url: str) -> str:
    """Path and query of an absolute URL (for the test client)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


@pytest.fixture
def corpus(publish: Publish, context: NodeContext, peer: NodeContext) -> dict[str, str]:
    """Three initiatives and two methods that differ in every facet, one merged from a peer."""
    made = {
        # the example: DEU, sdg 4+10, scaling, education, children, DEU
        "school": publish(name={"en": "Zephyrine reading pairs", "de": "Zephyrinische Lesepaare"}),
        "climate": publish(
            name={"en": "Repair cafés in rural villages"}, countries=["country:NLD"],
            sdgs=["sdg:13"], stage="maturity:pilot", themes=["theme:circular-economy"],
            targetGroups=["tg:older-people"], languages=["lang:NLD"],
            identifier="repair-1"),
        "impact": publish("Method"),  # mt:impact-measurement, DEU+AUT, sdg 8+17
    }
    foreign = peer.publisher.create("Initiative", build_payload(
        name={"en": "Care circles for older people"}, countries=["country:EST"],
        sdgs=["sdg:3"], stage="maturity:proven", themes=["theme:care"],
        targetGroups=["tg:older-people"], languages=["lang:EST"], identifier="ee-care"))
    merge(context, foreign)
    peer_method = peer.publisher.create("Method", build_payload(
        "Method", methodTypes=["mt:co-creation"], countries=["country:EST"]))
    merge(context, peer_method)
    return {**{k: v["id"] for k, v in made.items()}, "care": foreign.id,
            "cocreation": peer_method.id}


@pytest.mark.parametrize("query, expected", [
    ("", {"school", "climate", "care"}),
    ("country=country:NLD", {"climate"}),
    ("sdg=sdg:4", {"school"}),
    ("sdg=sdg:10&country=country:DEU", {"school"}),
    ("stage=maturity:proven", {"care"}),
    ("theme=theme:care", {"care"}),
    ("target_group=tg:older-people", {"climate", "care"}),
    ("language=lang:NLD", {"climate"}),
    ("q=repair", {"climate"}),
    ("q=Zephyrinisch", {"school"}),  # German text, a prefix of the last word
    ("q=zephyrine pairs", {"school"}),
    ("q=zephyrine repair", set()),  # every word must match
    ("q=quokka", set()),
    ("q=Lernbrücke", {"school", "climate", "care"}),  # the lead organisation
    ("sdg=sdg:13&country=country:DEU", set()),
])
def test_initiative_filters(client: FlaskClient, corpus: dict[str, str], query: str,
                            expected: set[str]) -> None:
    assert ids(client.get(f"/initiatives?{query}")) == {corpus[k] for k in expected}


def test_filters_take_full_iris_too(client: FlaskClient, corpus: dict[str, str]) -> None:
    index = concept_index()
    for name, compact in [("sdg", "sdg:13"), ("country", "country:NLD"),
                          ("stage", "maturity:pilot"), ("theme", "theme:circular-economy"),
                          ("target_group", "tg:older-people"), ("language", "lang:NLD")]:
        by_compact = ids(client.get(f"/initiatives?{name}={compact}"))
        assert corpus["climate"] in by_compact
        full = index.expand_compact(compact)
        assert ids(client.get(f"/initiatives?{name}={full}")) == by_compact, name


def test_origin_filter(client: FlaskClient, context: NodeContext, peer: NodeContext,
                       corpus: dict[str, str]) -> None:
    own = ids(client.get(f"/initiatives?origin={context.identity.node_iri}"))
    theirs = ids(client.get(f"/initiatives?origin={peer.identity.node_iri}"))
    assert own == {corpus["school"], corpus["climate"]} and theirs == {corpus["care"]}


def test_method_filters(client: FlaskClient, corpus: dict[str, str]) -> None:
    assert ids(client.get("/methods")) == {corpus["impact"], corpus["cocreation"]}
    assert ids(client.get("/methods?method_type=mt:impact-measurement")) == {corpus["impact"]}
    assert ids(client.get("/methods?method_type=mt:co-creation&country=country:EST")) == {
        corpus["cocreation"]}


@pytest.mark.parametrize("query, field", [
    ("sdg=sdg:99", "sdg"),
    ("sdg=theme:education", "sdg"),  # a concept of another scheme
    ("country=DE", "country"),
    ("stage=proven", "stage"),
    ("theme=http://example.org/x", "theme"),
    ("target_group=tg:aliens", "target_group"),
    ("language=lang:XXX", "language"),
    ("limit=0", "limit"),
    ("limit=-3", "limit"),
    ("limit=ten", "limit"),
    ("after=not-a-token", "after"),
    ("after=aHR0cHM6Ly94==", "after"),  # base64url of "https://x", but padded: not ours
    ("q=" + "x" * 201, "q"),
])
def test_bad_list_parameters_are_400(client: FlaskClient, query: str, field: str) -> None:
    error = assert_error(client.get(f"/initiatives?{query}"), 400, "bad_request")
    assert [d["path"] for d in error["details"]] == [field]


def test_method_type_is_checked_on_methods(client: FlaskClient) -> None:
    error = assert_error(client.get("/methods?method_type=theme:care"), 400, "bad_request")
    assert error["details"][0]["path"] == "method_type"


def test_pages_follow_next_links(client: FlaskClient, publish: Publish) -> None:
    made = sorted(publish()["id"] for _ in range(7))
    seen: list[str] = []
    url: str | None = "/initiatives?limit=3"
    pages = 0
    while url is not None:
        response = client.get(url)
        page = response.get_json()
        assert page["total"] == 7
        seen.extend(item["id"] for item in page["items"])
        if page["next"] is not None:
            assert response.headers["Link"] == f'<{page["next"]}>; rel="next"'
            assert "limit=3" in page["next"]
        url = local(page["next"]) if page["next"] else None
        pages += 1
    assert seen == made and pages == 3


def test_next_keeps_the_filters(client: FlaskClient, publish: Publish) -> None:
    for _ in range(3):
        publish(sdgs=["sdg:5"])
    publish()
    first = client.get("/initiatives?sdg=sdg:5&limit=2").get_json()
    assert "sdg=sdg%3A5" in first["next"]
    second = client.get(local(first["next"])).get_json()
    assert len(second["items"]) == 1 and second["next"] is None and second["total"] == 3


@pytest.fixture
def small_pages(tmp_path: Path) -> Iterator[Flask]:
    """A node whose list pages hold at most 2 records."""
    config = node_config(tmp_path / "small", "http://127.0.0.1:8473",
                         **{"limits.list_page_max": 2})
    init_node(config)
    application = create_app(config)
    yield application
    application.extensions["ncc"].store.close()


def test_limits_above_the_maximum_are_reduced(small_pages: Flask) -> None:
    context: NodeContext = small_pages.extensions["ncc"]
    for _ in range(3):
        context.publisher.create("Initiative", build_payload())
    page = small_pages.test_client().get("/initiatives?limit=1000").get_json()
    assert len(page["items"]) == 2 and page["next"] is not None


def test_lists_in_turtle_merge_the_payload_graphs(client: FlaskClient,
                                                  publish: Publish) -> None:
    made = [publish()["id"] for _ in range(3)]
    response = client.get("/initiatives?limit=2", headers={"Accept": "text/turtle"})
    assert response.status_code == 200 and response.mimetype == "text/turtle"
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    subjects = {str(s) for s in graph.subjects() if isinstance(s, URIRef)}
    assert set(sorted(made)[:2]) <= subjects and sorted(made)[2] not in subjects
    assert 'rel="next"' in response.headers["Link"]


def test_lists_have_etags_and_304(client: FlaskClient, publish: Publish) -> None:
    publish()
    first = client.get("/initiatives")
    etag = first.headers["ETag"]
    assert client.get("/initiatives", headers={"If-None-Match": etag}).status_code == 304
    publish()
    changed = client.get("/initiatives", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_list_items_are_the_stored_bodies(client: FlaskClient, context: NodeContext,
                                          publish: Publish) -> None:
    record = publish()
    stored = context.store.get(record["id"])
    assert stored is not None and stored.body in client.get("/initiatives").data
