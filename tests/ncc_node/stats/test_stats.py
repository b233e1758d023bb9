"""/stats on real nodes: counts by origin country and concept, checked against the records."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Callable
from typing import Any

from ncc_node.reports.stats import ecosystem_stats
from vocab import concept_index

from ...nodes import LiveNode
from ...sync.conftest import peer, worker_for

DEU = "http://publications.europa.eu/resource/authority/country/DEU"
EST = "http://publications.europa.eu/resource/authority/country/EST"
SDG = "http://metadata.un.org/sdg/"


def test_counts_by_origin_country_after_sync(live_node: Callable[..., LiveNode],
                                             make_payload: Callable[..., dict[str, Any]]) -> None:
    de, ee = live_node("DE"), live_node("EE")
    for sdgs in (["sdg:4"], ["sdg:4", "sdg:10"], ["sdg:1"]):
        de.context.publisher.create("Initiative", make_payload(sdgs=sdgs))
    gone = ee.context.publisher.create("Initiative", make_payload(sdgs=["sdg:4"],
                                                                  stage="maturity:pilot"))
    ee.context.publisher.create("Initiative", make_payload(sdgs=["sdg:4"], stage="maturity:idea"))
    ee.context.publisher.delete(gone.id)  # deleted records are not counted
    ee.context.publisher.create("Method", make_payload("Method"))
    worker_for(de, peer(ee)).run_once()

    stats = de.app.test_client().get("/stats").get_json()
    assert stats == ecosystem_stats(de.context.store)
    countries = {c["country"]: c for c in stats["countries"]}
    assert set(countries) == {DEU, EST}
    assert (countries[DEU]["initiatives"], countries[DEU]["methods"]) == (3, 0)
    assert (countries[EST]["initiatives"], countries[EST]["methods"]) == (1, 1)
    assert countries[DEU]["labels"]["de"] == "Deutschland"
    assert countries[EST]["origins"] == [ee.context.identity.node_iri]
    assert stats["totals"] == {"initiatives": 4, "methods": 1}

    sdg = stats["dimensions"]["sdg"]
    assert sdg["kind"] == "Initiative"
    assert sdg["counts"] == {DEU: {SDG + "4": 2, SDG + "10": 1, SDG + "1": 1}, EST: {SDG + "4": 1}}
    assert sdg["totals"] == {SDG + "4": 3, SDG + "10": 1, SDG + "1": 1}
    assert [c["notation"] for c in sdg["concepts"]] == ["1", "4", "10"]  # scheme order
    assert all(c["labels"]["en"] for c in sdg["concepts"])
    stage = stats["dimensions"]["stage"]["counts"][EST]
    assert stage == {"https://w3id.org/ncc/concepts/stage/idea": 1}
    method_types = stats["dimensions"]["method_type"]
    assert method_types["kind"] == "Method" and sum(method_types["totals"].values()) >= 1
    # every count agrees with the records themselves
    for name, facet in (("theme", "themes"), ("target_group", "targetGroups")):
        expected: Counter[tuple[str, str]] = Counter()
        for record in de.context.store.iter_records(kind="Initiative"):
            if record.deleted:
                continue
            body = json.loads(record.body)
            country = DEU if record.origin == de.context.identity.node_iri else EST
            for value in body.get(facet, []):
                expected[(country, concept_index().expand_compact(value))] += 1
        got = {(c, iri): n for c, row in stats["dimensions"][name]["counts"].items()
               for iri, n in row.items()}
        assert got == dict(expected)


def test_csv(app: Any, client: Any, make_payload: Callable[..., dict[str, Any]]) -> None:
    app.extensions["ncc"].publisher.create("Initiative", make_payload(sdgs=["sdg:4"]))
    for kw in ({"query_string": {"format": "csv"}}, {"headers": {"Accept": "text/csv"}}):
        response = client.get("/stats", **kw)
        assert response.status_code == 200 and response.mimetype == "text/csv"
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        sdg_rows = [r for r in rows if r["dimension"] == "sdg"]
        assert sdg_rows == [{"dimension": "sdg", "kind": "Initiative", "country": DEU,
                             "concept": SDG + "4", "notation": "4",
                             "label_en": sdg_rows[0]["label_en"], "count": "1"}]
        assert sdg_rows[0]["label_en"] == "Quality education"
    assert client.get("/stats", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/stats?format=xml").get_json()["error"]["status"] == 400
