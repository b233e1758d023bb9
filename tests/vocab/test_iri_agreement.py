"""What the validators accept as an IRI is what the RDF view, Oxigraph and Turtle can carry.

Generated IRIs in a URL field and in an organisation's id: the fast validator, pyshacl (on the
hard cases), the view's direct converter, Oxigraph's strict N-Quads parser and rdflib's Turtle
serializer must agree — a record is valid exactly when every part can process it.
"""

from __future__ import annotations

import copy
from typing import Any

import pyoxigraph
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph

from ncc_node.rdfview import NotDirect, direct_statements
from vocab import (
    HTTP_IRI_PATTERN,
    NODE_BASE_PATTERN,
    check_terms,
    example,
    is_iri,
    to_graph,
    validate_record,
)
from vocab.validation.shacl import validate_shacl

UNSAFE = ['"', "<", ">", "{", "}", "|", "^", "`", "\\", " ", "\n", "\t", "\x7f", "%", "%z",
          "\x00", "\U000e0000", "\U000e0fff"]  # the last two: tags, outside ucschar
SAFE = ["%20", "é", "~", "!$&'()*+,;=", ":@", "?q=1#f", "\u4e2d", "%C3%A9", "\U000e1000"]
TAIL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


def with_website(url: str) -> dict[str, Any]:
    record = copy.deepcopy(example("initiative.jsonld"))
    record["website"] = url
    return record


def processed_everywhere(record: dict[str, Any]) -> bool:
    """Whether the view converts the record, Oxigraph parses it strictly and Turtle holds it."""
    try:
        statements = direct_statements(record)
    except NotDirect:
        return False
    try:
        pyoxigraph.Store().load(statements.nquads("https://g.example/node").encode(),
                                format=pyoxigraph.RdfFormat.N_QUADS)
    except SyntaxError:
        return False
    graph = Graph()
    graph += to_graph(record)
    try:
        graph.serialize(format="turtle")
    except Exception as exc:  # noqa: BLE001 - rdflib raises a bare Exception for a bad URI
        if "does not look like a valid URI" not in str(exc):
            raise
        return False
    return True


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tail=TAIL)
def test_validators_and_converter_agree_on_generated_iris(tail: str) -> None:
    record = with_website("https://example.org/" + tail)
    assert (validate_record(record) == []) == processed_everywhere(record)


@pytest.mark.parametrize("part", UNSAFE + SAFE)
def test_shacl_fast_path_and_converter_agree(part: str) -> None:
    record = with_website(f"https://example.org/a{part}b")
    valid = validate_record(record) == []
    assert valid == (part in SAFE)
    assert valid == processed_everywhere(record)
    # pyshacl sees the graph JSON-LD makes, which drops an ill-formed IRI (JSON-LD 1.1 toRdf):
    # there the strict term check is the one that refuses it
    shacl = validate_shacl(record)
    assert (shacl == []) if valid else (shacl != [] or check_terms(record) != [])


def test_shapes_use_the_shared_pattern() -> None:
    from rdflib.namespace import SH

    from vocab.resources import shapes_graph

    patterns = {str(o) for o in shapes_graph().objects(None, SH.pattern) if "https?" in str(o)}
    assert patterns == {HTTP_IRI_PATTERN}
    ids = [str(o) for o in shapes_graph().objects(None, SH.pattern) if "/node" in str(o)
           or "/initiatives" in str(o) or "/methods" in str(o)]
    assert len(ids) >= 5 and all(p.startswith(f"^{NODE_BASE_PATTERN}/") for p in ids), ids
    assert is_iri("urn:uuid:0") and not is_iri("https://a.example/<b>")


ASCII_PIECES = [chr(c) for c in range(128)] + ["%2F", "%e9", "%", "://", "[::1]", "#", "?"]
ASCII_IRI = st.lists(st.sampled_from(ASCII_PIECES), max_size=12).map("".join)


@settings(max_examples=2000, deadline=None)
@given(scheme=st.sampled_from(["https", "urn", "h+x-1.", "1a", ""]), tail=ASCII_IRI)
def test_ascii_iris_take_the_full_grammar(scheme: str, tail: str) -> None:
    # is_iri checks an ASCII text with classes reduced to ASCII: the answer must be the full one
    from vocab.iri import IRI

    for text in (f"{scheme}:{tail}", f"{scheme}://{tail}", f"{scheme}://[::1]{tail}", tail):
        assert is_iri(text) == (IRI.match(text) is not None), text
