"""The fast validator and pyshacl give the same verdict on every record of the corpus."""

from __future__ import annotations

import pytest

from vocab.validation import validate_shacl, validate_shapes

from .corpus import all_cases, invalid_records, valid_records

CASES = all_cases()


def test_corpus_is_large_enough() -> None:
    assert len(valid_records()) >= 40
    assert len(invalid_records()) >= 40
    names = [name for name, _, _ in CASES]
    assert len(names) == len(set(names)), "case names must be unique"


@pytest.mark.parametrize(("name", "rule", "record"), CASES, ids=[c[0] for c in CASES])
def test_fast_and_shacl_agree(name: str, rule: str | None, record: dict) -> None:
    fast = validate_shapes(record)
    shacl = validate_shacl(record)
    if rule is None:
        assert fast == [], f"fast validator rejected a valid record: {fast}"
        assert shacl == [], f"pyshacl rejected a valid record: {shacl}"
        return
    assert fast, "fast validator accepted an invalid record"
    assert shacl, "pyshacl accepted an invalid record"
    assert rule.lower() in {v.rule.lower() for v in fast}, fast
    assert rule.lower() in {v.rule.lower() for v in shacl}, shacl
