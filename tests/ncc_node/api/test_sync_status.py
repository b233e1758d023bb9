"""``GET /sync/status``: admin only; per peer last success/error, cursor, lag, counts by reason."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask.testing import FlaskClient

from ncc_node.context import NodeContext
from ncc_node.store import PeerState
from ncc_node.timestamps import format_timestamp, utc_now

Auth = Callable[..., dict[str, str]]


def test_without_a_token_it_is_401(client: FlaskClient) -> None:
    response = client.get("/sync/status")
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_write_only_token_is_403(client: FlaskClient, auth: Auth) -> None:
    response = client.get("/sync/status", headers=auth("write"))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


def test_an_admin_sees_no_peers_on_a_fresh_node(client: FlaskClient, auth: Auth,
                                                context: NodeContext) -> None:
    response = client.get("/sync/status", headers=auth("admin"))
    assert response.status_code == 200
    body = response.get_json()
    assert body["peers"] == []
    assert body["last_seq"] == context.store.last_seq()


def test_an_admin_sees_each_peers_state_lag_and_counts(client: FlaskClient, auth: Auth,
                                                      context: NodeContext) -> None:
    synced = format_timestamp(utc_now() - timedelta(seconds=90))
    with context.store.write() as writer:
        writer.save_peer(PeerState(
            base_url="http://127.0.0.1:8472", node_iri="http://127.0.0.1:8472/node",
            cursor="MTo0Mg", last_success=synced, last_error="timed out",
            last_error_at=synced, counts={"accepted": 41, "bad_signature": 2, "equivocation": 1}))
        writer.save_peer(PeerState(base_url="http://127.0.0.1:8473", last_error="refused",
                                   last_error_at=synced))
    response = client.get("/sync/status", headers=auth("admin"))
    assert response.status_code == 200
    first, second = response.get_json()["peers"]
    assert first["base_url"] == "http://127.0.0.1:8472"
    assert first["cursor"] == "MTo0Mg"
    assert first["last_success"] == synced
    assert first["last_error"] == "timed out"
    assert first["accepted"] == 41
    assert first["rejected"] == {"bad_signature": 2, "equivocation": 1}
    assert first["rejected_total"] == 3
    assert 90 <= first["lag_s"] < 150
    assert second["lag_s"] is None and second["last_success"] is None
    assert second["last_error"] == "refused"


def test_it_is_documented_in_openapi(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/sync/status"]["get"]
    assert operation["security"] == [{"bearerAuth": []}]
    assert {"200", "401", "403"} <= set(operation["responses"])
    assert "SyncStatus" in spec["components"]["schemas"]
