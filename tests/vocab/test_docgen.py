"""docs/vocabulary.md is generated from the vocabulary's data files and kept in step with them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from rdflib import SH, SKOS, Graph, Literal

from vocab import docgen
from vocab.docgen import render
from vocab.docmodel import LANGUAGES, DocModel, Sources
from vocab.resources import context_terms, data_text, example, example_names, shapes_graph

DOCS = Path(__file__).resolve().parents[2] / "docs" / "vocabulary.md"
FENCE = re.compile(r"^```(\S*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def generated() -> str:
    return render(Sources.bundled())


def test_committed_docs_are_up_to_date(generated: str) -> None:
    assert DOCS.read_text(encoding="utf-8") == generated, (
        "docs/vocabulary.md is stale: run `python -m vocab.docgen`"
    )


def test_generation_is_deterministic(generated: str) -> None:
    assert render(Sources.bundled()) == generated


def test_every_context_term_appears(generated: str) -> None:
    missing = [t for t in context_terms() if not t.startswith("@") and f"`{t}`" not in generated]
    assert missing == []


def test_every_json_block_is_an_example_verbatim(generated: str) -> None:
    blocks = [body for info, body in FENCE.findall(generated) if info == "json"]
    examples = {name: example(name) for name in example_names()}
    assert len(blocks) == len(examples)
    for body in blocks:
        parsed = json.loads(body)
        matches = [name for name, doc in examples.items() if doc == parsed]
        assert matches, "a JSON block in the docs is not one of the example files"
        assert body == data_text(f"examples/{matches[0]}").rstrip("\n") + "\n"
    assert {json.dumps(json.loads(b), sort_keys=True) for b in blocks} == {
        json.dumps(doc, sort_keys=True) for doc in examples.values()
    }


def test_each_example_has_a_heading_naming_its_file(generated: str) -> None:
    for name in example_names():
        assert f"### `{name}`\n\n```json\n" in generated


def test_every_shape_property_and_limit_is_documented(generated: str) -> None:
    shapes = shapes_graph()
    for ps in set(shapes.subjects(SH.path, None)):
        name = shapes.value(ps, SH.name)
        if name is not None and str(name) != "type":
            assert f"| `{name}` |" in generated, name
        max_length = shapes.value(ps, SH.maxLength)
        if max_length is not None:
            assert f"≤ {max_length} chars" in generated


def test_every_concept_is_listed_with_its_labels(generated: str) -> None:
    src = Sources.bundled()
    model = DocModel(src)
    rows = {line.split(" | ")[0][2:]: line.strip("| ").split(" | ")
            for line in generated.splitlines() if line.startswith("| `")}
    concepts = set(src.schemes.subjects(SKOS.inScheme, None))
    assert len(concepts) > 100
    for concept in concepts:
        cells = rows[f"`{model.compact(concept)}`"]
        for label in src.schemes.objects(concept, SKOS.prefLabel):
            if isinstance(label, Literal) and label.language in LANGUAGES:
                assert str(label) in cells, (concept, label)


def test_cardinalities_come_from_the_shapes() -> None:
    """Changing a shape changes the docs: the generator reads, it does not restate."""
    src = Sources.bundled()
    changed = Graph()
    for triple in src.shapes:
        changed.add(triple)
    ps = next(p for p, name in changed.subject_objects(SH.name) if str(name) == "regions")
    changed.set((ps, SH.maxCount, Literal(7)))
    text = render(Sources(src.context, src.ontology, changed, src.schemes, src.examples))
    assert "| `regions` | `ncc:region` | optional, 0..7 |" in text


def test_check_mode_reports_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "vocabulary.md"
    assert docgen.main(["--output", str(target), "--check"]) == 1
    assert docgen.main(["--output", str(target)]) == 0
    assert docgen.main(["--output", str(target), "--check"]) == 0
    target.write_text(target.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    assert docgen.main(["--output", str(target), "--check"]) == 1
    assert "stale" in capsys.readouterr().err
