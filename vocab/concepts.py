"""The bundled SKOS concept schemes as an index: labels, lookup, compact IRIs (architecture §3)."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from .errors import UnknownConcept, VocabError
from .resources import VOCAB_NS, context_terms, schemes_graph

SCHEMES: Mapping[str, str] = MappingProxyType(
    {
        "sdg": "http://metadata.un.org/sdg",
        "stage": "https://w3id.org/ncc/concepts/stage",
        "osi-stage": "https://w3id.org/ncc/concepts/osi-stage",
        "theme": "https://w3id.org/ncc/concepts/theme",
        "target-group": "https://w3id.org/ncc/concepts/target-group",
        "method-type": "https://w3id.org/ncc/concepts/method-type",
        "funding": "https://w3id.org/ncc/concepts/funding",
        "country": "http://publications.europa.eu/resource/authority/country",
        "language": "http://publications.europa.eu/resource/authority/language",
        "scale": "https://w3id.org/ncc/concepts/scale",
        "organisation-type": "https://w3id.org/ncc/concepts/organisation-type",
        "technology": "https://w3id.org/ncc/concepts/technology",
    }
)

_ORDER = URIRef(VOCAB_NS + "order")
_BCP47 = URIRef(VOCAB_NS + "bcp47")


def fold(text: str) -> str:
    """Return ``text`` case-folded and stripped of diacritics ("Éducation" -> "education")."""
    # casefold first: it can itself produce combining marks ("İ" -> "i" + U+0307), which the
    # NFKD pass then separates; the final casefold catches compatibility letters ("ℌ" -> "H").
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _key(text: str) -> str:
    """Return the lookup key of a label: folded, with runs of whitespace collapsed."""
    return " ".join(fold(text).split())


def _sort_key(concept: Concept) -> tuple[bool, int, int, str, str]:
    """Order by ncc:order when present, else by notation (numeric notations numerically)."""
    numeric = concept.notation.isdigit()
    return (
        concept.order is None,
        concept.order or 0,
        int(concept.notation) if numeric else 0,
        "" if numeric else concept.notation,
        concept.iri,
    )


@dataclass(frozen=True)
class Concept:
    """One SKOS concept of a bundled scheme, with its labels keyed by language tag."""

    iri: str
    scheme: str
    notation: str
    labels: Mapping[str, str] = field(hash=False)
    alt_labels: Mapping[str, tuple[str, ...]] = field(hash=False)
    order: int | None = None
    close_matches: tuple[str, ...] = ()


def concept_prefixes(terms: Mapping[str, Any]) -> dict[str, str]:
    """Return the context's prefixes whose namespace is a concept scheme's IRI plus "/"."""
    schemes = set(SCHEMES.values())
    return {
        name: value
        for name, value in terms.items()
        if isinstance(value, str) and value.endswith("/") and value[:-1] in schemes
    }


class ConceptIndex:
    """Every concept of a SKOS graph, indexed by IRI, scheme and folded label."""

    def __init__(self, graph: Graph, *, prefixes: Mapping[str, str]) -> None:
        self._prefixes = MappingProxyType(dict(prefixes))
        self._concepts: dict[str, Concept] = {}
        self._bcp47: dict[str, str] = {}
        by_scheme: dict[str, list[Concept]] = {iri: [] for iri in SCHEMES.values()}
        for subject in set(graph.subjects(RDF.type, SKOS.Concept)):
            concept = _read_concept(graph, subject)
            self._concepts[concept.iri] = concept
            by_scheme.setdefault(concept.scheme, []).append(concept)
            tag = graph.value(subject, _BCP47)
            if tag is not None:
                self._bcp47[concept.iri] = str(tag)
        self._by_scheme = {
            iri: sorted(members, key=_sort_key) for iri, members in by_scheme.items()
        }
        self._by_key: dict[str, list[Concept]] = {}
        for members in self._by_scheme.values():
            for concept in members:
                for key in sorted(set(_lookup_keys(concept))):
                    self._by_key.setdefault(key, []).append(concept)

    @property
    def prefixes(self) -> Mapping[str, str]:
        """Return the compact-IRI prefixes of the concept schemes (``theme`` -> namespace)."""
        return self._prefixes

    def concepts(self, scheme: str) -> list[Concept]:
        """Return a scheme's concepts (short name or IRI), by ncc:order else by notation."""
        return list(self._by_scheme[self._scheme_iri(scheme)])

    def get(self, iri: str) -> Concept:
        """Return the concept with this IRI or compact IRI, or raise :class:`UnknownConcept`."""
        concept = self._find(iri)
        if concept is None:
            raise UnknownConcept(f"no bundled concept {iri!r}")
        return concept

    def label(self, iri: str, lang: str, fallback: Iterable[str] = ("en",)) -> str:
        """Return the prefLabel in ``lang``, else in ``fallback``, then English, then any."""
        concept = self.get(iri)
        for tag in _language_chain(lang, fallback):
            if tag in concept.labels:
                return concept.labels[tag]
        if concept.labels:
            return concept.labels[min(concept.labels)]
        return concept.notation

    def lookup(self, text: str, scheme: str | None = None) -> list[Concept]:
        """Return concepts whose label, altLabel or notation matches ``text`` after :func:`fold`."""
        found = self._by_key.get(_key(text), [])
        if scheme is None:
            return list(found)
        scheme_iri = self._scheme_iri(scheme)
        return [concept for concept in found if concept.scheme == scheme_iri]

    def search(self, text: str, scheme: str | None = None, *,
               limit: int = 10) -> tuple[str, list[tuple[Concept, str]]]:
        """Find concepts for what a person typed: ``(how, [(concept, matching label), ...])``.

        ``how`` is ``"exact"`` (as :meth:`lookup`), ``"part"`` (a label contains every word of
        ``text``, e.g. "Umwelt" in "Klima und Umwelt"), ``"close"`` (labels or label words
        spelt like it, e.g. "Umwlet"; difflib ratio ≥ 0.75) or ``"none"``.
        """
        wanted = _key(text)
        scheme_iri = self._scheme_iri(scheme) if scheme is not None else None
        keyed = [(key, concept) for key, members in self._by_key.items() for concept in members
                 if scheme_iri is None or concept.scheme == scheme_iri]
        exact = [c for c in self.lookup(text, scheme)]
        if exact:
            return "exact", [(c, wanted) for c in exact][:limit]
        words = wanted.split()
        if words and len(wanted) >= 3:
            part = _unique((c, key) for key, c in keyed
                           if all(any(w.startswith(q) for w in key.split()) for q in words)
                           or wanted in key)
            if part:
                return "part", part[:limit]
        by_text: dict[str, list[Concept]] = {}
        for key, concept in keyed:
            for candidate in {key, *key.split()}:
                by_text.setdefault(candidate, []).append(concept)
        close = difflib.get_close_matches(wanted, list(by_text), n=limit, cutoff=0.75)
        labelled = _unique((c, next(k for k, kc in keyed if kc is c and t in k))
                           for t in close for c in by_text[t])
        return ("close", labelled[:limit]) if labelled else ("none", [])

    def expand_compact(self, value: str) -> str:
        """Return the IRI of a compact IRI (``sdg:4``); ``scheme://`` IRIs pass unchanged."""
        prefix, colon, local = value.partition(":")
        # JSON-LD 1.1 IRI expansion: a suffix starting with "//" makes the value an absolute IRI.
        if colon and local.startswith("//"):
            return value
        if colon and prefix in self._prefixes:
            return self._prefixes[prefix] + local
        raise UnknownConcept(f"{value!r} is neither an absolute IRI nor a concept compact IRI")

    def compact(self, iri: str) -> str:
        """Return ``iri`` compacted with the longest matching concept prefix, else unchanged."""
        matches = [
            (len(namespace), prefix)
            for prefix, namespace in self._prefixes.items()
            if iri.startswith(namespace) and len(iri) > len(namespace)
        ]
        if not matches:
            return iri
        prefix = max(matches)[1]
        return f"{prefix}:{iri[len(self._prefixes[prefix]) :]}"

    def in_scheme(self, iri: str, scheme: str) -> bool:
        """Return whether ``iri`` (absolute or compact) is a concept of ``scheme``."""
        scheme_iri = self._scheme_iri(scheme)
        concept = self._find(iri)
        return concept is not None and concept.scheme == scheme_iri

    def bcp47_languages(self) -> frozenset[str]:
        """Return the BCP 47 tags of the bundled languages, the keys allowed in language maps."""
        return frozenset(self._bcp47.values())

    def bcp47(self, iri: str) -> str:
        """Return the BCP 47 tag of a language concept, or raise :class:`UnknownConcept`."""
        concept = self.get(iri)
        if concept.iri not in self._bcp47:
            raise UnknownConcept(f"{iri!r} is not a language concept with a BCP 47 tag")
        return self._bcp47[concept.iri]

    def stage_order(self, iri: str) -> int:
        """Return the ncc:order of a stage concept, or raise :class:`UnknownConcept`."""
        concept = self.get(iri)
        if concept.order is None:
            raise UnknownConcept(f"{iri!r} is not an ordered stage concept")
        return concept.order

    def _find(self, value: str) -> Concept | None:
        """Return the concept named by an absolute or compact IRI, or None."""
        concept = self._concepts.get(value)
        if concept is None:
            prefix, colon, local = value.partition(":")
            if colon and prefix in self._prefixes:
                concept = self._concepts.get(self._prefixes[prefix] + local)
        return concept

    def _scheme_iri(self, scheme: str) -> str:
        """Return the IRI of a scheme given by short name or IRI."""
        if scheme in SCHEMES:
            return SCHEMES[scheme]
        if scheme in self._by_scheme:
            return scheme
        raise UnknownConcept(f"no bundled concept scheme {scheme!r}; known: {sorted(SCHEMES)}")


