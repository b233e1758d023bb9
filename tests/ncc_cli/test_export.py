"""``ncc export``: signed bodies verbatim, RDF, and CSV that another node can import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld import jsonld
from rdflib import Graph, URIRef

from ncc_cli.csv_layout import row_of
from ncc_cli.errors import CsvLayoutError
from ncc_node.jsonbody import dump_body

from .conftest import SAMPLE_CSV, Invoke, init_node, node_at

NCC = "https://w3id.org/ncc/vocab#"
SEC = "https://w3id.org/security#"


@pytest.fixture
def filled(ncc: Invoke, node_config: Path) -> Path:
    """A node holding the sample records."""
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    return node_config


def test_jsonld_is_the_stored_signed_bodies_verbatim(ncc: Invoke, filled: Path) -> None:
    result = ncc("export", "--config", filled)
    assert result.exit_code == 0
    assert "Exported 3 record(s) as jsonld." in result.stderr
    with node_at(filled) as node:
        bodies = [r.body for r in node.store.iter_records() if r.kind != "Node"]
    assert result.stdout_bytes == b"[\n" + b",\n".join(bodies) + b"\n]\n"
    assert [r["type"] for r in json.loads(result.stdout)] == ["Initiative", "Initiative",
                                                               "Method"]
    lines = ncc("export", "--lines", "--kind", "method", "--config", filled)
    assert lines.stdout_bytes == bodies[2] + b"\n"


def test_nquads_carry_the_proofs_and_turtle_the_payloads(ncc: Invoke, filled: Path) -> None:
    quads = ncc("export", "--format", "nquads", "--config", filled)
    assert quads.exit_code == 0
    # PyLD's N-Quads parser (rdflib's Dataset.parse warns about its own deprecated API)
    dataset = jsonld.JsonLdProcessor.parse_nquads(quads.stdout)
    proofs = [name for name, triples in dataset.items()
              if any(t["predicate"]["value"] == SEC + "proofValue" for t in triples)]
    assert len(proofs) == 3  # one named proof graph per record; blank nodes did not merge
    subjects = {t["subject"]["value"] for t in dataset["@default"]
                if t["predicate"]["value"] == NCC + "origin"}
    assert len(subjects) == 3
    turtle = ncc("export", "--format", "turtle", "--kind", "initiative", "--config", filled)
    graph = Graph().parse(data=turtle.stdout, format="turtle")
    subjects = set(graph.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                  URIRef(NCC + "Initiative")))
    assert len(subjects) == 2
    assert "@prefix theme: <https://w3id.org/ncc/concepts/theme/>" in turtle.stdout


def test_csv_round_trip_between_two_nodes(ncc: Invoke, filled: Path, tmp_path: Path) -> None:
    exported = tmp_path / "de.csv"
    result = ncc("export", "--format", "csv", "--output", exported, "--config", filled)
    assert result.exit_code == 0 and f"to {exported}" in result.stderr
    assert not list(tmp_path.glob("*.partial"))
    header = exported.read_text(encoding="utf-8").splitlines()[0]
    # today's layout first, unchanged; the columns of fields the vocabulary gained after it
    assert header == SAMPLE_CSV.read_text(encoding="utf-8").splitlines()[0] + (
        ",leadOrganisation.organisationType,endDate,scale,technologies,sameAs,source.title,"
        "source.website,source.license")
    estonia = init_node(ncc, tmp_path / "ee", "EE", "http://127.0.0.1:8472")
    imported = ncc("import", exported, "--config", estonia)
    assert imported.exit_code == 0 and "3 created" in imported.output
    again = ncc("export", "--format", "csv", "--config", estonia)
    assert again.stdout == exported.read_text(encoding="utf-8")
    with node_at(filled) as de, node_at(estonia) as ee:
        for record in de.store.iter_records(kind="Initiative"):
            theirs = json.loads(record.body)
            ours = ee.store.find_by_identifier(ee.identity.node_iri, theirs["identifier"])
            assert ours is not None and ours.origin == "http://127.0.0.1:8472/node"
            mine = json.loads(ours.body)
            for minted in ("id", "origin", "modified", "proof"):
                mine.pop(minted), theirs.pop(minted)
            assert mine == theirs  # every field survived, partners' JSON form included
    assert "3 unchanged" in ncc("import", exported, "--config", estonia).output


def test_scope_keeps_records_merged_from_peers_out_by_default(
        ncc: Invoke, filled: Path, tmp_path: Path) -> None:
    estonia = init_node(ncc, tmp_path / "ee", "EE", "http://127.0.0.1:8472")
    with node_at(estonia) as ee:
        record = ee.publisher.create("Method", {
            "name": {"et": "Kogukonna töötoad"}, "description": {"et": "Kuidas."},
            "languages": ["lang:EST"], "methodTypes": ["mt:co-creation"]})
        body = record.body
    with node_at(filled) as de:  # what the sync worker does with an accepted item
        de.store.put(json.loads(body), body, received_from="http://127.0.0.1:8472")
        own = de.publisher.create("Method", {
            "name": {"en": "No identifier"}, "description": {"en": "Made in the API."},
            "languages": ["lang:ENG"], "methodTypes": ["mt:mentoring"]})
    own_only = json.loads(ncc("export", "--config", filled).stdout)
    assert len(own_only) == 4 and body not in [dump_body(r) for r in own_only]
    every = ncc("export", "--scope", "all", "--lines", "--config", filled).stdout_bytes
    assert body + b"\n" in every
    table = ncc("export", "--format", "csv", "--kind", "method", "--config", filled).stdout
    assert f"Method,{own.id},No identifier" in table  # the id stands in as identifier


def test_export_usage_errors(ncc: Invoke, filled: Path, tmp_path: Path) -> None:
    result = ncc("export", "--format", "csv", "--lines", "--config", filled)
    assert result.exit_code == 2 and "--lines applies to --format jsonld only" in result.output
    unwritable = ncc("export", "--output", tmp_path / "missing" / "x.json", "--config", filled)
    assert unwritable.exit_code == 1
    assert unwritable.output.startswith("Error: No such file or directory")


def test_a_field_without_a_csv_column_is_never_dropped() -> None:
    payload = {"identifier": "x", "name": {"en": "X"}, "newField": "?"}
    with pytest.raises(CsvLayoutError, match="newField have no CSV column"):
        row_of("Method", payload, ["kind", "identifier", "name_en"])
