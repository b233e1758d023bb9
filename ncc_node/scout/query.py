"""What a scout asks for (:class:`ScoutQuery`) and how factors are weighed (:class:`Weights`).

A query's country and concept filters are normalised to full concept IRIs when the query is
built, so a bad value fails there, naming the parameter, before any store is touched.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from rdflib import Literal, URIRef

from vocab import COLLECTIONS, VOCAB_NS, UnknownConcept, concept_index, schemes_graph

from ..errors import RequestInvalid
from ..settings import SCOUT_WEIGHTS

KINDS = tuple(COLLECTIONS)
# Query field -> (facet name in the store, concept scheme)
CONCEPT_FILTERS = {
    "sdg": ("sdg", "sdg"),
    "theme": ("theme", "theme"),
    "target_group": ("target_group", "target-group"),
    "stage": ("stage", "stage"),
    "language": ("language", "language"),
    "method_type": ("method_type", "method-type"),
}


class ScoutQueryInvalid(RequestInvalid):
    """A scouting parameter that names no known country or concept (HTTP 400)."""

    def __init__(self, parameter: str, message: str) -> None:
        super().__init__(f"{parameter}: {message}",
                         [{"path": parameter, "rule": "query-parameter", "message": message}])
        self.parameter = parameter


@lru_cache(maxsize=1)
def _alpha2() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> country IRI, from the bundled country scheme (``ncc:alpha2``)."""
    graph = schemes_graph()
    return {str(code).upper(): str(subject)
            for subject, code in graph.subject_objects(URIRef(VOCAB_NS + "alpha2"))
            if isinstance(code, Literal)}


def resolve_country(text: str) -> str:
    """Return the country IRI for ``country:EST``, an IRI, ``EST``, ``EE`` or a label (any
    bundled language, diacritics folded: "Estonia", "Eesti"); raise ScoutQueryInvalid."""
    value = text.strip()
    index = concept_index()
    try:
        if index.in_scheme(value, "country"):
            return index.get(value).iri
    except UnknownConcept:
        pass
    if value.upper() in _alpha2():
        return _alpha2()[value.upper()]
    found = index.lookup(value, "country") if value else []
    if len(found) == 1:
        return found[0].iri
    raise ScoutQueryInvalid("for", f"{text!r} is not a known EU/EEA country (try e.g. EE, EST, "
                                   "country:EST or Estonia)")


def resolve_concept(parameter: str, text: str) -> str:
    """Return the full IRI of a concept of the parameter's scheme; raise ScoutQueryInvalid."""
    scheme = CONCEPT_FILTERS[parameter][1]
    index = concept_index()
    try:
        if index.in_scheme(text, scheme):
            return index.get(text).iri
    except UnknownConcept:
        pass
    found = index.lookup(text, scheme)
    if len(found) == 1:
        return found[0].iri
    raise ScoutQueryInvalid(parameter, f"{text!r} is not a concept of the {scheme} scheme")


@dataclass(frozen=True)
class ScoutQuery:
    """A scouting question: records of ``kind`` from countries other than ``country``.

    ``country`` accepts ``country:EST``, ``EST``, ``EE`` or a label; concept filters accept
    compact IRIs, full IRIs or labels. All are stored as full IRIs after construction.
    """

    country: str | None = None
    kind: str = "Initiative"
    sdg: str | None = None
    theme: str | None = None
    target_group: str | None = None
    stage: str | None = None
    language: str | None = None
    method_type: str | None = None
    q: str | None = None
    limit: int = 20
    inferred: bool = False  # concept filters also match concepts inferred from the text
    lang: str = "en"  # the scout's language: concept labels in explanations

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ScoutQueryInvalid("kind", f"{self.kind!r} is not one of {', '.join(KINDS)}")
        if self.limit < 1:
            raise ScoutQueryInvalid("limit", "must be at least 1")
        if self.country is not None:
            object.__setattr__(self, "country", resolve_country(self.country))
        for name in CONCEPT_FILTERS:
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, resolve_concept(name, value))
        if self.q is not None and not self.q.strip():
            object.__setattr__(self, "q", None)

    def facets(self) -> list[tuple[str, str]]:
        """The concept filters that are set, as (store facet, full IRI) pairs."""
        return [(facet, getattr(self, name)) for name, (facet, _) in CONCEPT_FILTERS.items()
                if getattr(self, name) is not None]


@dataclass(frozen=True)
class Weights:
    """One weight per score factor (each factor is 0..1); defaults are the ``[scout]`` ones."""

    relevance: float = SCOUT_WEIGHTS["relevance"][0]
    maturity: float = SCOUT_WEIGHTS["maturity"][0]
    impact: float = SCOUT_WEIGHTS["impact"][0]
    transfer: float = SCOUT_WEIGHTS["transfer"][0]
    partners: float = SCOUT_WEIGHTS["partners"][0]
    replications: float = SCOUT_WEIGHTS["replications"][0]
    recency: float = SCOUT_WEIGHTS["recency"][0]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Weights:
        """The weights of a node's ``[scout]`` settings (``scout.weight_<factor>``)."""
        return cls(**{f.name: float(settings[f"scout.weight_{f.name}"]) for f in fields(cls)})

    def as_dict(self) -> dict[str, float]:
        """Factor -> weight, in factor order."""
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


FACTORS: tuple[str, ...] = tuple(f.name for f in fields(Weights))