def _read_concept(graph: Graph, subject: Any) -> Concept:
    """Build one :class:`Concept` from its triples, enforcing one scheme and SKOS S14."""
    iri = str(subject)
    schemes = sorted(str(s) for s in graph.objects(subject, SKOS.inScheme))
    if len(schemes) != 1:
        raise VocabError(f"concept {iri} must be in exactly one scheme, found {schemes}")
    labels: dict[str, str] = {}
    for literal in _literals(graph.objects(subject, SKOS.prefLabel)):
        tag = (literal.language or "").lower()
        if tag in labels:  # SKOS Reference S14: at most one prefLabel per language tag
            raise VocabError(f"concept {iri} has two prefLabels in {tag!r}")
        labels[tag] = str(literal)
    alt: dict[str, list[str]] = {}
    for literal in _literals(graph.objects(subject, SKOS.altLabel)):
        alt.setdefault((literal.language or "").lower(), []).append(str(literal))
    notations = sorted(str(n) for n in graph.objects(subject, SKOS.notation))
    order = graph.value(subject, _ORDER)
    return Concept(
        iri=iri,
        scheme=schemes[0],
        notation=notations[0] if notations else "",
        labels=MappingProxyType(labels),
        alt_labels=MappingProxyType({tag: tuple(sorted(v)) for tag, v in alt.items()}),
        order=int(order.toPython()) if isinstance(order, Literal) else None,
        close_matches=tuple(sorted(str(m) for m in graph.objects(subject, SKOS.closeMatch))),
    )


