"""Benchmark: a 100,000-row CSV through a mapping into a node (``ncc import --mapping``).

Every row goes the whole way: read, mapped (HTML descriptions to text, the language of each
description detected, value maps to concepts, dates), content-checked, validated, signed and
stored. The rows are built from the real samples in tests/data/mappings (Dutch operations and
DSI4EU projects, HTML and all), each with its own identifier. A source this large is mapped
in worker processes (one per CPU beyond the importing one) while the importing process
validates, signs and stores (and maps the rows it would otherwise wait for). Prints rows per
second, the importing process's CPU per row, how many rows it mapped itself and the machine's
load; exits 1 below the target (1,500 rows/s).

    python bench/import.py [--rows N] [--target R]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ncc_cli import main  # noqa: E402
from ncc_cli.importer import Importer  # noqa: E402
from ncc_cli.mapping import MappedSource  # noqa: E402
from ncc_cli.node_access import opened_node  # noqa: E402

SAMPLES = ROOT / "tests" / "data" / "mappings"
TARGET = 1500.0
MAPPING = """
[source]
format = "csv"
kind = "Initiative"
name = "Benchmark rows built from DSI4EU and the Dutch list of operations"
url = "https://github.com/nestauk/DSI4EU_Dataviz"
license = "https://creativecommons.org/licenses/by-nc-sa/4.0/"

[fields.identifier]
path = "id"
[fields.description]
path = "text"
html = true
language = "detect"
fallback_language = "en"
max_length = 3000
overflow = "drop"
[fields.name]
path = "title"
language = "as:description"
[fields.countries]
path = "country"
split = ";"
[fields."leadOrganisation.legalName"]
path = "organisation"
[fields."leadOrganisation.organisationType"]
path = "organisation_type"
map = { "public" = "orgtype:public-body", "ngo" = "orgtype:ngo", "company" = "orgtype:company" }
map_only = true
[fields.fundingProgrammes]
path = "fund"
map = { "ESF" = "funding:esf", "EFRO" = "funding:erdf" }
[fields.startDate]
path = "start"
date = ["%d.%m.%Y"]
[fields.themes]
path = "themes"
split = ","
[fields.keywords]
path = "keywords"
split = ","
language = "en"
"""


def texts() -> list[tuple[str, str]]:
    """(title, description) pairs of the real samples, HTML kept, long ones left out."""
    pairs = []
    with (SAMPLES / "nl-esif" / "StructuralFundsNL2007NOW.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row["Samenvatting"].replace("\ufffd", "")
            if 80 < len(text) < 2500:
                pairs.append((row["Titel van het project (naam van de concrete actie)"][:180],
                              text))
    for item in json.loads((SAMPLES / "dsi4eu" / "projects2.json").read_text("utf-8")):
        text = item["long_description"]
        if 120 < len(text) < 2500 and "essay" not in text.lower():
            pairs.append((item["project_name"][:180], text))
    return pairs


def write_csv(path: Path, rows: int) -> None:
    rng = random.Random(17)
    pairs = texts()
    countries = ["NL", "DE", "EE", "LU", "BE", "GB", "CH", "FR"]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(["id", "title", "text", "country", "organisation", "organisation_type",
                      "fund", "start", "themes", "keywords"])
        for i in range(rows):
            title, text = pairs[i % len(pairs)]
            # each text its own (a number in it): detection and cleaning run for every row
            out.writerow([f"bench-{i}", f"{title} ({i})", f"{text} ({i})",
                          ";".join(rng.sample(countries, rng.randint(1, 2))),
                          f"Organisation {i % 5000}", rng.choice(["public", "ngo", "company"]),
                          rng.choice(["ESF", "EFRO"]),
                          f"{rng.randint(1, 28):02d}.{rng.randint(1, 12):02d}."
                          f"{rng.randint(2007, 2024)}",
                          rng.choice(["Education", "Employment", "Social inclusion, Health"]),
                          rng.choice(["open data", "volunteers, mentoring", "apps"])])


def main_() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--target", type=float, default=TARGET)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source, mapping = work / "rows.csv", work / "bench.toml"
        write_csv(source, args.rows)
        mapping.write_text(MAPPING, encoding="utf-8")
        result = CliRunner().invoke(main, ["init", "--country", "NL", "--base-url",
                                           "http://127.0.0.1:8471", "--dir", str(work / "nl")])
        assert result.exit_code == 0, result.output
        config = work / "nl" / "ncc.toml"
        with opened_node(config) as node:
            mapped = MappedSource(mapping, source)
            importer = Importer(node, batch_size=500, max_rows=args.rows)
            load = os.getloadavg()[0]
            started, cpu = time.perf_counter(), time.process_time()
            report = importer.run(mapped.rows(lambda _n: None))
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        stats = mapped.stats
    rate = stats.rows / elapsed
    print(f"import --mapping: {stats.rows:,} rows in {elapsed:.1f} s = {rate:,.0f} rows/s "
          f"({report.counts['created']:,} created, {len(stats.held):,} held, "
          f"{len(report.rejected):,} refused; languages detected in "
          f"{sum(stats.detected.values()):,} texts)")
    # the machine's load says how far the wall-clock figure is from this code's own speed
    print(f"importing process: {cpu / stats.rows * 1e6:,.0f} us CPU per row, "
          f"{stats.judged_here / stats.rows:.0%} of the rows mapped there; "
          f"{mapped.workers} mapping worker process(es); {os.cpu_count()} CPUs, load average "
          f"{load:.1f} at the start, {os.getloadavg()[0]:.1f} at the end")
    print(f"target: >= {args.target:,.0f} rows/s: {'met' if rate >= args.target else 'MISSED'}")
    return 0 if rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main_())
