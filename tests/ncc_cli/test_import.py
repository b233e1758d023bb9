"""``ncc import``: CSV, JSON Lines and JSON-LD; bad rows by line; all-or-nothing; idempotence."""

from __future__ import annotations

import cProfile
import csv
import io
from pathlib import Path

from ncc_node.records.publish import payload_of
from ncc_node.store.derive import index_text

from .conftest import SAMPLE_CSV, Invoke, calls, node_at, stored, write

HEADER = ("kind,identifier,name_en,description_en,leadOrganisation.legalName,countries,"
          "languages,stage,methodTypes,sdgs,website")


def good_row(identifier: str, kind: str = "Initiative", **cells: str) -> str:
    """One valid CSV line in HEADER's layout, with some cells replaced."""
    values = {"kind": kind, "identifier": identifier, "name_en": f"Name of {identifier}",
              "description_en": "What it does.", "leadOrganisation.legalName": "Verein e.V.",
              "countries": "DE", "languages": "de; en",
              "stage": "pilot" if kind == "Initiative" else "",
              "methodTypes": "mentoring" if kind == "Method" else "", "sdgs": "", "website": ""}
    values.update(cells)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(values.values())
    return out.getvalue().removesuffix("\n")


def test_sample_csv_resolves_labels_and_reimport_changes_nothing(ncc: Invoke,
                                                                 node_config: Path) -> None:
    first = ncc("import", SAMPLE_CSV, "--config", node_config)
    assert first.exit_code == 0, first.output
    assert "3 row(s): 3 created, 0 updated, 0 unchanged, 0 rejected" in first.output
    record = stored(node_config, "lernbruecke-2021-0142")
    assert record is not None and record["version"] == 1
    assert record["themes"] == ["theme:education", "theme:digital-inclusion"]  # "Bildung"
    assert record["countries"] == ["country:DEU"] and record["languages"] == ["lang:DEU",
                                                                              "lang:ENG"]
    assert record["sdgs"] == ["sdg:4", "sdg:10"] and record["stage"] == "maturity:scaling"
    assert record["seeksPartnersIn"] == ["country:EST", "country:LUX"]
    assert record["seeksPartners"] is True
    assert record["fundingProgrammes"] == ["funding:esf-plus", "funding:foundation"]
    assert record["partners"][1] == {
        "type": "Organization",
        "legalName": "Universität Leipzig, Institut für Bildungswissenschaften"}
    assert record["leadOrganisation"]["countries"] == ["country:DEU"]
    repair = stored(node_config, "repair-cafe-net-007")
    assert repair is not None and repair["partners"] == [{
        "type": "Organization", "legalName": "Gemeente Utrecht",
        "website": "https://www.utrecht.nl", "countries": ["country:NLD"]}]
    with node_at(node_config) as node:
        seq = node.store.last_seq()
    again = ncc("import", SAMPLE_CSV, "--config", node_config)
    assert again.exit_code == 0
    assert "3 row(s): 0 created, 0 updated, 3 unchanged, 0 rejected" in again.output
    with node_at(node_config) as node:
        assert node.store.last_seq() == seq  # nothing was written


