"""Concept values in CSV cells: compact or full IRIs, or labels in any language, to compact IRIs."""

from __future__ import annotations

from rdflib import Namespace, URIRef

from vocab import SCHEMES, ConceptIndex, UnknownConcept, schemes_graph

NCC = Namespace("https://w3id.org/ncc/vocab#")


class ConceptCells:
    """Resolve cell values per scheme, caching each answer (imports repeat the same values)."""

    def __init__(self, index: ConceptIndex) -> None:
        self.index = index
        self._cache: dict[tuple[str, str], str] = {}
        # Codes people type that are not labels: alpha-2 countries (DE) and BCP 47 languages (de)
        self._codes: dict[str, dict[str, str]] = {"country": {}, "language": {}}
        graph = schemes_graph()
        for concept in index.concepts("country"):
            for code in graph.objects(URIRef(concept.iri), NCC.alpha2):
                self._codes["country"][str(code).casefold()] = concept.iri
        for concept in index.concepts("language"):
            self._codes["language"][index.bcp47(concept.iri).casefold()] = concept.iri

    def resolve(self, value: str, scheme: str) -> str:
        """Return the compact IRI of ``value`` in ``scheme``, or raise UnknownConcept saying why."""
        key = (value, scheme)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._cache[key] = self.index.compact(self._resolve(value.strip(), scheme))
        return cached

    def _resolve(self, value: str, scheme: str) -> str:
        if ":" in value and self.index.in_scheme(value, scheme):
            return self.index.get(value).iri
        found = self.index.lookup(value, scheme)
        if len(found) == 1:
            return found[0].iri
        if len(found) > 1:
            options = ", ".join(sorted(self.index.compact(c.iri) for c in found))
            raise UnknownConcept(f"{value!r} is ambiguous in {scheme}: write one of {options}")
        code = self._codes.get(scheme, {}).get(value.casefold())
        if code is not None:
            return code
        hint = "a compact IRI, a notation or a label"
        raise UnknownConcept(f"{value!r} is not a concept of {scheme} ({SCHEMES[scheme]}); "
                             f"write {hint}, see `ncc vocab concepts {scheme}`")
