"""Large sources are mapped and checked in worker processes: the same verdicts, in order."""

from __future__ import annotations

import cProfile
import sqlite3
from pathlib import Path

import pytest

from ncc_cli.importer import Importer
from ncc_cli.mapping import Checker, Judged, MappedSource
from ncc_cli.mapping.pool import judged_in_pool
from ncc_node.store.derive import index_text

from .conftest import REPO, Invoke, calls, node_at

MAPPINGS = REPO / "config" / "mappings"
DATA = REPO / "tests" / "data" / "mappings"
SOURCES = [(MAPPINGS / "nl-esf-erdf-operations.toml", DATA / "nl-esif" /
            "StructuralFundsNL2007NOW.csv"),
           (MAPPINGS / "dsi4eu-projects.toml", DATA / "dsi4eu" / "projects2.json")]


def _verdict(judged: object) -> tuple[object, ...]:
    mapped = judged.mapped  # type: ignore[attr-defined]
    return (mapped.row, mapped.payload, mapped.problems, mapped.warnings, mapped.detected,
            judged.flagged, judged.reasons)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("mapping", "source"), SOURCES, ids=["nl-csv", "dsi4eu-json"])
def test_the_pool_judges_every_row_as_one_process_does(
        mapping: Path, source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ncc_cli.mapping.pool.CHUNK", 16)  # many tasks: order across them
    checker = Checker(mapping, source)
    records = list(checker.mapper.rows(lambda _n: None))
    assert len(records) > 4 * 16
    alone = [_verdict(checker.judge(line, record)) for line, record in records]
    pooled = [_verdict(j) for j in judged_in_pool(iter(records), (mapping, source, None), 2)]
    assert pooled == alone
    assert any(v[2] for v in alone)  # refused rows too, with their problems
    # this process judging the chunks it would otherwise wait for (the workers start slower
    # than it judges its first chunks): still every row once, in the source's order
    here: list[int] = []

    def local(line: int, record: object) -> Judged:
        here.append(line)
        return checker.judge(line, record)

    shared = [_verdict(j) for j in judged_in_pool(iter(records), (mapping, source, None), 1,
                                                  local)]
    assert shared == alone
    assert here and len(here) < len(records)


def test_an_error_judging_here_is_raised_in_its_turn(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ncc_cli.mapping.pool.CHUNK", 16)
    mapping, source = SOURCES[1]
    checker = Checker(mapping, source)
    records = list(checker.mapper.rows(lambda _n: None))
    alone = [_verdict(checker.judge(line, record)) for line, record in records]

    def failing(line: int, record: object) -> Judged:
        raise ValueError(f"cannot judge row {line}")

    got = []
    with pytest.raises(ValueError, match="cannot judge row"):
        for judged in judged_in_pool(iter(records), (mapping, source, None), 1, failing):
            got.append(_verdict(judged))
    # the rows before the chunk that failed came out first, as from a worker that failed
    assert len(got) >= 4 * 16 and len(got) % 16 == 0
    assert got == alone[:len(got)]


def test_mapped_source_counts_the_same_with_and_without_workers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    mapping, source = SOURCES[1]
    monkeypatch.setattr("ncc_cli.mapping.POOL_MIN_ROWS", 1)
    results = []
    for workers in (0, 2):
        mapped = MappedSource(mapping, source, workers=workers)
        rows = [(r.line, r.kind, r.payload, r.error) for r in mapped.rows(lambda _n: None)]
        stats = mapped.stats
        results.append((rows, stats.rows, stats.refused_rows, [h.line for h in stats.held],
                        stats.flagged, dict(stats.filled), dict(stats.detected)))
    assert results[0] == results[1]


def index_rows(config: Path) -> tuple[set[tuple[object, ...]], set[tuple[object, ...]]]:
    """The facet entries and search texts the node's indexes hold for its records."""
    with sqlite3.connect(config.parent / "node.db") as db:
        facets = db.execute("SELECT r.id, f.facet, f.value FROM facets f JOIN records r "
                            "ON r.rowid = f.record WHERE r.kind != 'Node'").fetchall()
        texts = db.execute("SELECT r.id, t.name, t.description, t.body, t.concepts FROM "
                           "record_text t JOIN records r ON r.rowid = t.rowid "
                           "WHERE r.kind != 'Node'").fetchall()
    db.close()
    return set(facets), set(texts)


def test_a_pooled_import_stores_the_index_entries_its_workers_derived(
        ncc: Invoke, node_config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("ncc_cli.mapping.POOL_MIN_ROWS", 1)
    mapping, source = SOURCES[1]
    with node_at(node_config) as node:
        mapped = MappedSource(mapping, source, workers=1)
        profile = cProfile.Profile()
        profile.enable()
        report = Importer(node).run(mapped.rows(lambda _n: None))
        profile.disable()
    assert report.counts["created"] > 100 and report.suggestions
    # the workers analysed each row's texts once; the importing process stores what they
    # derived and analyses none itself
    assert calls(profile, index_text) == 0
    imported = index_rows(node_config)
    assert len(imported[1]) == report.counts["created"]
    # the same entries as the node derives from the signed records themselves
    assert ncc("reindex", "--config", node_config).exit_code == 0
    assert index_rows(node_config) == imported
