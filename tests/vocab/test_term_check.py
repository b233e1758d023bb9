"""The strict check rejects what JSON-LD would silently drop; messages name the field."""

from __future__ import annotations

from typing import Any

import pytest

from vocab.resources import example, example_names
from vocab.validation import (
    RecordInvalid,
    certainly_valid,
    check_terms,
    ensure_valid,
    validate_record,
)


def _initiative(**changes: Any) -> dict[str, Any]:
    record = example("initiative.jsonld")
    record.update(changes)
    return record


@pytest.mark.parametrize("name", example_names())
def test_examples_pass_the_strict_check(name: str) -> None:
    assert check_terms(example(name)) == []


DROPPED = {
    "misspelt term": ({"descripton": {"en": "x"}}, "descripton"),
    "null value": ({"website": None}, "website"),
    "relative IRI": ({"website": "www.example.org"}, "website"),
    "undefined type": ({"type": "Project"}, "type"),
    "relative id": ({"id": "initiatives/1"}, "id"),
    "blank node id": ({"id": "_:b0"}, "id"),
    "JSON-LD keyword": ({"@graph": []}, "@graph"),
    "class name as key": ({"Initiative": "x"}, "Initiative"),
    "prefix as key": ({"schema": "x"}, "schema"),
    "compact IRI key": ({"schema:keywords": "x"}, "schema:keywords"),
    "bad language tag": ({"name": {"German": "Name"}}, "name.German"),
    "empty language map": ({"description": {}}, "description"),
    "list for single value": ({"stage": ["maturity:idea", "maturity:pilot"]}, "stage"),
    # "$" in a Python pattern also matches before a final newline: the rules use \\Z
    "language tag with a newline": ({"name": {"de\n": "Name"}}, "name.de\n"),
    "IRI with a trailing newline": ({"website": "https://example.org/\n"}, "website"),
}


@pytest.mark.parametrize("change", [
    {"modified": "2026-01-05T10:00:00Z\n"},
    {"id": "https://ncc-de.example.org/initiatives/0b7c6c1e-3f0a-4a8e-9a59-2f3c1d0e4b21\n"},
    {"name": {"de\n": "Name"}},
], ids=["dateTime", "id", "language tag"])
def test_a_trailing_newline_is_no_valid_value(change: dict[str, Any]) -> None:
    """No lexical rule lets a final newline through (Python's "$" matches before one)."""
    record = _initiative(**change)
    assert validate_record(record), change
    assert not certainly_valid(record)


@pytest.mark.parametrize(("change", "path"), DROPPED.values(), ids=list(DROPPED))
def test_strict_check_names_the_field(change: dict[str, Any], path: str) -> None:
    violations = check_terms(_initiative(**change))
    assert violations, "the strict check accepted a term JSON-LD would drop"
    assert path in {v.path for v in violations}, violations


def test_nested_unknown_terms_are_found() -> None:
    record = _initiative()
    record["partners"][1]["legalNmae"] = "typo"
    record["leadOrganisation"]["@context"] = {"x": "https://x.example/"}
    paths = {v.path for v in check_terms(record)}
    assert "partners[1].legalNmae" in paths
    assert "leadOrganisation.@context" in paths


def test_foreign_context_is_rejected() -> None:
    violations = check_terms(_initiative(**{"@context": "https://example.org/ctx"}))
    assert [v.path for v in violations] == ["@context"]


def test_validate_record_combines_strict_and_shapes() -> None:
    record = _initiative(descripton={"en": "typo"})
    del record["description"]
    violations = validate_record(record)
    assert {v.path for v in violations} >= {"descripton", "description"}
    with pytest.raises(RecordInvalid) as info:
        ensure_valid(record)
    assert "description: required" in str(info.value)


def test_messages_are_readable_and_point_at_json_paths() -> None:
    record = _initiative()
    record["partners"][1]["legalName"] = "x" * 400
    record["name"]["de"] = "n" * 250
    record["sdgs"] = ["sdg:4", "sdg:99"]
    by_path = {v.path: v for v in validate_record(record)}
    assert by_path["partners[1].legalName"].rule == "maxLength"
    assert "longer than 300" in by_path["partners[1].legalName"].message
    assert by_path["name.de"].message == "longer than 200 characters"
    assert str(by_path["name.de"]) == "name.de: longer than 200 characters"
    assert "sdg/99" in by_path["sdgs[1]"].message
    assert "sdgs[0]" not in by_path


def test_non_objects_are_rejected() -> None:
    assert validate_record([1, 2])[0].rule == "json"
    assert validate_record("x")[0].message == "a record must be a JSON object"
