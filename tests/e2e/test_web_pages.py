"""The web pages through Flask's test client: status codes, language, escaping, the token gate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ncc_node.accounts import add_user
from ncc_node.context import NodeContext
from ncc_node.identity.tokens import create_token
from ncc_node.store import PeerState, StoredRecord

from ..web_session import csrf_token
from .web_data import XSS_NAME, seed, uuid_of

Seeded = dict[str, StoredRecord]


@pytest.fixture
def context(app: Flask) -> NodeContext:
    node_context: NodeContext = app.extensions["ncc"]
    return node_context


@pytest.fixture
def records(context: NodeContext, make_payload: Callable[..., dict[str, Any]]) -> Seeded:
    return seed(context, make_payload)


def text(response: Any) -> str:
    body: str = response.get_data(as_text=True)
    return body


def test_home_is_the_scouting_form_in_english_by_default(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    body = text(response)
    assert '<html lang="en">' in body
    assert '<label for="f-for">Target country</label>' in body
    assert "Choose a target country to see candidates." in body
    assert "script-src" not in response.headers["Content-Security-Policy"]  # none allowed
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]


def test_accept_language_picks_german_and_concept_labels_follow(client: FlaskClient) -> None:
    body = text(client.get("/", headers={"Accept-Language": "de-DE,de;q=0.9,en;q=0.5"}))
    assert '<html lang="de">' in body
    assert "Zielland" in body
    assert ">Estland</option>" in body  # the country scheme's German label
    assert ">4 · Hochwertige Bildung</option>" in body


def test_lang_parameter_switches_and_is_remembered(client: FlaskClient) -> None:
    response = client.get("/?lang=de", headers={"Accept-Language": "en"})
    assert "Zielland" in text(response)
    assert "ncc_lang=de" in response.headers["Set-Cookie"]
    assert "Statistik des Ökosystems" in text(client.get("/web/stats",
                                                         headers={"Accept-Language": "en"}))
    assert "Target country" in text(client.get("/?lang=en"))


def test_an_unknown_filter_value_is_a_400_page(client: FlaskClient) -> None:
    response = client.get("/?for=country:DEU&sdg=sdg:99")
    assert response.status_code == 400
    assert "Filter not understood: sdg: sdg:99" in text(response)


def test_record_page_shows_fields_labels_and_provenance(client: FlaskClient,
                                                        records: Seeded) -> None:
    record = records["mentoring"]
    response = client.get(f"/web/initiatives/{uuid_of(record)}",
                          headers={"Accept-Language": "de"})
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Digitale Lernpatenschaften für Grundschulkinder</h1>" in body
    assert "<li>Hochwertige Bildung</li>" in body and "<li>Skalierung</li>" in body
    assert "<li>Estland</li>" in body  # seeksPartnersIn
    assert "✓ geprüft, signiert mit Schlüssel http://127.0.0.1:8470/node#key-1" in body
    assert "auf diesem Knoten veröffentlicht" in body
    assert f"<code>/initiatives/{uuid_of(record)}</code>" in body  # the IRI, shown
    assert f'href="/web/initiatives/{uuid_of(record)}/record.jsonld"' in body
    assert f'href="/web/initiatives/{uuid_of(record)}/record.ttl"' in body


def test_the_record_links_serve_json_ld_and_turtle(client: FlaskClient, records: Seeded) -> None:
    record = records["mentoring"]
    iri = client.get(f"/initiatives/{uuid_of(record)}",
                     headers={"Accept": "text/html,*/*;q=0.8"})  # what a browser sends
    assert iri.status_code == 303  # to the page; the page's link serves the JSON-LD
    assert iri.headers["Location"].endswith(f"/web/initiatives/{uuid_of(record)}")
    jsonld = client.get(f"/web/initiatives/{uuid_of(record)}/record.jsonld",
                        headers={"Accept": "text/html,*/*;q=0.8"})
    assert jsonld.mimetype == "application/ld+json" and jsonld.data == record.body
    turtle = client.get(f"/web/initiatives/{uuid_of(record)}/record.ttl")
    assert turtle.status_code == 200 and turtle.mimetype == "text/turtle"
    assert b"Digital learning mentorships" in turtle.data


def test_record_text_is_escaped(client: FlaskClient, records: Seeded) -> None:
    body = text(client.get(f"/web/initiatives/{uuid_of(records['xss'])}"))
    assert "<script>" not in body
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt; Night school" in body
    assert "Evening &lt;b&gt;classes&lt;/b&gt; for parents &amp; carers." in body
    assert XSS_NAME not in body


def test_unknown_and_deleted_records(client: FlaskClient, context: NodeContext,
                                     records: Seeded) -> None:
    missing = client.get("/web/initiatives/00000000-0000-4000-8000-000000000000")
    assert missing.status_code == 404 and missing.mimetype == "text/html"
    assert "This node holds no such record." in text(missing)
    context.publisher.delete(records["repair"].id, kind="Initiative")
    gone = client.get(f"/web/initiatives/{uuid_of(records['repair'])}")
    assert gone.status_code == 410
    assert "deleted by its origin (version 2)" in text(gone)


def _sign_in(client: FlaskClient, context: NodeContext, role: str) -> None:
    name = f"someone-{role}"
    add_user(context.store, name, role=role, password="a long test password", actor="test")
    form = client.get("/web/sign-in")
    token = csrf_token(text(form))
    signed = client.post("/web/sign-in", data={"name": name, "password": "a long test password",
                                               "csrf_token": token})
    assert signed.status_code == 303


def test_operator_page_needs_an_admin(client: FlaskClient, context: NodeContext) -> None:
    refused = client.get("/web/operator")
    assert refused.status_code == 303
    assert refused.headers["Location"] == "/web/sign-in?next=/web/operator"
    _, admin_token = create_token(context.store, "ops", ["admin"])
    by_token = client.get("/web/operator", headers={"Authorization": f"Bearer {admin_token}"})
    assert by_token.status_code == 303  # tokens are for machines: the pages want a person
    _sign_in(client, context, "editor")
    forbidden = client.get("/web/operator")
    assert forbidden.status_code == 403 and "Your role (editor)" in text(forbidden)


def test_operator_page_for_a_signed_in_admin(client: FlaskClient, context: NodeContext) -> None:
    with context.store.write() as writer:
        writer.save_peer(PeerState(base_url="http://127.0.0.1:8472", last_error="timed out",
                                   counts={"accepted": 41, "bad_signature": 2}))
    _sign_in(client, context, "admin")
    page = client.get("/web/operator")
    assert page.status_code == 200
    assert "http://127.0.0.1:8472" in text(page) and "bad_signature: 2" in text(page)
    assert "timed out" in text(page) and page.headers["Cache-Control"] == "no-store"
    client.post("/web/sign-out", data={"csrf_token": csrf_token(text(page))})
    assert client.get("/web/operator").status_code == 303


def test_the_web_pages_are_not_in_the_openapi_document(client: FlaskClient) -> None:
    paths = client.get("/openapi.json").get_json()["paths"]
    assert not [path for path in paths if path == "/" or path.startswith("/web")]


def test_the_form_takes_what_the_api_takes(client: FlaskClient, records: Seeded) -> None:
    # a country by alpha-2 code or name, a concept by its label in any language, as in the API
    for country in ("EE", "EST", "Estonia", "Eesti", "country:EST"):
        response = client.get(f"/?for={country}&theme=Bildung")
        assert response.status_code == 200, country
        page = text(response)
        assert '<option value="country:EST" selected' in page
        assert '<option value="theme:education" selected' in page
    assert client.get("/?for=Atlantis").status_code == 400


def test_scouting_page_marks_the_match_and_shows_suggested_concepts_apart(
        client: FlaskClient, context: NodeContext,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    payload = make_payload("Initiative")
    for term in ("problem", "approach", "results", "impact", "transferPotential", "targetGroups"):
        payload.pop(term, None)
    payload.update(name={"en": "Express to Connect"}, themes=["theme:culture"],
                   description={"en": "Preventing loneliness <b>and</b> isolation amongst "
                                      "elderly people through creative workshops."},
                   countries=["country:NLD"])
    context.publisher.create("Initiative", payload)
    page = text(client.get("/?for=EE&q=Einsamkeit+eakad+loneliness&lang=de"))
    assert "<mark>loneliness</mark>" in page and "&lt;b&gt;and&lt;/b&gt;" in page
    assert "Aus dem Text vorgeschlagen" in page and "Ältere Menschen" in page
    assert "Teiltreffer" in page  # "Einsamkeit" is in no case
    checked = text(client.get("/?for=EE&target_group=tg:older-people&inferred=1"))
    assert "Express to Connect" in checked and 'name="inferred" value="1" checked' in checked
    assert "Express to Connect" not in text(client.get("/?for=EE&target_group=tg:older-people"))


def test_an_admin_adds_accounts_with_clear_errors(client: FlaskClient,
                                                  context: NodeContext) -> None:
    _sign_in(client, context, "admin")
    token = csrf_token(text(client.get("/web/admin/users")))

    def add(**form: str) -> Any:
        return client.post("/web/admin/users", data={"role": "editor", "csrf_token": token,
                                                     **form})

    weak = add(name="carla", password="short")
    assert weak.status_code == 400 and "Choose a longer password" in text(weak)
    assert 'href="#password"' in text(weak)  # the summary links to the field
    taken = add(name="SOMEONE-ADMIN", password="a long enough password")
    assert taken.status_code == 400
    assert "An account already has that name or e-mail address." in text(taken)
    bad = add(name="carla", email="not-an-address", password="a long enough password")
    assert bad.status_code == 400 and 'href="#email"' in text(bad)
    german = client.post("/web/admin/users?lang=de", data={
        "role": "editor", "csrf_token": token, "name": "carla", "password": "kurz"})
    assert "Wählen Sie ein längeres Passwort" in text(german)
    added = add(name="carla", email="carla@ncc.example", password="a long enough password")
    assert added.status_code == 303 and added.headers["Location"].endswith("?done=added")
    assert context.store.user(name="carla@ncc.example") is not None
    row = context.store.audit_log(limit=1)[0]
    assert (row.actor, row.action, row.detail) == ("user:someone-admin", "user.add",
                                                   "carla as editor")


@pytest.mark.parametrize("target", ["//evil.example/", "/\t/evil.example/", "/\\evil.example",
                                    "https://evil.example/", "javascript:alert(1)"])
def test_signing_in_never_leaves_the_node(client: FlaskClient, context: NodeContext,
                                          target: str) -> None:
    add_user(context.store, "ann", role="editor", password="a long test password", actor="t")
    token = csrf_token(text(client.get("/web/sign-in")))
    signed = client.post("/web/sign-in", data={"name": "ann", "password": "a long test password",
                                               "csrf_token": token, "next": target})
    assert signed.status_code == 303 and signed.headers["Location"] == "/web/account"


def test_the_sign_in_page_comes_back_to_the_page_asked_for(client: FlaskClient) -> None:
    sent = client.get("/web/admin/audit?record=a%26b&actor=x")
    assert sent.status_code == 303
    assert sent.headers["Location"] == \
        "/web/sign-in?next=/web/admin/audit%3Frecord%3Da%2526b%26actor%3Dx"


def test_scouting_page_names_the_eurovoc_concept_a_word_matched_through(
        client: FlaskClient, context: NodeContext,
        make_payload: Callable[..., dict[str, Any]]) -> None:
    payload = make_payload("Initiative")
    for term in ("problem", "approach", "results", "impact", "transferPotential", "targetGroups"):
        payload.pop(term, None)
    payload.update(name={"en": "Scam watch"}, countries=["country:NLD"],
                   description={"en": "Volunteers warn shoppers about fraud at the market."})
    context.publisher.create("Initiative", payload)
    page = text(client.get("/?for=EE&q=Betrug&lang=de"))
    assert "Scam watch" in page and "<mark>fraud</mark>" in page
    assert "Betrug (EuroVoc)" in page
