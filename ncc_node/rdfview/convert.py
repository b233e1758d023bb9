"""Records to RDF terms for the view: a direct path for the context's own shapes, PyLD otherwise.

PyLD (:mod:`vocab.rdf`) is the normative conversion but costs ~2 ms a record, too slow to keep
the view current beside sync (issue 6: at most 30% of sync throughput). Records written against
the bundled context only use a handful of JSON-LD features (terms, compact IRIs, ``@id``/typed
coercion, ``@language`` and ``@set`` containers, nested node objects), which are converted here
directly from the context's term definitions. Anything else (another context, an unknown key,
``@value`` objects, floats, relative IRIs) takes the PyLD path; tests check both give
isomorphic graphs. The proof (``@container: @graph``) is not part of the view, as in
:func:`vocab.to_graph`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vocab import CONTEXT_URL, context_terms, to_graph

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
# an absolute IRI: a scheme, then no characters N-Triples would refuse
ABSOLUTE_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|\\^`]*$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (RDF 1.1 N-Triples §2.4)."""
    quoted = '"' + text.translate(ESCAPES) + '"'
    if language:
        return f"{quoted}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


class NotDirect(Exception):
    """The record uses a JSON-LD feature the direct path leaves to PyLD."""


@dataclass(frozen=True)
class TermDef:
    """One property term of the context, expanded."""

    iri: str  # in N-Triples form, <...>
    coerce: str | None  # "@id", "@vocab", a datatype IRI, or None
    container: str | None  # "@language", "@set", "@graph" or None


@dataclass(frozen=True)
class Context:
    """The bundled context, expanded once: prefixes, type terms, property terms."""

    prefixes: dict[str, str]
    iris: dict[str, str]  # every term to its full IRI (used for @vocab expansion)
    properties: dict[str, TermDef]


def _expand(value: str, prefixes: dict[str, str]) -> str:
    prefix, sep, suffix = value.partition(":")
    if sep and prefix in prefixes and not suffix.startswith("//"):
        return prefixes[prefix] + suffix
    return value


@lru_cache(maxsize=1)
def bundled_context() -> Context:
    """Expand the bundled context's term definitions (once per process)."""
    terms = context_terms()
    prefixes = {k: v for k, v in terms.items()
                if isinstance(v, str) and not k.startswith("@") and v[-1:] in ("/", "#")}
    iris: dict[str, str] = {}
    properties: dict[str, TermDef] = {}
    for key, value in terms.items():
        if key.startswith("@") or key in ("id", "type"):
            continue
        if isinstance(value, str):
            iris[key] = _expand(value, prefixes)
            continue
        iri = _expand(value["@id"], prefixes)
        iris[key] = iri
        coerce = value.get("@type")
        if coerce is not None and not coerce.startswith("@"):
            coerce = _expand(coerce, prefixes)
        properties[key] = TermDef(f"<{iri}>", coerce, value.get("@container"))
    return Context(prefixes, iris, properties)


def _absolute(iri: str) -> str:
    if not ABSOLUTE_IRI.match(iri):
        raise NotDirect(f"not an absolute IRI: {iri!r}")
    return f"<{iri}>"


def _vocab_iri(value: Any, context: Context) -> str:
    if not isinstance(value, str):
        raise NotDirect("a type that is not a string")
    return _absolute(context.iris.get(value) or _expand(value, context.prefixes))


# Concept values ("sdg:4", "theme:education") repeat across records: their checked N-Triples
# form is remembered (bounded; record ids, which never repeat, just pass through).
_ID_CACHE: dict[str, str] = {}
_ID_CACHE_MAX = 50_000


def _id_iri(value: Any, context: Context) -> str:
    cached = _ID_CACHE.get(value) if isinstance(value, str) else None
    if cached is not None:
        return cached
    if not isinstance(value, str):
        raise NotDirect("an @id that is not a string")
    iri = _absolute(_expand(value, context.prefixes))
    if ":" in value and not value.partition(":")[2].startswith("//") and (
            len(_ID_CACHE) < _ID_CACHE_MAX):
        _ID_CACHE[value] = iri  # compact IRIs only: the context is the bundled one, fixed
    return iri


@dataclass
class Statements:
    """A record's payload as N-Triples statements, and the IRI subjects they describe."""

    lines: list[str]
    subjects: list[str]  # IRIs (without <>) of the nodes with an id, the record first

    def nquads(self, graph: str) -> str:
        """The statements as N-Quads in ``graph`` (an absolute IRI)."""
        suffix = f" <{graph}> .\n"
        return suffix.join(self.lines) + suffix if self.lines else ""


