"""What the derived indexes hold for a record: its search text and its facet values (pure).

Facet values are full concept IRIs (compact forms in a record are expanded). The text holds
every language of every text field plus one token per concept the record is tagged with;
:mod:`.textquery` turns a query word that matches a concept's labels, in any language, into
that concept's token, so a query in any language finds records tagged with the concept.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from vocab import UnknownConcept, concept_index

from .textquery import concept_token

TEXT_FIELDS = ("name", "description", "problem", "approach", "results", "impact",
               "transferPotential")
FACETS = {
    "country": "countries",
    "sdg": "sdgs",
    "stage": "stage",
    "theme": "themes",
    "target_group": "targetGroups",
    "method_type": "methodTypes",
    "language": "languages",
}
LABELLED = ("sdg", "stage", "theme", "target_group", "method_type")


def _values(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=4096)
def _expanded(value: str) -> str:
    """A concept's full IRI (a value that is no known concept stays as it is); concepts are
    few and repeat in every record, so each is expanded once per process."""
    try:
        return concept_index().expand_compact(value)
    except UnknownConcept:
        return value


def facet_values(record: dict[str, Any]) -> list[tuple[str, str]]:
    """Return the (facet, full IRI) pairs of a record, without duplicates."""
    found: dict[tuple[str, str], None] = {}
    for facet, term in FACETS.items():
        for value in _values(record.get(term)):
            if isinstance(value, str):
                found[(facet, _expanded(value))] = None
    return list(found)


def _texts(record: dict[str, Any]) -> Iterator[str]:
    for name in TEXT_FIELDS:
        value = record.get(name)
        if isinstance(value, dict):
            for text in value.values():
                yield from (t for t in _values(text) if isinstance(t, str))
    for org in [record.get("leadOrganisation"), *_values(record.get("partners"))]:
        if isinstance(org, dict) and isinstance(org.get("legalName"), str):
            yield org["legalName"]
    yield from (r for r in _values(record.get("regions")) if isinstance(r, str))
    if isinstance(record.get("identifier"), str):
        yield record["identifier"]


def search_text(record: dict[str, Any], facets: list[tuple[str, str]]) -> str:
    """Return the text the full-text index holds for a record."""
    parts = list(_texts(record))
    parts.extend(concept_token(iri) for facet, iri in facets if facet in LABELLED)
    return "\n".join(parts)
