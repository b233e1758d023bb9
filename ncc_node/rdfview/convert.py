"""Records to RDF terms for the view: a direct path for the context's own shapes, PyLD otherwise.

PyLD (:mod:`vocab.rdf`) is the normative conversion but costs ~2 ms a record, too slow to keep
the view current beside sync (issue 6: at most 30% of sync throughput). Records written against
the bundled context only use a handful of JSON-LD features (terms, compact IRIs, ``@id``/typed
coercion, ``@language`` and ``@set`` containers, nested node objects), which are converted here
directly, reading the context through the digest the validators use
(:func:`vocab.expanded_context`). Anything else (another context, an unknown key, ``@value``
objects, floats, relative IRIs) takes the PyLD path; tests check both give isomorphic graphs.
The proof (``@container: @graph``) is not part of the view, as in :func:`vocab.to_graph`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from vocab import Context, TermDef, expanded_context, is_iri, is_record_context, to_graph

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
XSD = "http://www.w3.org/2001/XMLSchema#"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _quoted(text: str) -> str:
    # str.translate copies a non-ASCII text through a dict lookup per character (~11 µs for a
    # 300-character description); four substring scans rule out most texts first
    if '"' in text or "\\" in text or "\n" in text or "\r" in text:
        text = text.translate(ESCAPES)
    return f'"{text}"'


def literal(text: str, *, language: str | None = None, datatype: str | None = None) -> str:
    """An N-Triples literal (RDF 1.1 N-Triples §2.4)."""
    quoted = _quoted(text)
    if language:
        return f"{quoted}@{language}"
    if datatype and datatype != XSD + "string":
        return f"{quoted}^^<{datatype}>"
    return quoted


class NotDirect(Exception):
    """The record uses a JSON-LD feature the direct path leaves to PyLD."""


@lru_cache(maxsize=1)
def _properties() -> dict[str, tuple[str, TermDef]]:
    """The context's property terms (those with an expanded definition): N-Triples IRI and
    definition, from the digest the validators use (:func:`vocab.expanded_context`)."""
    context = expanded_context()
    return {name: (f"<{context.terms[name].iri}>", context.terms[name])
            for name in context.properties}


def _absolute(iri: str | None) -> str:
    if iri is None or not is_iri(iri):  # RFC 3987, the validators' own test (vocab/iri.py)
        raise NotDirect(f"not an absolute IRI: {iri!r}")
    return f"<{iri}>"


# Checked N-Triples forms of the values that repeat across records: types and vocabulary terms
# (a few dozen), and compact IRIs such as concepts ("sdg:4", "theme:education"). Bounded; record
# ids and other absolute IRIs, which never repeat, just pass through.
_VOCAB_CACHE: dict[str, str] = {}
_ID_CACHE: dict[str, str] = {}
_VOCAB_CACHE_MAX = 10_000
_ID_CACHE_MAX = 50_000


def _iri(value: Any, context: Context, *, vocab: bool) -> str:
    """``value`` as an N-Triples IRI: a term or vocabulary IRI (``vocab``) or an ``@id``."""
    cache = _VOCAB_CACHE if vocab else _ID_CACHE
    cached = cache.get(value) if isinstance(value, str) else None
    if cached is not None:
        return cached
    if not isinstance(value, str):
        raise NotDirect("a type that is not a string" if vocab else "an @id that is not a string")
    iri = _absolute(context.expand_iri(value, vocab=vocab))
    if vocab:
        keep = len(cache) < _VOCAB_CACHE_MAX
    else:  # compact IRIs only
        keep = (":" in value and not value.partition(":")[2].startswith("//")
                and len(cache) < _ID_CACHE_MAX)
    if keep:
        cache[value] = iri  # the context is the bundled one, fixed
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


# Checked language-map keys and their lowercased form (JSON-LD 1.1 Expansion §13.7.4): a
# handful of tags repeat across all records.
_LANGUAGES: dict[str, str] = {}


def _language(tag: str) -> str:
    lowered = _LANGUAGES.get(tag)
    if lowered is None:
        if not isinstance(tag, str) or not LANGUAGE_TAG.match(tag):
            raise NotDirect(f"language tag {tag!r}")
        lowered = tag.lower()
        if len(_LANGUAGES) < 1000:
            _LANGUAGES[tag] = lowered
    return lowered


class _Converter:
    def __init__(self, context: Context, blank_prefix: str) -> None:
        self.context = context
        self.properties = _properties()
        self.blank_prefix = blank_prefix
        self.blanks = 0
        self.out = Statements([], [])

    def node(self, obj: dict[str, Any]) -> str:
        if "id" in obj:
            subject = _iri(obj["id"], self.context, vocab=False)
            self.out.subjects.append(subject[1:-1])
        else:
            subject = f"_:{self.blank_prefix}{self.blanks}"
            self.blanks += 1
        lines = self.out.lines
        properties = self.properties
        for key, value in obj.items():
            if key in ("id", "proof", "@context") or value is None:
                continue
            if key == "type":
                for kind in value if isinstance(value, list) else [value]:
                    lines.append(f"{subject} {RDF_TYPE} {_iri(kind, self.context, vocab=True)}")
                continue
            term = properties.get(key)
            if term is None:
                raise NotDirect(f"key {key!r} is not a property term of the context")
            iri, definition = term
            if definition.container == "@language":
                self.language_map(f"{subject} {iri} ", value)
            elif definition.container == "@graph":
                raise NotDirect("a graph container other than the proof")
            else:
                for item in value if isinstance(value, list) else [value]:
                    if item is not None:
                        lines.append(f"{subject} {iri} {self.object(definition, item)}")
        return subject

    def language_map(self, head: str, value: Any) -> None:
        if not isinstance(value, dict):
            raise NotDirect("a language map that is not an object")
        lines = self.out.lines
        for lang, texts in value.items():
            lowered = _language(lang)
            for text in texts if isinstance(texts, list) else [texts]:
                if text is None:
                    continue
                if not isinstance(text, str):
                    raise NotDirect("a language-map value that is not a string")
                lines.append(f"{head}{_quoted(text)}@{lowered}")

    def object(self, term: TermDef, item: Any) -> str:
        if isinstance(item, str):
            if term.coerce == "@id":
                return _iri(item, self.context, vocab=False)
            if term.coerce == "@vocab":
                return _iri(item, self.context, vocab=True)
            return literal(item, datatype=term.coerce)
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
        raise NotDirect(f"a {type(item).__name__} value")


def direct_statements(record: dict[str, Any], *, blank_prefix: str = "b") -> Statements:
    """Convert a record on the bundled context directly; raise :class:`NotDirect` otherwise."""
    if not is_record_context(record.get("@context")):
        raise NotDirect("not an accepted @context form")
    converter = _Converter(expanded_context(), blank_prefix)
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