class _Converter:
    def __init__(self, context: Context, blank_prefix: str) -> None:
        self.context = context
        self.blank_prefix = blank_prefix
        self.blanks = 0
        self.out = Statements([], [])

    def node(self, obj: dict[str, Any]) -> str:
        if "id" in obj:
            subject = _id_iri(obj["id"], self.context)
            self.out.subjects.append(subject[1:-1])
        else:
            subject = f"_:{self.blank_prefix}{self.blanks}"
            self.blanks += 1
        lines = self.out.lines
        for key, value in obj.items():
            if key in ("id", "proof", "@context") or value is None:
                continue
            if key == "type":
                for kind in value if isinstance(value, list) else [value]:
                    lines.append(f"{subject} {RDF_TYPE} {_vocab_iri(kind, self.context)}")
                continue
            term = self.context.properties.get(key)
            if term is None:
                raise NotDirect(f"key {key!r} is not a property term of the context")
            self.values(subject, term, value)
        return subject

    def values(self, subject: str, term: TermDef, value: Any) -> None:
        lines = self.out.lines
        if term.container == "@language":
            if not isinstance(value, dict):
                raise NotDirect("a language map that is not an object")
            for lang, texts in value.items():
                if not LANGUAGE_TAG.match(lang):
                    raise NotDirect(f"language tag {lang!r}")
                for text in texts if isinstance(texts, list) else [texts]:
                    if text is None:
                        continue
                    if not isinstance(text, str):
                        raise NotDirect("a language-map value that is not a string")
                    # JSON-LD 1.1 Expansion §13.7.4: language-map keys are lowercased
                    lines.append(f"{subject} {term.iri} {literal(text, language=lang.lower())}")
            return
        if term.container == "@graph":
            raise NotDirect("a graph container other than the proof")
        for item in value if isinstance(value, list) else [value]:
            if item is not None:
                lines.append(f"{subject} {term.iri} {self.object(term, item)}")

    def object(self, term: TermDef, item: Any) -> str:
        if isinstance(item, dict):
            if any(k.startswith("@") for k in item):
                raise NotDirect("a value or node object with keywords")
            return self.node(item)
        if isinstance(item, list):
            raise NotDirect("a list of lists")
        if isinstance(item, bool):
            return literal("true" if item else "false", datatype=XSD + "boolean")
        if isinstance(item, int):
            return literal(str(item), datatype=XSD + "integer")
        if not isinstance(item, str):
            raise NotDirect(f"a {type(item).__name__} value")
        if term.coerce == "@id":
            return _id_iri(item, self.context)
        if term.coerce == "@vocab":
            return _vocab_iri(item, self.context)
        return literal(item, datatype=term.coerce)


def direct_statements(record: dict[str, Any], *, blank_prefix: str = "b") -> Statements:
    """Convert a record on the bundled context directly; raise :class:`NotDirect` otherwise."""
    if record.get("@context") != CONTEXT_URL:
        raise NotDirect("not the bundled context alone")
    converter = _Converter(bundled_context(), blank_prefix)
    converter.node(record)
    return converter.out


def _nt(term: Any, blank_prefix: str) -> str:
    from rdflib import BNode, URIRef

    if isinstance(term, URIRef):
        return _absolute(str(term))
    if isinstance(term, BNode):
        return f"_:{blank_prefix}{term}"
    return literal(str(term), language=term.language,
                   datatype=str(term.datatype) if term.datatype is not None else None)


def pyld_statements(record: dict[str, Any], *, blank_prefix: str = "b") -> Statements:
    """Convert a record through PyLD (the normative path), without its proof."""
    out = Statements([], [])
    seen: set[str] = set()
    for s, p, o in to_graph(record):
        subject = _nt(s, blank_prefix)
        if subject.startswith("<") and subject not in seen:
            seen.add(subject)
            out.subjects.append(subject[1:-1])
        out.lines.append(f"{subject} {_nt(p, blank_prefix)} {_nt(o, blank_prefix)}")
    record_id = str(record.get("id"))
    if record_id in out.subjects:  # the record first, as on the direct path
        out.subjects.remove(record_id)
        out.subjects.insert(0, record_id)
    return out


def record_statements(record: dict[str, Any], *, blank_prefix: str = "b") -> Statements:
    """The record's payload as N-Triples statements: the direct path when it applies, else PyLD."""
    try:
        return direct_statements(record, blank_prefix=blank_prefix)
    except NotDirect:
        return pyld_statements(record, blank_prefix=blank_prefix)
