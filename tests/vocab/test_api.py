"""The vocab package's public API: sorted, importable, and free of import-time work."""

from __future__ import annotations

import subprocess
import sys

import vocab


def test_all_is_sorted_and_importable() -> None:
    assert list(vocab.__all__) == sorted(vocab.__all__)
    for name in vocab.__all__:
        assert getattr(vocab, name) is not None


def test_import_does_no_work() -> None:
    # Importing must not parse data files (CONVENTIONS §1): the caches stay empty.
    code = (
        "import vocab, vocab.resources as r, vocab.concepts as c;"
        "print(r.context_document.cache_info().currsize, r.shapes_graph.cache_info().currsize,"
        " r.schemes_graph.cache_info().currsize, c.concept_index.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "0", "0", "0"]


def test_vocabulary_graph_joins_ontology_and_schemes() -> None:
    graph = vocab.vocabulary_graph()
    assert len(graph) == len(vocab.ontology_graph() | vocab.schemes_graph())