def _literals(nodes: Iterable[Any]) -> Iterator[Literal]:
    """Yield the literals among ``nodes``, skipping IRIs and blank nodes."""
    return (node for node in nodes if isinstance(node, Literal))


def _unique(pairs: Iterable[tuple[Concept, str]]) -> list[tuple[Concept, str]]:
    """Keep the first label of each concept, in order."""
    seen: dict[str, tuple[Concept, str]] = {}
    for concept, label in pairs:
        seen.setdefault(concept.iri, (concept, label))
    return list(seen.values())


def _lookup_keys(concept: Concept) -> Iterator[str]:
    """Yield the folded keys under which :meth:`ConceptIndex.lookup` finds a concept."""
    texts = [concept.notation, *concept.labels.values()]
    for labels in concept.alt_labels.values():
        texts.extend(labels)
    return (key for key in map(_key, texts) if key)


def _language_chain(lang: str, fallback: Iterable[str]) -> Iterator[str]:
    """Yield ``lang``, the fallbacks, then "en", each then its primary subtag ("de-AT", "de")."""
    for tag in (lang, *fallback, "en"):
        tag = tag.lower()
        yield tag
        if "-" in tag:
            yield tag.split("-", 1)[0]


@lru_cache(maxsize=1)
def concept_index() -> ConceptIndex:
    """Return the index of every bundled concept scheme, built once per process."""
    return ConceptIndex(schemes_graph(), prefixes=concept_prefixes(context_terms()))
