"""Turn a compacted record into RDF-shaped nodes, as JSON-LD toRdf would, without PyLD.

This mirrors the JSON-LD 1.1 expansion and RDF conversion algorithms for the one context every
record uses, so that the fast validator sees exactly the graph pyshacl sees: undefined terms and
relative IRIs are dropped, native numbers and booleans become xsd:integer/double/boolean,
duplicate values collapse (RDF graphs are sets) and nodes with the same IRI merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..iri import is_iri
from ..resources import CONTEXT_URL, DATA_INTEGRITY_V2_URL, context_terms, is_record_context
from .shapes import Term
from .violations import Violation

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_GEN_DELIMS = (":", "/", "?", "#", "[", "]", "@")
_MISSING = object()


@dataclass(frozen=True)
class TermDef:
    """A term of the context: its IRI, type coercion and container."""

    iri: str
    coerce: str | None
    container: str | None


@dataclass
class RdfNode:
    """A node of the record graph: its properties, each mapping value terms to JSON paths."""

    term: Term
    path: str
    props: dict[str, dict[Term, str]] = field(default_factory=dict)

    def add(self, prop: str, value: Term, path: str) -> None:
        """Add one value (set semantics: a repeated value keeps its first path)."""
        self.props.setdefault(prop, {}).setdefault(value, path)


@dataclass
class RecordGraph:
    """The nodes of one record, in document order, plus JSON-LD errors that abort conversion."""

    nodes: dict[Term, RdfNode] = field(default_factory=dict)
    errors: list[Violation] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # property IRI -> JSON key as written


def _type_scoped(definition: dict[str, Any]) -> bool:
    # a class with a type-scoped context (DataIntegrityProof, as the Data Integrity context
    # defines it): a type like a plain IRI term, not a property
    return "@context" in definition and set(definition) <= {"@id", "@context", "@protected"}


class Context:
    """The bundled context, pre-digested for expansion."""

    def __init__(self, definitions: dict[str, Any]) -> None:
        self.terms: dict[str, TermDef] = {}
        self.prefixes: dict[str, str] = {}
        self.properties: set[str] = set()
        self._iri_cache: dict[tuple[str, bool], str | None] = {}
        raw: dict[str, Any] = {k: v for k, v in definitions.items() if not k.startswith("@")}
        for name, value in raw.items():
            if isinstance(value, str) and value.startswith("@"):
                continue  # keyword alias (id, type)
            iri = value if isinstance(value, str) else value["@id"]
            iri = self._expand_prefixed(iri, raw)
            if isinstance(value, str) or _type_scoped(value):
                self.terms[name] = TermDef(iri, None, None)
                if iri.endswith(_GEN_DELIMS):
                    self.prefixes[name] = iri
            else:
                coerce = value.get("@type")
                if coerce and not coerce.startswith("@"):
                    coerce = self._expand_prefixed(coerce, raw)
                self.terms[name] = TermDef(iri, coerce, value.get("@container"))
                self.properties.add(name)
        self.aliases = {k: v for k, v in raw.items() if isinstance(v, str) and v.startswith("@")}

    @staticmethod
    def _expand_prefixed(value: str, raw: dict[str, Any]) -> str:
        prefix, sep, suffix = value.partition(":")
        if sep and not suffix.startswith("//") and isinstance(raw.get(prefix), str):
            return str(raw[prefix]) + suffix
        return value

    def expand_iri(self, value: str, *, vocab: bool) -> str | None:
        """Expand a compact IRI, term (when ``vocab``) or absolute IRI; None if JSON-LD drops it."""
        key = (value, vocab)
        cached = self._iri_cache.get(key, _MISSING)
        if cached is not _MISSING:
            return cached  # type: ignore[return-value]
        if len(self._iri_cache) > 50_000:  # bounded: record ids are unique, concepts repeat
            self._iri_cache.clear()
        expanded = self._expand_iri(value, vocab=vocab)
        self._iri_cache[key] = expanded
        return expanded

    def _expand_iri(self, value: str, *, vocab: bool) -> str | None:
        if vocab and value in self.terms:
            return self.terms[value].iri
        prefix, sep, suffix = value.partition(":")
        if sep:
            if prefix == "_":
                return value
            if not suffix.startswith("//") and prefix in self.prefixes:
                value = self.prefixes[prefix] + suffix
            # RFC 3987: what N-Triples, Turtle and Oxigraph can carry (vocab/iri.py)
            return value if is_iri(value) else None
        return None  # relative IRI, no base and no @vocab: toRdf drops it


@lru_cache(maxsize=1)
def expanded_context() -> Context:
    """Return the bundled context, digested once per process (term IRIs, coercions,
    containers, prefixes): the one reading of it that the validators and the RDF view share."""
    return Context(context_terms())


def _double_lexical(number: float) -> str:
    # JSON-LD toRdf §8.6: canonical xsd:double, e.g. 1.5E0
    mantissa, exponent = f"{number:.15E}".split("E")
    mantissa = mantissa.rstrip("0")
    if mantissa.endswith("."):
        mantissa += "0"
    return f"{mantissa}E{int(exponent)}"


def native_literal(value: bool | int | float, datatype: str | None) -> Term:
    """Return the RDF literal JSON-LD makes of a native JSON value."""
    if isinstance(value, bool):
        return ("lit", "true" if value else "false", datatype or XSD + "boolean", "")
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e21):
        return ("lit", _double_lexical(value), datatype or XSD + "double", "")
    if datatype == XSD + "double":
        return ("lit", _double_lexical(float(value)), datatype, "")
    return ("lit", str(int(value)), datatype or XSD + "integer", "")


class _Builder:
    def __init__(self, context: Context) -> None:
        self.ctx = context
        self.graph = RecordGraph()
        self._blank = 0

    def node(self, obj: dict[str, Any], path: str) -> Term | None:
        ctx = self.ctx
        raw_id = obj.get("@id", obj.get("id")) if "@id" in obj or "id" in obj else None
        if raw_id is None:
            term: Term = ("bnode", f"b{self._blank}")
            self._blank += 1
        elif isinstance(raw_id, str):
            iri = ctx.expand_iri(raw_id, vocab=False)
            if iri is None:
                return None  # relative @id: toRdf emits no triple about or to this node
            term = ("bnode", iri[2:]) if iri.startswith("_:") else ("iri", iri)
        else:
            at = f"{path}.id" if path else "id"
            self.graph.errors.append(Violation.of(at, "jsonld", "jsonld.id"))
            return None
        node = self.graph.nodes.setdefault(term, RdfNode(term, path))
        for key, value in obj.items():
            key = ctx.aliases.get(key, key)
            kpath = f"{path}.{key}" if path else key
            if key in ("@id", "@context"):
                continue
            if key == "@type":
                for item in value if isinstance(value, list) else [value]:
                    iri = ctx.expand_iri(item, vocab=True) if isinstance(item, str) else None
                    if iri is not None:
                        node.add(RDF_TYPE, ("iri", iri), kpath)
                continue
            if key.startswith("@"):
                continue
            definition = ctx.terms.get(key)
            if definition is not None:
                prop = definition.iri
            else:
                expanded = ctx.expand_iri(key, vocab=False) if ":" in key else None
                if expanded is None:
                    continue  # undefined term: JSON-LD drops it (the strict check reports it)
                prop, definition = expanded, TermDef(expanded, None, None)
            if definition.container == "@graph":
                continue  # the proof: a separate graph, checked by the verifier, not by shapes
            self.graph.names.setdefault(prop, key)
            self.values(node, prop, definition, value, kpath)
        return term

    def values(self, node: RdfNode, prop: str, tdef: TermDef, value: Any, path: str) -> None:
        if value is None:
            return
        if isinstance(value, list):
            for index, item in enumerate(value):
                self.values(node, prop, tdef, item, f"{path}[{index}]")
            return
        if tdef.container == "@language" and isinstance(value, dict):
            for tag, text in value.items():
                for index, item in enumerate(text if isinstance(text, list) else [text]):
                    ipath = f"{path}.{tag}" + (f"[{index}]" if isinstance(text, list) else "")
                    if item is None:
                        continue
                    if not isinstance(item, str):
                        self.graph.errors.append(
                            Violation.of(ipath, "jsonld", "jsonld.language_map"))
                        continue
                    if tag == "@none":
                        node.add(prop, ("lit", item, XSD + "string", ""), ipath)
                    else:
                        node.add(prop, ("lit", item, RDF_LANGSTRING, tag.lower()), ipath)
            return
        if isinstance(value, dict):
            if "@value" in value:
                self.value_object(node, prop, value, path)
                return
            child = self.node(value, path)
            if child is not None:
                node.add(prop, child, path)
            return
        if isinstance(value, str):
            if tdef.coerce in ("@id", "@vocab"):
                iri = self.ctx.expand_iri(value, vocab=tdef.coerce == "@vocab")
                if iri is not None:
                    term: Term = ("bnode", iri[2:]) if iri.startswith("_:") else ("iri", iri)
                    self.graph.nodes.setdefault(term, RdfNode(term, path))
                    node.add(prop, term, path)
                return
            node.add(prop, ("lit", value, tdef.coerce or XSD + "string", ""), path)
            return
        if isinstance(value, bool | int | float):
            datatype = None if tdef.coerce in ("@id", "@vocab") else tdef.coerce
            node.add(prop, native_literal(value, datatype), path)
            return
        self.graph.errors.append(Violation.of(path, "jsonld", "jsonld.value_type",
                                              type=type(value).__name__))

    def value_object(self, node: RdfNode, prop: str, obj: dict[str, Any], path: str) -> None:
        raw = obj["@value"]
        if raw is None:
            return
        language = obj.get("@language")
        datatype = obj.get("@type")
        if isinstance(datatype, str):
            datatype = self.ctx.expand_iri(datatype, vocab=True)
        if isinstance(raw, str):
            if isinstance(language, str):
                node.add(prop, ("lit", raw, RDF_LANGSTRING, language.lower()), path)
            else:
                node.add(prop, ("lit", raw, datatype or XSD + "string", ""), path)
        elif isinstance(raw, bool | int | float):
            node.add(prop, native_literal(raw, datatype), path)
        else:
            self.graph.errors.append(Violation.of(path, "jsonld", "jsonld.value"))


def expand_record(record: dict[str, Any]) -> tuple[Term | None, RecordGraph]:
    """Return the root node term and the graph of a compacted record using the bundled context."""
    builder = _Builder(expanded_context())
    context = record.get("@context")
    if context != CONTEXT_URL and not is_record_context(context):
        builder.graph.errors.append(Violation.of("@context", "jsonld", "strict.context",
                                                 context=repr(CONTEXT_URL),
                                                 integrity=repr(DATA_INTEGRITY_V2_URL)))
        return None, builder.graph
    root = builder.node(record, "")
    return root, builder.graph
