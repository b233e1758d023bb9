"""``ncc import --mapping``: samples of two real datasets, content checks, the review queue."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

from tests import processes

from .conftest import REPO, Invoke, init_node, stored

MAPPINGS = REPO / "config" / "mappings"
DATA = REPO / "tests" / "data" / "mappings"
DSI = DATA / "dsi4eu" / "projects2.json"
NL = DATA / "nl-esif" / "StructuralFundsNL2007NOW.csv"
SUMMARY = re.compile(r"(\d+) row\(s\): (\d+) created, (\d+) updated, (\d+) unchanged, "
                     r"(\d+) held for review.*?, (\d+) refused")


def _summary(output: str) -> tuple[int, ...]:
    match = SUMMARY.search(output)
    assert match, output
    return tuple(int(g) for g in match.groups())


def test_dsi4eu_sample_imports_holds_spam_and_reimport_changes_nothing(
        ncc: Invoke, node_config: Path) -> None:
    args = ("import", "--mapping", MAPPINGS / "dsi4eu-projects.toml", DSI, "--config",
            node_config)
    first = ncc(*args)
    rows, created, updated, unchanged, held, refused = _summary(first.output)
    assert rows == 143 and created + held + refused == rows
    assert (created + held) / rows >= 0.85  # refused: no description or no country at all
    # every refused row names the field and the rule
    refusals = [line for line in first.output.splitlines() if re.match(r".*:\d+: \w", line)
                and "held for review" not in line and "note" not in line]
    assert len(refusals) == refused
    assert all(re.search(r"\w+: .* \[rule [\w-]+\]", line) for line in refusals)
    # the spam of the source is held, not published
    assert stored(node_config, "dsi4eu-project-838") is None
    listing = ncc("review", "list", "--config", node_config)
    assert "dsi4eu-project-838\tcommercial-spam" in listing.output
    # a published case: countries from its organisations, source and licence stamped
    record = stored(node_config, "dsi4eu-project-251")
    assert record is not None
    assert record["source"]["license"] == "https://creativecommons.org/licenses/by-nc-sa/4.0/"
    assert record["countries"] and all(c.startswith("country:") for c in record["countries"])
    assert "languages" not in record and "stage" not in record  # never guessed
    again = ncc(*args)
    assert _summary(again.output)[1:4] == (0, 0, created)
    assert "(0 new, 0 rejected before)" in again.output


def test_nl_sample_dry_run_reports_fills_and_writes_nothing(ncc: Invoke, node_config: Path,
                                                            tmp_path: Path) -> None:
    args = ("import", "--mapping", MAPPINGS / "nl-esf-erdf-operations.toml", NL, "--config",
            node_config)
    dry = ncc(*args, "--dry-run")
    assert "Fields filled (rows):" in dry.output
    fills = dict(re.findall(r"^\s+(\S+)\s+([\d,]+)\s+[\d.]+%$", dry.output, re.M))
    assert fills["name"] == "151" and fills["countries"] == "151"
    assert int(fills["description"]) < 151  # some operations have no summary
    assert "languages detected:" in dry.output and "description@nl" in dry.output
    assert "dry run: nothing written" in dry.output
    assert _exported(ncc, node_config, tmp_path) == []
    real = ncc(*args)
    rows, created, _, _, held, refused = _summary(real.output)
    assert (created + held) / rows >= 0.9
    records = _exported(ncc, node_config, tmp_path)
    assert len(records) == created
    record = next(r for r in records if r.get("endDate"))
    assert set(record["name"]) == {"nl", "en"}
    assert record["source"]["title"].startswith("Netherlands: list of ESF and ERDF")
    assert record["fundingProgrammes"][0] in ("funding:esf", "funding:erdf")
    assert record["countries"] == ["country:NLD"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", record["startDate"])


def _exported(ncc: Invoke, config: Path, tmp_path: Path) -> list[dict[str, Any]]:
    out = tmp_path / "export.jsonl"
    result = ncc("export", "--lines", "-o", out, "--config", config)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def test_review_publish_and_reject(ncc: Invoke, node_config: Path, tmp_path: Path) -> None:
    source = tmp_path / "dsi"
    shutil.copytree(DATA / "dsi4eu", source)
    ncc("import", "--mapping", MAPPINGS / "dsi4eu-projects.toml", source / "projects2.json",
        "--config", node_config)
    shown = ncc("review", "show", "dsi4eu-project-838", "--config", node_config)
    assert shown.exit_code == 0 and "held by commercial-spam" in shown.output
    assert "Essay" in shown.output
    rejected = ncc("review", "reject", "dsi4eu-project-838", "--config", node_config)
    assert rejected.exit_code == 0
    listing = ncc("review", "list", "--rejected", "--config", node_config)
    assert "dsi4eu-project-838" in listing.output
    # a re-import does not hold a rejected record again
    again = ncc("import", "--mapping", MAPPINGS / "dsi4eu-projects.toml",
                source / "projects2.json", "--config", node_config)
    assert "rejected before" in again.output and "(0 new, 1 rejected before)" in again.output
    held = ncc("review", "list", "--config", node_config).output.splitlines()
    identifier = held[0].split("\t")[0]
    published = ncc("review", "publish", identifier, "--config", node_config)
    assert published.exit_code == 0, published.output
    assert stored(node_config, identifier) is not None
    missing = ncc("review", "show", "no-such-record", "--config", node_config)
    assert missing.exit_code != 0 and "no record 'no-such-record'" in missing.output


def test_a_bad_mapping_is_refused_with_the_key_named(ncc: Invoke, node_config: Path,
                                                     tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[source]\nformat = "csv"\nname = "x"\nurl = "https://x.example"\n'
                   'license = "https://x.example/l"\n[fields.identifier]\npath = "id"\n'
                   '[fields.nmae]\npath = "title"\n', encoding="utf-8")
    result = ncc("import", "--mapping", bad, NL, "--config", node_config)
    assert result.exit_code != 0
    assert "fields.nmae" in result.output


def test_mapped_records_round_trip_through_the_csv_layout(ncc: Invoke, node_config: Path,
                                                         tmp_path: Path) -> None:
    ncc("import", "--mapping", MAPPINGS / "dsi4eu-projects.toml", DSI, "--config", node_config)
    exported = tmp_path / "all.csv"
    assert ncc("export", "--format", "csv", "-o", exported, "--config",
               node_config).exit_code == 0
    header = exported.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert {"source.license", "keywords_en", "technologies",
            "leadOrganisation.organisationType"} <= set(header)
    other = init_node(ncc, tmp_path / "other", country="NL", base_url="http://127.0.0.1:8472")
    again = ncc("import", exported, "--config", other)
    assert again.exit_code == 0, again.output
    record = stored(other, "dsi4eu-project-251")
    assert record is not None and record["source"]["title"].startswith("DSI4EU")
    assert record == {**record, **{k: v for k, v in (stored(node_config, "dsi4eu-project-251")
                                                    or {}).items()
                                   if k not in ("id", "origin", "proof", "modified", "version")}}


def test_the_progress_bar_shows_the_total_counted_first(node_config: Path) -> None:
    """A real ``ncc`` process whose stderr is a terminal (a pty), as an operator runs it."""
    import os
    import pty
    import subprocess
    import sys

    # the sample's summaries hold line breaks: the total counts rows (151), not lines (341)
    text = NL.read_text(encoding="utf-8")
    rows = sum(1 for _ in csv.reader(io.StringIO(text))) - 1
    assert rows < text.count("\n") - 1
    primary, secondary = pty.openpty()
    process = processes.start(
        [sys.executable, "-m", "ncc_cli", "import", "--mapping",
         str(MAPPINGS / "nl-esf-erdf-operations.toml"), str(NL), "--dry-run",
         "--config", str(node_config)],
        stdout=subprocess.DEVNULL, stderr=secondary, stdin=subprocess.DEVNULL)
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 65536)
        except OSError:  # the process closed its end
            break
        if not chunk:
            break
        seen += chunk
    os.close(primary)
    assert processes.wait_or_kill(process, 120) in (0, 1)
    assert f"{rows}/{rows}".encode() in seen, seen[-400:]


def test_ips_sample_dates_of_year_precision_and_ended_cases(ncc: Invoke,
                                                            node_config: Path) -> None:
    """A third real dataset, mapped the same way: years stay years, failed cases are kept."""
    source = DATA / "ips" / "cases.json"
    cases = {str(c["id"]): c for c in json.loads(source.read_text(encoding="utf-8"))}
    args = ("import", "--mapping", MAPPINGS / "ips-explorer-cases.toml", source, "--config",
            node_config)
    first = ncc(*args)
    rows, created, _, _, held, refused = _summary(first.output)
    assert rows == len(cases) == 171 and (created + held) / rows >= 0.9
    ended = [i for i, c in cases.items() if c["status"] == "Not in use anymore"]
    stored_ended = [r for r in (stored(node_config, f"ips-case-{i}") for i in ended) if r]
    assert stored_ended and all(r["stage"] == "maturity:discontinued" for r in stored_ended)
    for case_id, case in cases.items():
        record = stored(node_config, f"ips-case-{case_id}")
        if record is None:
            continue
        assert record["startYear"] == case["start_date"] and "startDate" not in record
        if case["end_date"]:
            assert record["endYear"] == case["end_date"].removesuffix(".0")
        if case["status"] == "In development":
            assert "stage" not in record  # no honest match: left out, never guessed
    assert _summary(ncc(*args).output)[1:4] == (0, 0, created)
