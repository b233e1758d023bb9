"""Hiding peers' records: out of scouting, statistics, SPARQL and pages; still stored,
verifiable and relayed (unless relaying is blocked); unhidden again. The review queue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import requests

from ncc_node import verify_proof_set
from tests.nodes import LiveNode
from tests.sync.conftest import peer, publish, worker_for

Start = Callable[..., LiveNode]
Payload = Callable[..., dict[str, Any]]
SPARQL_JSON = "application/sparql-results+json"
QUERY = ("PREFIX ncc: <https://w3id.org/ncc/vocab#> "
         "SELECT ?i WHERE { GRAPH ?g { ?i a ncc:Initiative } }")


def _sparql_ids(node: LiveNode) -> set[str]:
    response = requests.get(f"{node.url}/sparql", params={"query": QUERY},
                            headers={"Accept": SPARQL_JSON}, timeout=30)
    assert response.status_code == 200, response.text
    return {row["i"]["value"] for row in response.json()["results"]["bindings"]}


def _scouted(node: LiveNode) -> set[str]:
    response = requests.get(f"{node.url}/scout/candidates", params={"for": "EE", "limit": 50},
                            timeout=30)
    assert response.status_code == 200, response.text
    return {item["id"] for item in response.json()["items"]}


def _relayed(node: LiveNode) -> set[str]:
    items = requests.get(f"{node.url}/feed", params={"scope": "all"}, timeout=30).json()
    return {item["id"] for item in items["items"]}


def _stats_total(node: LiveNode) -> int:
    stats = requests.get(f"{node.url}/stats", params={"format": "json"}, timeout=30).json()
    return int(stats["totals"]["initiatives"])


def _hide(node: LiveNode, **body: Any) -> requests.Response:
    return requests.post(f"{node.url}/moderation/hidden", json=body,
                         headers=node.auth("admin"), timeout=30)


def _listed(node: LiveNode) -> set[str]:
    """The ids ``GET /initiatives`` lists (one page is all of them here)."""
    body = requests.get(f"{node.url}/initiatives", params={"limit": 100}, timeout=30).json()
    return {item["id"] for item in body["items"]}


def test_hiding_a_peers_record_and_origin(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    publish(de, make_payload, 3)
    worker_for(ee, peer(de)).run_once()
    held = sorted(r.id for r in ee.context.store.iter_records(kind="Initiative"))
    assert len(held) == 3 and _scouted(ee) == set(held) == _sparql_ids(ee)
    target = held[0]
    uuid = target.rsplit("/", 1)[1]
    assert requests.get(f"{ee.url}/web/initiatives/{uuid}", timeout=30).status_code == 200

    # an editor's token may not hide; a reason is required; own records cannot be hidden
    refused = requests.post(f"{ee.url}/moderation/hidden", json={"target": target,
                                                                  "reason": "spam"},
                            headers=ee.auth("write"), timeout=30)
    assert refused.status_code == 403
    assert _hide(ee, target=target, reason="  ").status_code == 400
    own = ee.context.publisher.create("Initiative", make_payload(
        name={"en": "Tallinn food sharing"}, description={"en": "Shops give surplus food."}))
    assert _hide(ee, target=own.id, reason="mine").status_code == 422
    shown_before = _scouted(ee)
    assert shown_before == {*held, own.id}

    hidden = _hide(ee, target=target, reason="advertising, not an initiative")
    assert hidden.status_code == 201 and hidden.json()["records"] == 1
    assert _scouted(ee) == shown_before - {target}
    assert target not in _sparql_ids(ee)
    assert _stats_total(ee) == 3  # the two of DE still shown, and EE's own
    assert requests.get(f"{ee.url}/web/initiatives/{uuid}", timeout=30).status_code == 404
    assert target not in _listed(ee)  # nor listed
    # still stored, verifiable, served by id and relayed
    stored = ee.context.store.get(target)
    assert stored is not None and not stored.deleted
    verify_proof_set(json.loads(stored.body),
                     key_lookup=lambda vm, _: de.context.identity.active_key.public_key)
    assert requests.get(f"{ee.url}/initiatives/{uuid}", timeout=30).status_code == 200
    assert target in _relayed(ee)
    # a new version from the peer stays hidden
    de.context.publisher.update(target, make_payload(name={"en": "Changed"}), if_match="*")
    worker_for(ee, peer(de)).run_once()
    assert ee.context.store.get(target).version == 2 and target not in _scouted(ee)

    # relaying blocked too: out of the scope=all feed, still in this node's store
    assert _hide(ee, target=target, reason="spam", relay=False).status_code == 201
    assert target not in _relayed(ee) and ee.context.store.get(target) is not None
    asked = requests.get(f"{ee.url}/feed/items", params={"id": target}, timeout=30).json()
    assert asked["items"] == []  # nor handed out for a repair

    # unhide: back everywhere
    shown = requests.post(f"{ee.url}/moderation/unhide", json={"target": target},
                          headers=ee.auth("admin"), timeout=30)
    assert shown.status_code == 200
    assert target in _scouted(ee) and target in _sparql_ids(ee) and target in _relayed(ee)
    assert target in _listed(ee)

    # a whole origin, also for what arrives later
    origin = de.context.identity.node_iri
    assert _hide(ee, target=origin, scope="origin", reason="test node").json()["records"] == 3
    assert _scouted(ee) == {own.id} and not (set(held) & _sparql_ids(ee))
    later = de.context.publisher.create("Initiative", make_payload(
        name={"en": "Repair cafés in every district"},
        description={"en": "Neighbours fix bicycles, radios and clothes together."}))
    worker_for(ee, peer(de)).run_once()
    assert ee.context.store.get(later.id) is not None and later.id not in _sparql_ids(ee)
    listed = requests.get(f"{ee.url}/moderation/hidden", headers=ee.auth("admin"), timeout=30)
    assert {h["target"] for h in listed.json()} == {origin}
    requests.post(f"{ee.url}/moderation/unhide", json={"target": origin},
                  headers=ee.auth("admin"), timeout=30)
    assert _scouted(ee) == {*held, own.id, later.id} and later.id in _sparql_ids(ee)


def test_review_queue_publish_and_reject(live_node: Start, make_payload: Payload) -> None:
    de = live_node("DE")
    with de.context.store.write() as writer:
        for n in (1, 2):
            writer.hold("Initiative", make_payload(identifier=f"held-{n}",
                                                   name={"en": f"Held {n}"}),
                        [("spam-words", "essay writing service")], "test import")
    listed = requests.get(f"{de.url}/moderation/review", headers=de.auth(), timeout=30).json()
    assert [r["identifier"] for r in listed] == ["held-1", "held-2"]
    assert listed[0]["reasons"] == [{"rule": "spam-words", "why": "essay writing service"}]
    published = requests.post(f"{de.url}/moderation/review/held-1/publish", json={},
                              headers=de.auth(), timeout=30)
    assert published.json()["outcome"] == "created"
    assert de.context.store.find_by_identifier(de.context.identity.node_iri, "held-1")
    no_reason = requests.post(f"{de.url}/moderation/review/held-2/reject", json={},
                              headers=de.auth(), timeout=30)
    assert no_reason.status_code == 400
    rejected = requests.post(f"{de.url}/moderation/review/held-2/reject",
                             json={"reason": "an advert"}, headers=de.auth(), timeout=30)
    assert rejected.status_code == 200
    entry = de.context.store.held("held-2")
    assert entry is not None and entry.status == "rejected" and entry.decision == "an advert"
    with de.context.store.write() as writer:  # a re-import does not hold it again
        assert writer.hold("Initiative", make_payload(identifier="held-2"), [], "again") == \
            "rejected"
    assert requests.get(f"{de.url}/moderation/review", headers=de.auth(),
                        timeout=30).json() == []


def test_a_hidden_replication_counts_for_nothing(live_node: Start, make_payload: Payload
                                                 ) -> None:
    de, nl, ee = live_node("DE"), live_node("NL"), live_node("EE")
    original = de.context.publisher.create("Initiative", make_payload(
        name={"en": "Learning mentors"}))
    copy = nl.context.publisher.create("Initiative", make_payload(
        name={"en": "Leermaatjes"}, countries=["country:NLD"], replicates=[original.id]))
    worker_for(ee, peer(de), peer(nl)).run_once()

    def replications() -> float:
        response = requests.get(f"{ee.url}/scout/candidates", timeout=30,
                                params={"for": "EE", "q": "Learning mentors", "limit": 50})
        item = next(i for i in response.json()["items"] if i["id"] == original.id)
        return float(item["breakdown"]["replications"]["value"])

    assert replications() > 0
    assert _hide(ee, target=copy.id, reason="spam").status_code == 201
    assert replications() == 0
    assert _hide(ee, target=nl.context.identity.node_iri, scope="origin",
                 reason="test").status_code == 201
    requests.post(f"{ee.url}/moderation/unhide", json={"target": copy.id},
                  headers=ee.auth("admin"), timeout=30)
    assert replications() == 0  # its origin is still hidden


def test_retry_now_asks_the_peer_again(live_node: Start, make_payload: Payload) -> None:
    de, ee = live_node("DE"), live_node("EE")
    [record] = publish(de, make_payload, 1)
    with ee.context.store.write() as writer:  # as if it had come damaged from DE
        entry = writer.quarantine(peer=de.url, record_id=record.id, reason="bad_signature",
                                  detail="the proof does not verify", body=b'{"broken": 1}')
    assert ee.context.store.pending_retries() == {}
    asked = requests.post(f"{ee.url}/moderation/quarantine/{entry}/retry",
                          headers=ee.auth("admin"), timeout=30)
    assert asked.status_code == 202 and asked.json()["record_id"] == record.id
    assert ee.context.store.pending_retries() == {de.url: 1}
    assert requests.post(f"{ee.url}/moderation/quarantine/999999/retry",
                         headers=ee.auth("admin"), timeout=30).status_code == 404
    result = worker_for(ee, peer(de)).run_once()[0]
    assert result.error is None
    assert ee.context.store.pending_retries() == {}  # asked for again, and it verified
    held = ee.context.store.get(record.id)
    assert held is not None and held.body == record.body
