"""What the derived indexes hold for a record: its search text and its facet values (pure).

Facet values are full concept IRIs (compact forms in a record are expanded). The text holds
every language of every text field plus one token per concept the record is tagged with, one
per vocabulary concept inferred from its text (:mod:`.annotate`) and one per EuroVoc
descriptor its text names (:mod:`.eurovoc`); :mod:`.textquery` turns a query word that matches
a concept's labels, in any language, into that concept's token, so a query in any language
finds records tagged with the concept or whose text names it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from vocab import UnknownConcept, concept_index

from .analysis import analyse
from .annotate import thesaurus
from .eurovoc import eurovoc
from .textquery import concept_token, inferred_token

TEXT_FIELDS = ("name", "description", "problem", "approach", "results", "impact",
               "transferPotential")
# the index's columns: name, description, the other texts, concept tokens (weights in
# ncc_node.scout.pools.FIELD_WEIGHTS, the scouting policy)
BODY_FIELDS = ("problem", "approach", "results", "impact", "transferPotential", "keywords")
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
    get = record.get
    for facet, term in FACETS.items():
        value = get(term)
        if isinstance(value, str):
            found[(facet, _expanded(value))] = None
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    found[(facet, _expanded(item))] = None
    return list(found)


def _texts(record: dict[str, Any]) -> list[str]:
    parts: list[str] = []
    add = parts.append
    get = record.get
    for name in TEXT_FIELDS:
        value = get(name)
        if isinstance(value, dict):
            for text in value.values():
                if isinstance(text, str):
                    add(text)
                elif isinstance(text, list):
                    parts.extend(t for t in text if isinstance(t, str))
    for org in [get("leadOrganisation"), *_values(get("partners"))]:
        if isinstance(org, dict) and isinstance(org.get("legalName"), str):
            add(org["legalName"])
    parts.extend(r for r in _values(get("regions")) if isinstance(r, str))
    if isinstance(get("identifier"), str):
        add(record["identifier"])
    return parts


def _analysed(value: Any, parts: list[str], runs: list[tuple[list[str], str | None]]) -> None:
    """Analyse each text of a language map into ``parts``; keep the stems for annotation."""
    if not isinstance(value, dict):
        return
    for language, text in value.items():
        for item in text if isinstance(text, list) else [text]:
            if isinstance(item, str):
                stems = analyse(item, language)
                parts.append(" ".join(stems))
                runs.append((stems, language))


@dataclass(frozen=True)
class IndexText:
    """What the full-text index holds for a record, column by column, and what was inferred."""

    name: str
    description: str
    body: str
    concepts: str
    inferred: tuple[tuple[str, str], ...]  # (inferred facet, concept IRI), not the publisher's
    eurovoc: tuple[str, ...] = ()  # EuroVoc descriptors the texts name (tokens, no facets)


def index_text(record: dict[str, Any], facets: list[tuple[str, str]]) -> IndexText:
    """Analyse a record's texts by their language tags and infer concepts from them."""
    get = record.get
    runs: list[tuple[list[str], str | None]] = []
    name: list[str] = []
    description: list[str] = []
    body: list[str] = []
    _analysed(get("name"), name, runs)
    _analysed(get("description"), description, runs)
    for field in BODY_FIELDS:
        _analysed(get(field), body, runs)
    for org in [get("leadOrganisation"), *_values(get("partners"))]:
        if isinstance(org, dict) and isinstance(org.get("legalName"), str):
            body.append(" ".join(analyse(org["legalName"], None)))
    body.extend(r.lower() for r in _values(get("regions")) if isinstance(r, str))
    if isinstance(get("identifier"), str):
        body.append(record["identifier"].lower())
    own = {iri for facet, iri in facets if facet in LABELLED}
    found: set[str] = set()
    concepts = thesaurus()
    descriptors = eurovoc()
    named: set[str] = set()
    for stems, language in runs:
        found |= concepts.in_text(stems, language)
        named |= descriptors.in_text(stems, language)
    inferred = tuple(sorted((f"inferred_{concepts.facet_of[iri]}", iri)
                            for iri in found - own))
    tokens = [concept_token(iri) for iri in sorted(own)]
    tokens.extend(inferred_token(iri) for _, iri in inferred)
    # EuroVoc descriptors only as tokens: 7,000 concepts as facet rows would multiply what the
    # sync writes per record, and a query reaches them through the token alone
    found_eurovoc = tuple(sorted(named))
    tokens.extend(inferred_token(iri) for iri in found_eurovoc)
    return IndexText("\n".join(name), "\n".join(description), "\n".join(body),
                     " ".join(tokens), inferred, found_eurovoc)


@dataclass(frozen=True, slots=True)
class IndexEntries:
    """Everything the derived indexes hold for one record (facets and analysed text): a pure
    function of the record, so it may be computed in another process (the sync's checking
    processes do, in parallel with the writer) and handed to :meth:`Writer.put`."""

    facets: tuple[tuple[str, str], ...]
    text: IndexText

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # sent from a checking process to the worker per record: as plain tuples, the pickle
        # round trip costs about two thirds of the dataclasses' own (bench/sync.py's records)
        text = self.text
        return (_rebuilt, (self.facets, *(getattr(text, name) for name in _TEXT_FIELDS)))


def _rebuilt(facets: tuple[tuple[str, str], ...], *text: Any) -> IndexEntries:
    return IndexEntries(facets, IndexText(*text))


_TEXT_FIELDS = tuple(f.name for f in fields(IndexText))  # every field, in order


def index_entries(record: dict[str, Any]) -> IndexEntries:
    """The derived index entries of a record (see :class:`IndexEntries`)."""
    facets = facet_values(record)
    return IndexEntries(tuple(facets), index_text(record, facets))


def search_text(record: dict[str, Any], facets: list[tuple[str, str]]) -> str:
    """Return the record's own words, unanalysed (for snippets and explanations)."""
    return "\n".join(_texts(record))
