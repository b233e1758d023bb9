"""Ecosystem statistics: live records by origin country and concept (issue 6, ``GET /stats``).

Counts come from the facet index (no record is parsed); the origin's country is the
``jurisdiction`` of its descriptor. Concept labels in every bundled language travel with the
counts so a chart can be drawn in the reader's language. Shape: docs/sparql.md#statistics.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from vocab import COLLECTIONS, UnknownConcept, concept_index

from .origins import OriginCountries

# dimension -> the kind whose records it counts (method types belong to methods)
DIMENSIONS = {
    "sdg": "Initiative",
    "stage": "Initiative",
    "theme": "Initiative",
    "target_group": "Initiative",
    "method_type": "Method",
}
KINDS = tuple(COLLECTIONS)
UNKNOWN = "unknown"


def _country(countries: OriginCountries, origin: str) -> str:
    jurisdiction = countries(origin)
    if jurisdiction is None:
        return UNKNOWN
    try:
        return concept_index().expand_compact(jurisdiction)
    except UnknownConcept:
        return jurisdiction


def _concept(iri: str) -> dict[str, Any]:
    index = concept_index()
    try:
        concept = index.get(iri)
    except UnknownConcept:
        return {"iri": iri, "notation": None, "labels": {}}
    return {"iri": iri, "notation": concept.notation, "labels": dict(concept.labels)}


def ecosystem_stats(store: Any) -> dict[str, Any]:
    """Counts of live records by origin country × concept, per dimension (see module doc)."""
    countries: dict[str, dict[str, Any]] = {}
    origin_country = OriginCountries(store)
    for kind in KINDS:
        for origin, count in store.records_by_origin(kind):
            country = _country(origin_country, origin)
            entry = countries.setdefault(country, {"origins": set(), "Initiative": 0,
                                                   "Method": 0})
            entry["origins"].add(origin)
            entry[kind] += count
    dimensions: dict[str, dict[str, Any]] = {
        name: {"kind": kind, "counts": {}, "totals": {}} for name, kind in DIMENSIONS.items()}
    for kind in KINDS:
        for origin, facet, value, count in store.facet_counts_by_origin(kind):
            dimension = dimensions.get(facet)
            if dimension is None or dimension["kind"] != kind:
                continue
            country = _country(origin_country, origin)
            row = dimension["counts"].setdefault(country, {})
            row[value] = row.get(value, 0) + count
            dimension["totals"][value] = dimension["totals"].get(value, 0) + count
    for dimension in dimensions.values():
        dimension["concepts"] = [_concept(iri) for iri in _ordered(dimension["totals"])]
    return {
        "countries": [
            {**_concept(code), "country": code, "origins": sorted(entry["origins"]),
             "initiatives": entry["Initiative"], "methods": entry["Method"]}
            for code, entry in sorted(countries.items())],
        "totals": {"initiatives": sum(e["Initiative"] for e in countries.values()),
                   "methods": sum(e["Method"] for e in countries.values())},
        "dimensions": dimensions,
    }


def _ordered(totals: dict[str, int]) -> list[str]:
    """Concepts in their scheme's order (SDG 1..17, stages idea..established), unknown last."""
    index = concept_index()

    def key(iri: str) -> tuple[int, int, str]:
        try:
            concept = index.get(iri)
        except UnknownConcept:
            return (2, 0, iri)
        if concept.order is not None:
            return (0, concept.order, iri)
        if concept.notation.isdigit():
            return (0, int(concept.notation), iri)
        return (1, 0, concept.notation or iri)

    return sorted(totals, key=key)


CSV_COLUMNS = ("dimension", "kind", "country", "concept", "notation", "label_en", "count")


def stats_csv(stats: dict[str, Any]) -> str:
    """The statistics as CSV: one row per dimension × origin country × concept."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for name, dimension in stats["dimensions"].items():
        concepts = {c["iri"]: c for c in dimension["concepts"]}
        for country, row in sorted(dimension["counts"].items()):
            for iri in _ordered(row):
                concept = concepts[iri]
                writer.writerow([name, dimension["kind"], country, iri,
                                 concept["notation"] or "", concept["labels"].get("en", ""),
                                 row[iri]])
    return buffer.getvalue()
