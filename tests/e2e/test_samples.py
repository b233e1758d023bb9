"""The demo federation's sample data (config/samples/{de,ee,nl,lu}.jsonl, issue 5).

Each file is what one country's node imports with ``ncc import``: record payloads without the
fields the node mints. The checks here keep the files usable as a demo: enough records, both
languages everywhere, a real spread over the concept schemes, and every payload valid once the
node has minted and signed it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from ncc_node.context import NodeContext, open_node
from ncc_node.settings import load_settings
from tests.nodes import init_node, node_config
from vocab import validate_record

SAMPLES = Path(__file__).resolve().parents[2] / "config" / "samples"
BASE_URL = "http://127.0.0.1:8999"

# file stem -> (node country, country concept, local language tags: every text needs one of them)
COUNTRIES: dict[str, tuple[str, str, frozenset[str]]] = {
    "de": ("DE", "country:DEU", frozenset({"de"})),
    "ee": ("EE", "country:EST", frozenset({"et"})),
    "nl": ("NL", "country:NLD", frozenset({"nl"})),
    "lu": ("LU", "country:LUX", frozenset({"fr", "de", "lb"})),
}
DEMO_COUNTRIES = {concept for _, concept, _ in COUNTRIES.values()}
STAGES = {f"maturity:{s}" for s in ("idea", "pilot", "proven", "scaling", "established")}
TEXTS = ("name", "description", "problem", "approach", "results", "impact", "transferPotential")
MINTED = ("@context", "id", "origin", "version", "modified", "proof")
NEEDS_MINTED_IDS = ("usesMethods", "replicates", "adapts")
METHOD_TYPES = {f"mt:{t}" for t in (
    "capacity-building", "challenge-prize", "co-creation", "community-of-practice",
    "funding-instrument", "impact-measurement", "incubation-acceleration", "mentoring",
    "participation-format", "peer-learning", "social-procurement", "train-the-trainer",
    "transfer-support")}

Row = dict[str, Any]


@cache
def rows(stem: str) -> tuple[Row, ...]:
    """The payloads of one sample file, in file order."""
    path = SAMPLES / f"{stem}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), f"{path} has blank lines"
    return tuple(json.loads(line) for line in lines)


def of_kind(stem: str, kind: str) -> list[Row]:
    return [row for row in rows(stem) if row["type"] == kind]


def facet(items: list[Row], key: str) -> set[str]:
    return {value for row in items for value in row.get(key, [])}


@pytest.mark.parametrize("stem", COUNTRIES)
def test_counts_and_kinds(stem: str) -> None:
    assert {row["type"] for row in rows(stem)} <= {"Initiative", "Method"}
    assert len(of_kind(stem, "Initiative")) >= 40
    assert len(of_kind(stem, "Method")) >= 10


def test_identifiers_are_unique_across_files() -> None:
    identifiers = Counter(row["identifier"] for stem in COUNTRIES for row in rows(stem))
    assert [i for i, n in identifiers.items() if n > 1] == []
    for stem in COUNTRIES:
        assert all(row["identifier"].startswith(f"{stem}-") for row in rows(stem))


@pytest.mark.parametrize("stem", COUNTRIES)
def test_payloads_leave_minted_fields_to_the_node(stem: str) -> None:
    for row in rows(stem):
        assert not [k for k in (*MINTED, *NEEDS_MINTED_IDS) if k in row], row["identifier"]


@pytest.mark.parametrize("stem", COUNTRIES)
def test_every_text_has_the_local_language_and_english(stem: str) -> None:
    _, _, local = COUNTRIES[stem]
    for row in rows(stem):
        for key in TEXTS:
            if key in row or key in ("name", "description"):
                languages = set(row[key])
                assert "en" in languages and languages & local, (row["identifier"], key)
                assert all(text.strip() for text in row[key].values()), (row["identifier"], key)


@pytest.mark.parametrize("stem", COUNTRIES)
def test_spread_over_the_concept_schemes(stem: str) -> None:
    initiatives = of_kind(stem, "Initiative")
    assert {row["stage"] for row in initiatives} == STAGES
    assert len(facet(initiatives, "sdgs")) >= 12
    assert len(facet(initiatives, "themes")) >= 12
    assert len(facet(initiatives, "targetGroups")) >= 10


def test_every_method_type_is_used() -> None:
    used = {t for stem in COUNTRIES for t in facet(of_kind(stem, "Method"), "methodTypes")}
    assert used == METHOD_TYPES


@pytest.mark.parametrize("stem", COUNTRIES)
def test_countries_partners_and_websites(stem: str) -> None:
    _, country, _ = COUNTRIES[stem]
    initiatives = of_kind(stem, "Initiative")
    for row in rows(stem):
        assert country in row["countries"], row["identifier"]
        assert row["leadOrganisation"]["legalName"], row["identifier"]
        assert len(row.get("partners", [])) <= 3, row["identifier"]
        websites = [row.get("website"), row["leadOrganisation"].get("website")]
        websites += [p.get("website") for p in row.get("partners", [])]
        for url in filter(None, websites):
            host = url.split("/")[2]
            assert url.startswith("https://") and host.endswith(".example.org"), url
    seeking = [row for row in initiatives if row.get("seeksPartners")]
    assert 0.2 <= len(seeking) / len(initiatives) <= 0.5
    for row in initiatives:
        wanted = set(row.get("seeksPartnersIn", []))
        assert bool(wanted) == bool(row.get("seeksPartners")), row["identifier"]
        assert wanted <= DEMO_COUNTRIES - {country}, row["identifier"]


@pytest.fixture(scope="module")
def nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, NodeContext]]:
    """One initialised (not serving) node per demo country."""
    opened: dict[str, NodeContext] = {}
    try:
        for stem, (code, _, _) in COUNTRIES.items():
            config = node_config(tmp_path_factory.mktemp(f"node-{stem}"), BASE_URL, code)
            init_node(config)
            opened[stem] = open_node(load_settings(config, environ={}))
        yield opened
    finally:
        for context in opened.values():
            context.store.close()


@pytest.mark.parametrize("stem", COUNTRIES)
def test_every_payload_is_a_valid_record_once_minted(
    stem: str, nodes: dict[str, NodeContext]
) -> None:
    publisher = nodes[stem].publisher
    for row in rows(stem):
        record, _ = publisher.prepare(row["type"], dict(row))
        assert record["id"].startswith(f"{BASE_URL}/")
        assert validate_record(record) == [], row["identifier"]
