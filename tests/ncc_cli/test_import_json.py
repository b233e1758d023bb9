"""``ncc import`` of JSON Lines and JSON-LD: payloads, own signed records, foreign records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .conftest import SAMPLE_CSV, Invoke, init_node, stored, write


def payload(identifier: str | None, kind: str = "Method", **fields: Any) -> dict[str, Any]:
    """A JSON payload of a method."""
    value: dict[str, Any] = {"type": kind, "name": {"en": f"Method {identifier}"},
                             "description": {"en": "How to do it."},
                             "languages": ["lang:ENG"], "methodTypes": ["mt:mentoring"]}
    if identifier is not None:
        value["identifier"] = identifier
    value.update(fields)
    return value


def test_json_lines_payloads(ncc: Invoke, node_config: Path) -> None:
    path = write(node_config.parent / "rows.jsonl",
                 json.dumps(payload("m-1")), "", "{not json",
                 json.dumps(payload(None)),
                 json.dumps({"type": "Tombstone", "formerType": "Method"}),
                 json.dumps(payload("m-2", "Method", stage="maturity:pilot")),
                 json.dumps(payload("m-3", "Method", **{"@context": "https://example.org/x"})),
                 json.dumps(["not", "an", "object"]),
                 json.dumps(payload("m-4")))
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{path}:3: not valid JSON")
    assert errors[1] == f"{path}:4: identifier: required (re-imports find the record by it)"
    assert errors[2] == f"{path}:5: deletions are made with the API, not imported"
    assert errors[3].startswith(f"{path}:6: stage: ")
    assert errors[4] == f"{path}:7: @context must be 'https://w3id.org/ncc/context/v1'"
    assert errors[5] == f"{path}:8: expected a JSON object (a record or its payload)"
    assert "2 created" in result.output
    assert stored(node_config, "m-1") is not None and stored(node_config, "m-4") is not None


GRAPH = """{
  "@context": "https://w3id.org/ncc/context/v1",
  "@graph": [
    %s,
    {
      "type": "Method",
      "identifier": "no-name"
    },
    %s
  ]
}
"""


def test_json_ld_graph_reports_items_by_line(ncc: Invoke, node_config: Path) -> None:
    path = node_config.parent / "graph.jsonld"
    path.write_text(GRAPH % (json.dumps(payload("g-1")), json.dumps(payload("g-2"))))
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:5: ")  # the item's opening brace
    assert "name" in result.stderr.splitlines()[0]
    assert "2 created" in result.output
    single = node_config.parent / "single.json"
    single.write_text("\n\n" + json.dumps(payload("g-3")))
    assert "1 created" in ncc("import", single, "--config", node_config).output
    other = node_config.parent / "other.jsonld"
    other.write_text(json.dumps({"@context": "https://example.org/ctx", "@graph": []}))
    assert "the document's @context must be" in ncc("import", other,
                                                     "--config", node_config).output


def test_own_signed_records_round_trip_and_foreign_ones_are_refused(
        ncc: Invoke, node_config: Path, tmp_path: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    exported = node_config.parent / "records.jsonld"
    assert ncc("export", "--output", exported, "--config", node_config).exit_code == 0
    again = ncc("import", exported, "--config", node_config)
    assert again.exit_code == 0 and "3 unchanged" in again.output
    records = json.loads(exported.read_text())
    method = next(r for r in records if r["type"] == "Method")
    method["name"]["en"] = "Impact staircase, revised"
    lines = node_config.parent / "records.jsonl"
    lines.write_text(json.dumps(method) + "\n")
    updated = ncc("import", lines, "--config", node_config)
    assert "1 updated" in updated.output
    current = stored(node_config, "wirkungstreppe")
    assert current is not None and current["id"] == method["id"] and current["version"] == 2
    method["identifier"] = "renamed"
    lines.write_text(json.dumps(method) + "\n")
    renamed = ncc("import", lines, "--config", node_config)
    assert f"{method['id']} is stored without identifier 'renamed'" in renamed.stderr
    other = init_node(ncc, tmp_path / "ee", "EE", "http://127.0.0.1:8472")
    foreign = ncc("import", exported, "--config", other)
    assert foreign.exit_code == 1
    assert "nothing was imported" in foreign.output
    assert "is not this node's (origin http://127.0.0.1:8471/node); other nodes' records " \
        "arrive by sync" in foreign.stderr
    assert len(foreign.stderr.splitlines()) == 4  # three records and the summary error
