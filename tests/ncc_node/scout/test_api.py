"""The /scout endpoints over HTTP: a federation of live nodes, the error shape, weights."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import requests
from flask.testing import FlaskClient

from sync import SyncWorker
from tests.nodes import LiveNode
from tests.sync.conftest import peer, sync_settings

from .conftest import PLAIN, Publish

Start = Callable[..., LiveNode]


def test_a_record_synced_from_another_node_is_a_candidate(
        live_node: Start, make_payload: Callable[..., dict[str, Any]]) -> None:
    estonia, germany = live_node("EE"), live_node("DE")
    made = estonia.context.publisher.create(
        "Initiative", make_payload(name={"et": "Külaköögid", "en": "Village kitchens"},
                                   countries=["country:EST"], seeksPartnersIn=["country:DEU"]))
    assert requests.get(f"{germany.url}/scout/candidates", params={"for": "DE"},
                        timeout=10).json()["items"] == []
    worker = SyncWorker(germany.context.store, germany.context.identity,
                        sync_settings(germany, [peer(estonia)]))
    worker.run_once()
    response = requests.get(f"{germany.url}/scout/candidates",
                            params={"for": "Deutschland", "q": "kulakoogid"}, timeout=10)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert [i["id"] for i in items] == [made.id]
    item = items[0]
    assert item["origin"] == f"{estonia.url}/node"
    assert item["originCountry"] == "country:EST"
    assert item["name"]["et"] == "Külaköögid"
    assert item["breakdown"]["partners"]["value"] == 1.0
    assert germany.context.store.get(made.id).received_from == estonia.url  # type: ignore
    # and the German node's own records are not candidates for Germany, but are for Estonia
    germany.context.publisher.create("Initiative", make_payload(countries=["country:DEU"]))
    worker_ee = SyncWorker(estonia.context.store, estonia.context.identity,
                           sync_settings(estonia, [peer(germany)]))
    worker_ee.run_once()
    for_estonia = requests.get(f"{estonia.url}/scout/candidates", params={"for": "EE"},
                               timeout=10).json()["items"]
    assert [i["originCountry"] for i in for_estonia] == ["country:DEU"]


def test_result_shape_and_breakdown(client: FlaskClient, publish: Publish) -> None:
    record = publish(countries=["country:NLD"])
    response = client.get("/scout/candidates?for=EE&theme=theme:education&sdg=sdg:4&limit=5")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body["weights"]) == set(body["items"][0]["breakdown"])
    [item] = body["items"]
    assert item["id"] == record["id"] and item["kind"] == "Initiative"
    assert item["stage"] == "maturity:scaling" and item["sdgs"] == ["sdg:4", "sdg:10"]
    assert item["countries"] == ["country:NLD"]
    total = sum(f["contribution"] for f in item["breakdown"].values())
    assert abs(total - item["score"]) < 1e-9
    for factor in item["breakdown"].values():
        assert abs(factor["value"] * factor["weight"] - factor["contribution"]) < 1e-9


def test_a_bad_country_is_a_400_naming_it(client: FlaskClient) -> None:
    for value in ("Atlantis", "XX"):
        response = client.get(f"/scout/candidates?for={value}")
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["code"] == "bad_request"
        assert value in error["message"] and error["details"][0]["path"] == "for"
    missing = client.get("/scout/candidates")
    assert missing.status_code == 400
    assert missing.get_json()["error"]["details"][0]["path"] == "for"
    bad_theme = client.get("/scout/candidates?for=EE&theme=theme:nonsense")
    assert bad_theme.status_code == 400
    assert bad_theme.get_json()["error"]["details"][0]["path"] == "theme"


def test_weights_come_from_the_scout_settings(app: Any, client: FlaskClient,
                                              publish: Publish) -> None:
    mature = publish(stage="maturity:established", countries=["country:DEU"], **PLAIN)
    evidenced = publish(stage="maturity:pilot", countries=["country:DEU"],
                        **{**PLAIN, "impact": {"en": "Evaluated: 78% found work."}})

    def order() -> list[str]:
        items = client.get("/scout/candidates?for=EE").get_json()["items"]
        return [i["id"] for i in items]

    assert order() == [evidenced["id"], mature["id"]]
    settings = app.extensions["ncc"].settings
    settings._values.update({"scout.weight_maturity": 5.0, "scout.weight_impact": 0.0})
    assert order() == [mature["id"], evidenced["id"]]
    assert client.get("/scout/candidates?for=EE").get_json()["weights"]["maturity"] == 5.0


def test_similar_and_methods(client: FlaskClient, publish: Publish) -> None:
    source = publish(countries=["country:DEU"])
    twin = publish(countries=["country:NLD"])
    publish(countries=["country:DEU"])
    response = client.get(f"/scout/similar/{quote(source['id'], safe='')}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert [i["id"] for i in response.get_json()["items"]] == [twin["id"]]
    plain = client.get(f"/scout/similar/{source['id']}?limit=3")
    assert [i["id"] for i in plain.get_json()["items"]] == [twin["id"]]
    missing = client.get("/scout/similar/http://127.0.0.1:8470/initiatives/none")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    method = publish("Method")
    found = client.get("/scout/methods?q=Wirkungsmessung").get_json()["items"]
    assert [i["id"] for i in found] == [method["id"]] and found[0]["kind"] == "Method"
    typed = client.get("/scout/methods?method_type=mt:impact-measurement").get_json()["items"]
    assert [i["id"] for i in typed] == [method["id"]]
    assert client.get("/scout/methods?for=DE").get_json()["items"] == []


def test_openapi_documents_the_scout_endpoints(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert {"/scout/candidates", "/scout/methods", "/scout/similar/{record_id}"} <= set(paths)
    names = {p["name"] for p in paths["/scout/candidates"]["get"]["parameters"]}
    assert {"for", "sdg", "theme", "target_group", "stage", "language", "q", "limit"} <= names
