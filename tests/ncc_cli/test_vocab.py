"""``ncc vocab``: the operator's offline checks of record files and concepts."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from ncc_cli import main
from vocab import example


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_validate_accepts_valid_files(tmp_path: Path) -> None:
    record = example("initiative.jsonld")
    path = _write(tmp_path / "i.json", record)
    result = CliRunner().invoke(main, ["vocab", "validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 record(s) checked, 1 valid, 0 invalid" in result.output


def test_validate_reports_each_bad_record_with_its_line(tmp_path: Path) -> None:
    good = example("method.jsonld")
    bad = example("method.jsonld")
    bad["methodTypes"] = ["mt:astrology"]
    lines = tmp_path / "records.jsonl"
    lines.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["vocab", "validate", str(lines)])
    assert result.exit_code == 1
    assert f"{lines}:2: methodTypes[0]: <https://w3id.org/ncc/concepts/method-type/astrology>" \
        in result.output
    assert f"{lines}:1" not in result.output
    assert "2 record(s) checked, 1 valid, 1 invalid" in result.output


def test_validate_with_shacl_and_broken_json(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    valid = _write(tmp_path / "n.json", [example("node.jsonld"), example("tombstone.jsonld")])
    result = CliRunner().invoke(main, ["vocab", "validate", "--shacl", str(valid), str(broken)])
    assert result.exit_code == 1
    assert "broken.json: not valid JSON" in result.output
    assert "2 record(s) checked, 2 valid" in result.output


def test_concepts_lookup_and_label() -> None:
    runner = CliRunner()
    listing = runner.invoke(main, ["vocab", "concepts", "stage", "--lang", "de"])
    assert listing.exit_code == 0
    assert listing.output.splitlines()[0].split()[0] == "maturity:idea"
    found = runner.invoke(main, ["vocab", "lookup", "onderwijs"])
    assert "theme:education" in found.output
    missing = runner.invoke(main, ["vocab", "lookup", "quidditch"])
    assert missing.exit_code == 1 and "no concept is labelled 'quidditch'" in missing.output
    assert runner.invoke(main, ["vocab", "label", "sdg:4", "--lang", "de"]).output.strip()
    unknown = runner.invoke(main, ["vocab", "label", "sdg:99"])
    assert unknown.exit_code == 1


def test_show_prints_bundled_files() -> None:
    runner = CliRunner()
    context = json.loads(runner.invoke(main, ["vocab", "show", "context"]).output)
    assert context["@context"]["@protected"] is True
    assert "sh:NodeShape" in runner.invoke(main, ["vocab", "show", "shapes"]).output


def test_lookup_by_part_of_a_label_and_close_spellings() -> None:
    runner = CliRunner()
    part = runner.invoke(main, ["vocab", "lookup", "Umwelt"])
    assert part.exit_code == 0 and "theme:climate-environment" in part.output
    close = runner.invoke(main, ["vocab", "lookup", "Umwlet"])
    assert close.exit_code == 1
    assert "did you mean: theme:climate-environment (Climate and environment)" in close.output
