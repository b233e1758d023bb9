"""Publishing a record written by hand: nested types filled in, errors innermost field first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

MINIMAL = {"name": {"en": "Repair café network"}, "description": {"en": "Volunteers repair."},
           "countries": ["country:DEU"], "languages": ["lang:ENG"], "stage": "maturity:pilot"}
Auth = Callable[..., dict[str, str]]


def post(client: FlaskClient, auth: Auth, **fields: Any) -> Any:
    return client.post("/initiatives", json={**MINIMAL, **fields}, headers=auth("write"))


def test_nested_objects_without_a_type_get_theirs(client: FlaskClient, auth: Auth) -> None:
    response = post(client, auth, leadOrganisation={"legalName": "Repair Café Berlin e.V."},
                    partners=[{"legalName": "Bezirksamt"}, {"type": "Organization",
                                                            "legalName": "Stiftung"}])
    assert response.status_code == 201, response.get_json()
    record = response.get_json()
    assert record["leadOrganisation"] == {"type": "Organization",
                                          "legalName": "Repair Café Berlin e.V."}
    assert [p["type"] for p in record["partners"]] == ["Organization", "Organization"]


def test_a_wrong_nested_type_is_named_with_the_right_one(client: FlaskClient,
                                                         auth: Auth) -> None:
    response = post(client, auth, leadOrganisation={"type": "Organisation", "legalName": "A"},
                    partners=[{"legalName": "B"}, {"type": "Person", "legalName": "C"}])
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["message"].startswith(
        "leadOrganisation.type: must be 'Organization', not 'Organisation'")
    assert [d["path"] for d in error["details"]] == ["leadOrganisation.type", "partners[1].type"]


def test_the_innermost_failing_field_and_rule_come_first(client: FlaskClient,
                                                          auth: Auth) -> None:
    response = post(client, auth, leadOrganisation={"website": "https://repair.example.org"},
                    stage=None)
    assert response.status_code == 422
    error = response.get_json()["error"]
    first = error["details"][0]
    assert (first["path"], first["rule"]) == ("leadOrganisation.legalName", "minCount")
    assert error["message"].startswith(
        "Initiative is invalid: leadOrganisation.legalName: required (at least 1 value) "
        "(rule minCount)")
    paths = [d["path"] for d in error["details"]]
    assert paths.index("leadOrganisation.legalName") < paths.index("leadOrganisation")
