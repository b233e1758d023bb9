"""Records to RDF: PyLD and rdflib agree on the examples; the proof gets its own graph."""

from __future__ import annotations

import json

import pytest
import rdflib
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from vocab import context_document
from vocab.rdf import JsonLdInvalid, to_dataset, to_graph, to_nquads
from vocab.resources import example, example_names

SEC_PROOF = URIRef("https://w3id.org/security#proof")


# rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph internally.
@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", example_names())
def test_pyld_and_rdflib_give_isomorphic_graphs(name: str) -> None:
    record = example(name)
    record.pop("proof")  # rdflib's parser ignores @container: @graph, see vocab/rdf.py
    from_pyld = Graph().parse(data=to_nquads(record), format="nt")
    inline = dict(record, **{"@context": context_document()["@context"]})
    from_rdflib = Graph().parse(data=json.dumps(inline), format="json-ld")
    assert len(from_pyld) >= 6
    assert isomorphic(from_pyld, from_rdflib)


@pytest.mark.parametrize("name", example_names())
def test_to_graph_matches_nquads_and_keeps_lexical_forms(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Parse the reference N-Quads without rdflib's lexical normalisation, as to_graph does.
    monkeypatch.setattr(rdflib, "NORMALIZE_LITERALS", False)
    record = example(name)
    graph = to_graph(record)
    assert (None, SEC_PROOF, None) not in graph
    assert isomorphic(graph, Graph().parse(data=to_nquads(
        {k: v for k, v in record.items() if k != "proof"}), format="nt"))
    modified = [o for o in graph.objects() if isinstance(o, Literal) and str(o).endswith("Z")]
    assert modified, "dateTime lexical forms must stay as signed (…Z)"


def test_proof_lives_in_its_own_graph() -> None:
    dataset: Dataset = to_dataset(example("initiative.jsonld"))
    named = [g for g in dataset.graphs() if g.identifier != dataset.default_graph.identifier]
    proof_graphs = [g for g in named if len(g) > 0]
    assert len(proof_graphs) == 1
    assert (None, SEC_PROOF, None) in dataset.default_graph


def test_canonical_nquads_are_sorted_and_stable() -> None:
    record = example("tombstone.jsonld")
    first = to_nquads(record, canonical=True)
    reordered = dict(reversed(list(record.items())))
    assert to_nquads(reordered, canonical=True) == first
    assert first.splitlines() == sorted(first.splitlines())


def test_invalid_json_ld_is_a_typed_error() -> None:
    record = example("method.jsonld")
    record["name"] = {"de": 5}
    with pytest.raises(JsonLdInvalid):
        to_nquads(record)
