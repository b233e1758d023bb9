"""Import messages that help: yes/no words, stated limits, how to re-encode, one per fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import Invoke, stored, write
from .test_import import HEADER, good_row

YES_NO = [("ja", True), ("Nein", False), ("jah", True), ("ei", False), ("nee", False),
          ("waar", True), ("oui", True), ("NON", False), ("yes", True), ("0", False)]


@pytest.mark.parametrize(("word", "flag"), YES_NO)
def test_seeks_partners_takes_yes_and_no_in_the_vocabulary_languages(
        ncc: Invoke, node_config: Path, word: str, flag: bool) -> None:
    path = write(node_config.parent / "yes.csv", HEADER + ",seeksPartners",
                 good_row("x") + f",{word}")
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 0, result.output
    record = stored(node_config, "x")
    assert record is not None and record["seeksPartners"] is flag


def test_an_unknown_yes_no_word_lists_the_ones_it_takes(ncc: Invoke, node_config: Path) -> None:
    path = write(node_config.parent / "maybe.csv", HEADER + ",seeksPartners",
                 good_row("x") + ",vielleicht")
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert "seeksPartners: 'vielleicht' is not a yes/no word (yes: true, yes" in result.output
    assert "ja" in result.output and "nein" in result.output


def test_a_cell_over_the_limit_is_named_with_the_limit(ncc: Invoke, node_config: Path) -> None:
    path = write(node_config.parent / "big.csv", HEADER,
                 good_row("x", description_en="x" * 200_000))
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert f"{path}:2: a cell is longer than 131,072 characters" in result.output
    assert "field limit" not in result.output  # not the csv module's wording
    docs = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()
    assert "at most 131,072" in docs


def test_a_file_not_in_utf8_says_how_to_convert_it(ncc: Invoke, node_config: Path) -> None:
    latin = node_config.parent / "latin.csv"
    latin.write_bytes((HEADER + "\n" + good_row("x", name_en="Caf\u00e9")).encode("latin-1"))
    result = ncc("import", latin, "--config", node_config)
    assert result.exit_code == 1
    assert "is not UTF-8" in result.output
    assert "iconv -f WINDOWS-1252 -t UTF-8 latin.csv > utf8-latin.csv" in result.output
    assert stored(node_config, "x") is None


def test_a_date_in_another_notation_gets_one_message(ncc: Invoke, node_config: Path) -> None:
    path = write(node_config.parent / "date.csv", HEADER + ",startDate",
                 good_row("x") + ",01.02.2021")
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert result.output.count("startDate") == 1, result.output
    assert ("'01.02.2021' is not a date: write a day YYYY-MM-DD, a month YYYY-MM or a year YYYY"
            in result.output)


def test_a_day_in_the_wrong_calendar_is_named_by_the_validator(ncc: Invoke,
                                                                node_config: Path) -> None:
    path = write(node_config.parent / "date.csv", HEADER + ",startDate",
                 good_row("x") + ",2021-13-01")
    result = ncc("import", path, "--config", node_config)
    assert result.exit_code == 1
    assert "'2021-13-01' is not a valid date (YYYY-MM-DD)" in result.output