def test_a_changed_row_bumps_the_version_of_the_same_record(ncc: Invoke,
                                                            node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    before = stored(node_config, "repair-cafe-net-007")
    changed = node_config.parent / "changed.csv"
    changed.write_text(SAMPLE_CSV.read_text(encoding="utf-8").replace(",pilot,", ",proven,"),
                       encoding="utf-8")
    result = ncc("import", changed, "--config", node_config)
    assert "3 row(s): 0 created, 1 updated, 2 unchanged" in result.output
    after = stored(node_config, "repair-cafe-net-007")
    assert before is not None and after is not None
    assert after["id"] == before["id"] and after["version"] == 2
    assert after["stage"] == "maturity:proven"
    assert payload_of(after) == {**payload_of(before), "stage": "maturity:proven"}


def bad_file(folder: Path) -> Path:
    """Rows 2-3 good (one cell spans two lines), then bad rows on lines 4 to 7, good on 8."""
    return write(
        folder / "mixed.csv",
        HEADER,
        good_row("ok-1", description_en="First line\nsecond line"),  # lines 2-3
        good_row("bad-concept", sdgs="4; Happiness"),  # line 4
        "Initiative,short-row,Only three cells",  # line 5
        good_row("bad-url", website="not a url"),  # line 6: passes the layout, not the shapes
        good_row("ok-1"),  # line 7: the identifier of line 2 again
        good_row("ok-2", kind="Method"),  # line 8
    )


def test_bad_rows_are_reported_by_line_and_the_rest_imported(ncc: Invoke,
                                                             node_config: Path) -> None:
    path = bad_file(node_config.parent)
    result = ncc("import", path, "--config", node_config, "--batch-size", "2")
    assert result.exit_code == 1
    errors = result.stderr.splitlines()
    assert errors[0].startswith(f"{path}:4: sdgs: 'Happiness' is not a concept of sdg")
    assert errors[1] == f"{path}:5: 3 cells, the header has 11"
    assert errors[2].startswith(f"{path}:6: website: ")
    assert errors[3] == f"{path}:7: identifier 'ok-1' is already used on line 2"
    assert errors[4] == "Error: 4 row(s) rejected; the other 2 were imported"
    assert "6 row(s): 2 created, 0 updated, 0 unchanged, 4 rejected" in result.stdout
    assert stored(node_config, "ok-1") is not None and stored(node_config, "ok-2") is not None
    assert stored(node_config, "bad-url") is None
    first = stored(node_config, "ok-1")
    assert first is not None and first["description"] == {"en": "First line\nsecond line"}


def test_all_or_nothing_imports_nothing_when_a_row_is_bad(ncc: Invoke, node_config: Path) -> None:
    path = bad_file(node_config.parent)
    result = ncc("import", path, "--all-or-nothing", "--config", node_config)
    assert result.exit_code == 1
    assert "Error: 4 row(s) rejected; nothing was imported (--all-or-nothing)" in result.output
    assert f"{path}:6: website: " in result.stderr
    assert stored(node_config, "ok-1") is None and stored(node_config, "ok-2") is None
    # a row that only the shapes reject (found while signing) also stops everything
    only_shapes = write(node_config.parent / "shapes.csv", HEADER, good_row("a"),
                        good_row("b", website="not a url"), good_row("c"))
    result = ncc("import", only_shapes, "--all-or-nothing", "--config", node_config)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{only_shapes}:3: website: ")
    assert stored(node_config, "a") is None
    fine = write(node_config.parent / "fine.csv", HEADER, good_row("a"), good_row("c"))
    result = ncc("import", fine, "--all-or-nothing", "--config", node_config)
    assert result.exit_code == 0 and "2 created" in result.output


def test_dry_run_checks_and_counts_but_writes_nothing(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    path = write(node_config.parent / "dry.csv", HEADER, good_row("new-1"),
                 good_row("bad", website="nope"))
    result = ncc("import", path, "--dry-run", "--config", node_config)
    assert result.exit_code == 1
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    assert "dry run: nothing written" in result.output
    assert "Error: 1 row(s) would be rejected" in result.output
    assert stored(node_config, "new-1") is None
    clean = ncc("import", SAMPLE_CSV, "--dry-run", "--config", node_config)
    assert clean.exit_code == 0 and "0 created, 0 updated, 3 unchanged" in clean.output


def test_csv_with_semicolons_from_a_spreadsheet(ncc: Invoke, node_config: Path) -> None:
    rows = list(csv.reader(io.StringIO(f"{HEADER}\n{good_row('x', sdgs='4; 10')}\n")))
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    path = node_config.parent / "excel.csv"
    path.write_bytes(b"\xef\xbb\xbf" + out.getvalue().encode("utf-8"))  # BOM, CRLF
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 0, result.output
    record = stored(node_config, "x")
    assert record is not None and record["sdgs"] == ["sdg:4", "sdg:10"]


def test_file_level_problems_stop_before_any_row(ncc: Invoke, node_config: Path) -> None:
    folder = node_config.parent
    header = write(folder / "header.csv", HEADER + ",colour,name_xx,kind", good_row("x"))
    result = ncc("import", header, "--config", node_config)
    assert result.exit_code == 1
    assert "Error: CSV header: unknown column(s) 'colour', 'name_xx'" in result.output
    assert "repeated column(s) 'kind'" in result.output
    latin = folder / "latin.csv"
    latin.write_bytes((HEADER + "\n" + good_row("x", name_en="Caf\u00e9")).encode("latin-1"))
    assert "is not UTF-8" in ncc("import", latin, "--config", node_config).output
    empty = write(folder / "empty.csv", "")
    assert "needs a header row" in ncc("import", empty, "--config", node_config).output
    odd = write(folder / "rows.txt", HEADER)
    result = ncc("import", odd, "--config", node_config)
    assert result.exit_code == 1 and "pass --format csv|jsonl|jsonld" in result.output
    assert ncc("import", odd, "--format", "csv", "--config", node_config).exit_code == 0
    broken = write(folder / "broken.json", '[{"type": "Initiative",', "}")
    assert f"{broken}:2: not valid JSON" in ncc("import", broken, "--config", node_config).output
    missing = ncc("import", folder / "nope.csv", "--config", node_config)
    assert missing.exit_code == 2 and "does not exist" in missing.output
    for name in ("header.csv", "latin.csv", "x"):
        assert stored(node_config, name) is None


def test_row_limit_from_the_settings(ncc: Invoke, node_config: Path) -> None:
    path = write(node_config.parent / "three.csv", HEADER, good_row("a"), good_row("b"),
                 good_row("c"))
    result = ncc("import", path, "--config", node_config, "--all-or-nothing",
                 env={"NCC_LIMITS_IMPORT_MAX_ROWS": "2"})
    assert result.exit_code == 1
    assert "more than 2 rows (limits.import_max_rows)" in result.output
    assert stored(node_config, "a") is None


def test_kind_of_a_record_cannot_change(ncc: Invoke, node_config: Path) -> None:
    assert ncc("import", SAMPLE_CSV, "--config", node_config).exit_code == 0
    path = write(node_config.parent / "kind.csv", HEADER, good_row("wirkungstreppe"))
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert f"{path}:2: identifier 'wirkungstreppe' belongs to Method" in result.stderr


def test_concepts_found_in_the_texts_are_suggested_not_added(ncc: Invoke,
                                                             node_config: Path,
                                                             tmp_path: Path) -> None:
    path = write(tmp_path / "lonely.csv", "\n".join([HEADER, good_row(
        "express-to-connect", description_en="Preventing loneliness and isolation amongst "
        "elderly people through creative workshops.")]))
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 0, result.output
    assert "suggested from the texts" in result.output
    assert "tg:older-people (1 row(s))" in result.output
    record = stored(node_config, "express-to-connect")
    assert record is not None and "targetGroups" not in record  # only a suggestion


def test_each_row_s_texts_are_analysed_once(ncc: Invoke, node_config: Path) -> None:
    profile = cProfile.Profile()
    profile.enable()
    result = ncc("import", SAMPLE_CSV, "--config", node_config)
    profile.disable()
    assert "3 created" in result.output, result.output
    # the index entries derived for the suggestions are the ones stored: once per row
    assert calls(profile, index_text) == 3


def test_dates_keep_their_precision_through_import_and_export(ncc: Invoke,
                                                              node_config: Path) -> None:
    path = write(node_config.parent / "dates.csv", HEADER + ",startDate,endDate",
                 good_row("year") + ",2016,2019-03",
                 good_row("month") + ",2016-05,",
                 good_row("day") + ",2016-05-01,2020")
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 0 and "3 created" in result.output, result.output
    year, month, day = (stored(node_config, i) for i in ("year", "month", "day"))
    assert year is not None and month is not None and day is not None
    assert (year["startYear"], year["endMonth"]) == ("2016", "2019-03")
    assert "startDate" not in year and "endDate" not in year
    assert month["startMonth"] == "2016-05" and "endYear" not in month
    assert (day["startDate"], day["endYear"]) == ("2016-05-01", "2020")
    exported = node_config.parent / "out.csv"
    assert ncc("export", "--format", "csv", "--output", exported, "--config",
               node_config).exit_code == 0
    rows = {r["identifier"]: r for r in csv.DictReader(io.StringIO(
        exported.read_text(encoding="utf-8")))}
    assert (rows["year"]["startDate"], rows["year"]["endDate"]) == ("2016", "2019-03")
    assert (rows["day"]["startDate"], rows["day"]["endDate"]) == ("2016-05-01", "2020")
    again = ncc("import", exported, "--config", node_config)
    assert again.exit_code == 0 and "3 unchanged" in again.output, again.output
