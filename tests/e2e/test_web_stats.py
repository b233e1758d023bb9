"""The statistics page: toggles, long labels, and per-country charts only beside others."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient

from ncc_node.app import create_app
from ncc_node.context import NodeContext
from tests.nodes import init_node, node_config

from .web_data import seed


def stats_page(client: FlaskClient) -> str:
    body: str = client.get("/web/stats?lang=en").get_data(as_text=True)
    return body


def publish_german(context: NodeContext, **fields: Any) -> None:
    payload = {"name": {"en": "Repair cafés"}, "description": {"en": "Volunteers repair."},
               "countries": ["country:DEU"], "languages": ["lang:ENG"],
               "stage": "maturity:pilot", "leadOrganisation": {"legalName": "Verein"},
               **fields}
    context.publisher.create("Initiative", payload)


def test_one_country_gets_no_chart_repeating_the_total(client: FlaskClient, app: Any) -> None:
    context = app.extensions["ncc"]
    publish_german(context, sdgs=["sdg:11"], themes=["theme:education"])
    body = stats_page(client)
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", body)
    assert captions[0] == "Records by origin country"
    assert "Theme · Total" in captions
    assert not [c for c in captions if c.endswith("· Germany")], captions


def test_toggles_say_what_they_open_and_long_labels_are_whole(client: FlaskClient,
                                                              app: Any) -> None:
    context = app.extensions["ncc"]
    publish_german(context, sdgs=["sdg:11"])
    body = stats_page(client)
    summaries = re.findall(r"<summary>(.*?)</summary>", body)
    assert summaries and set(summaries) == {"The figures as a table"}
    assert "Records: Records" not in body
    label = "Sustainable cities and communities"
    assert f"<title>{label}: 1</title>" in body  # the whole label on hover
    shown = re.findall(r"<tspan[^>]*>(.*?)</tspan>", body)
    assert label in " ".join(shown)  # wrapped on two lines, not cut
    assert "communit…" not in body


def test_several_origin_countries_get_a_chart_each(
        client: FlaskClient, app: Any, tmp_path: Path,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    seed(app.extensions["ncc"], make_payload)
    config = node_config(tmp_path / "ee", "http://127.0.0.1:8471", "EE")
    init_node(config)
    estonia = create_app(config).extensions["ncc"]
    try:  # one Estonian record merged as the sync worker stores it: same signed bytes
        record = estonia.publisher.create("Initiative", make_payload(countries=["country:EST"]))
        app.extensions["ncc"].store.put(json.loads(record.body), record.body,
                                        received_from="http://127.0.0.1:8471")
    finally:
        estonia.store.close()
    captions = re.findall(r"<figcaption>(.*?)</figcaption>", stats_page(client))
    per_country = [c for c in captions
                   if c.startswith("Maturity stage · ") and c != "Maturity stage · Total"]
    assert len(per_country) == 2 and "Maturity stage · Germany" in per_country, captions
