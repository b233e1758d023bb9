"""Dates of year, month or day precision: records signed before the change still hold.

``tests/data/signed/before-date-precision.json`` holds initiatives with ``startDate`` and
``endDate`` signed with both suites (example keys) under the context and shapes as they were
when dates were days only; the context only grew, so they must keep validating (full and fast
paths) and verifying, and their RDF must stay the same.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncc_node.integrity.proofs import sign, verify_proof_set
from vocab import known_valid_check, to_nquads, validate_record, validate_shacl

from ..example_keys import example_key

OLD = Path(__file__).parents[2] / "data" / "signed" / "before-date-precision.json"
XSD = "http://www.w3.org/2001/XMLSchema#"
LATER = datetime.fromisoformat("2030-01-01T00:00:00+00:00")


def _old() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(OLD.read_text(encoding="utf-8"))
    return records


def _lookup(verification_method: str, created: datetime) -> Ed25519PublicKey:
    return example_key(verification_method).public_key


@pytest.mark.parametrize("record", _old(), ids=lambda r: r["proof"]["cryptosuite"])
def test_records_signed_with_day_dates_still_validate_and_verify(record: dict[str, Any]) -> None:
    assert known_valid_check()(record)  # the fast path still vouches for them
    assert validate_record(record) == []
    assert validate_shacl(record) == []
    assert verify_proof_set(record, key_lookup=_lookup, now=LATER)
    quads = to_nquads({k: v for k, v in record.items() if k != "proof"})
    assert f'"{record["startDate"]}"^^<{XSD}date>' in quads
    assert f'"{record["endDate"]}"^^<{XSD}date>' in quads


@pytest.mark.parametrize(("term", "value", "datatype"), [
    ("startYear", "2016", "gYear"), ("startMonth", "2016-05", "gYearMonth"),
    ("endYear", "2019", "gYear"), ("endMonth", "2019-11", "gYearMonth")])
@pytest.mark.parametrize("suite", ["eddsa-jcs-2022", "eddsa-rdfc-2022"])
def test_a_year_or_a_month_signs_verifies_and_is_a_typed_literal(
        term: str, value: str, datatype: str, suite: str) -> None:
    record = {k: v for k, v in copy.deepcopy(_old()[0]).items() if k != "proof"}
    field = "startDate" if term.startswith("start") else "endDate"
    del record[field]
    record[term] = value
    assert known_valid_check()(record)
    assert validate_record(record) == [] == validate_shacl(record)
    vm = "https://ncc-de.example.org/node#key-1"
    signed = sign(record, private_key=example_key(vm).private_key, verification_method=vm,
                  cryptosuite=suite)
    assert verify_proof_set(signed, key_lookup=_lookup, now=LATER)
    predicate = f"<https://schema.org/{field}>"
    assert f'{predicate} "{value}"^^<{XSD}{datatype}>' in to_nquads(record)


def test_two_precisions_of_one_date_are_refused_by_both_validators() -> None:
    record = {k: v for k, v in copy.deepcopy(_old()[0]).items() if k != "proof"}
    record["startYear"] = "2021"
    assert not known_valid_check()(record)
    assert {v.rule for v in validate_record(record)} == {"maxCount"}
    assert {v.rule for v in validate_shacl(record)} == {"MaxCount"}


def test_a_year_under_the_day_term_names_the_right_term() -> None:
    record = {k: v for k, v in copy.deepcopy(_old()[0]).items() if k != "proof"}
    record["startDate"] = "2016"
    (violation,) = validate_record(record)
    assert violation.path == "startDate" and violation.rule == "or"
    assert "a year as startYear" in violation.message
