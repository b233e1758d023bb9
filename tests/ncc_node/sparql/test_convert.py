"""The direct JSON-LD -> N-Triples path gives the same graph as PyLD (the normative path)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph
from rdflib.compare import isomorphic

from ncc_node.rdfview import NotDirect, Statements, direct_statements, pyld_statements
from vocab import example, example_names

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from records import initiatives  # noqa: E402


def graph(statements: Statements) -> Graph:
    return Graph().parse(data=statements.nquads("urn:g").replace(" <urn:g> .", " ."),
                         format="nt")


RECORDS = [example(n) for n in example_names()] + initiatives(50)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: str(r.get("id"))[-12:])
def test_direct_equals_pyld(record: dict[str, Any]) -> None:
    direct = direct_statements(record)
    assert isomorphic(graph(direct), graph(pyld_statements(record)))
    assert direct.subjects[0] == record["id"]


def test_escapes_and_language_case() -> None:
    record = {**example("initiative.jsonld"),
              "name": {"EN-gb": 'a "quoted"\nline \\ back', "de": "Ä\r"}}
    assert isomorphic(graph(direct_statements(record)), graph(pyld_statements(record)))


@pytest.mark.parametrize("change", [
    {"@context": ["https://w3id.org/ncc/context/v1", {"x": "urn:x:"}]},
    {"unknownKey": 1},
    {"name": {"en": {"@value": "x"}}},
    {"version": 1.5},
    {"website": "relative/path"},
])
def test_other_shapes_left_to_pyld(change: dict[str, Any]) -> None:
    with pytest.raises(NotDirect):
        direct_statements({**example("initiative.jsonld"), **change})


@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.one_of(st.text(st.characters(blacklist_categories=("Cs",)), max_size=40),
                                st.sampled_from(['"', "\\", "\n", "\r", '\\"\r\n', "ä\\n"])),
                      min_size=1, max_size=3),
       lang=st.sampled_from(["en", "DE", "et-EE", "nl-be", "LB"]))
def test_any_text_and_language_matches_pyld(texts: list[str], lang: str) -> None:
    """Escaping (only texts holding a quote, backslash, LF or CR are translated) and language
    lowercasing (the checked tags are cached) agree with PyLD on any text."""
    record = {**example("initiative.jsonld"), "name": {lang: texts}, "results": {"en": texts[0]}}
    assert isomorphic(graph(direct_statements(record)), graph(pyld_statements(record)))


def test_refused_tag_and_type_stay_refused_after_cached_ones() -> None:
    record = example("initiative.jsonld")
    direct_statements(record)  # fills the language and vocabulary caches
    for change in ({"name": {"en_GB": "x"}}, {"type": ["Initiative", 7]}):
        for _ in range(2):
            with pytest.raises(NotDirect):
                direct_statements({**record, **change})
