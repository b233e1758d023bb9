"""The fast validator: the compiled SHACL shapes applied to a record's JSON, no RDF library.

Used on hot paths (API writes, sync). It implements the SHACL Core semantics of every constraint
that ``shapes.ttl`` uses over the graph :mod:`.expand` derives, and the SPARQL constraints through
the named Python rules in :data:`RULES`; ``tests/vocab/test_agreement.py`` proves it gives the
same verdicts as pyshacl over a corpus of valid and invalid records.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any

from ..dates import date_terms
from .expand import RDF_LANGSTRING, RDF_TYPE, RdfNode, RecordGraph, expand_record
from .lexical import XSD, well_formed
from .shapes import (
    NodeSpec,
    PropertySpec,
    Term,
    UnsupportedShape,
    compiled_shapes,
    shapes_by_target,
)
from .violations import Violation

SH = "http://www.w3.org/ns/shacl#"
NCC_ORIGIN = "https://w3id.org/ncc/vocab#origin"


def _id_under_origin(focus: Term, node: RdfNode) -> bool:
    """SPARQL rule ``id-under-origin`` (shapes.ttl): the id starts with the origin's base + '/'."""
    for origin in node.props.get(NCC_ORIGIN, {}):
        text = origin[1]
        if not text.endswith("/node"):
            return False
        if focus[0] == "bnode":
            continue  # STR() of a blank node is a SPARQL type error: the FILTER is false
        if not focus[1].startswith(text[:-4]):
            return False
    return True


def _node_is_own_origin(focus: Term, node: RdfNode) -> bool:
    """SPARQL rule ``node-is-own-origin`` (shapes.ttl): a descriptor is its own origin."""
    return all(origin == focus for origin in node.props.get(NCC_ORIGIN, {}))


RULES: dict[str, Callable[[Term, RdfNode], bool]] = {
    "id-under-origin": _id_under_origin,
    "node-is-own-origin": _node_is_own_origin,
}


def _show(term: Term) -> str:
    if term[0] == "iri":
        return f"<{term[1]}>"
    if term[0] == "bnode":
        return "an object"
    return repr(term[1])


_CATEGORY = {"iri": "IRI", "bnode": "BlankNode", "lit": "Literal"}


def _bad(out: list[Violation], at: str, rule: str, code: str, **args: object) -> None:
    out.append(Violation.of(at, rule, code, **args))


def _kind_ok(term: Term, kind: str) -> bool:
    category = _CATEGORY[term[0]]
    allowed = kind.removeprefix(SH)
    return category == allowed or (category in ("IRI", "BlankNode") and allowed == "BlankNodeOrIRI")


def _datatype_ok(term: Term, datatype: str) -> bool:
    if term[0] != "lit":
        return False
    if datatype == RDF_LANGSTRING:
        return term[2] == RDF_LANGSTRING
    return term[2] == datatype and well_formed(term[1], datatype)


def _lang_matches(tag: str, ranges: tuple[str, ...]) -> bool:
    return any(tag == r or tag.startswith(r + "-") or r == "*" for r in ranges)


def _number(term: Term) -> float | None:
    if term[0] != "lit" or term[2] not in (XSD + "integer", XSD + "decimal", XSD + "double"):
        return None
    try:
        return float(term[1])
    except ValueError:
        return None


# How to write the value, for the datatypes people type by hand (XSD 1.1 §3.3.9, §3.3.7):
# their messages say it (messages.MESSAGES)
_DATATYPE_HINTS = {"date": "datatype.date", "dateTime": "datatype.dateTime"}
_PRECISION = {"date": "YYYY-MM-DD", "gYearMonth": "YYYY-MM", "gYear": "YYYY"}


def _alternative_ok(term: Term, alternatives: tuple[tuple[str, Any], ...]) -> bool:
    """SHACL §4.6.2 sh:or over datatype shapes: some alternative's datatype and pattern hold."""
    return any(_datatype_ok(term, datatype) and (pattern is None or pattern.search(term[1]))
               for datatype, pattern in alternatives)


def _or_violation(at: str, term: Term, spec: PropertySpec) -> Violation:
    names = [d.rsplit("#", 1)[-1] for d, _ in spec.datatype_or or ()]
    terms = date_terms(spec.name)  # the key for each form names the mistake best
    dates = dict(zip(("day", "month", "year"), terms, strict=True)) if terms else {}
    suffix = ".dates" if dates else ""
    if term[0] == "lit" and term[2].rsplit("#", 1)[-1] in names:
        given = term[2].rsplit("#", 1)[-1]
        return Violation.of(at, "or", "or.given" + suffix, value=_show(term), given=given,
                            form=_PRECISION.get(given, given), **dates)
    forms = ", ".join(f"{n} ({_PRECISION.get(n, n)})" for n in names)
    return Violation.of(at, "or", "or.none" + suffix, value=_show(term), forms=forms, **dates)


def _message_code(iri: str) -> str:
    """The code of a shape's own ``sh:message``: ``shape.`` and the shape's local name."""
    return "shape." + iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class ShapeValidator:
    """Validate records against compiled shapes; ``validate`` returns every violation."""

    def __init__(self, shapes: dict[str, NodeSpec]) -> None:
        self.shapes = shapes
        for spec in shapes.values():
            for rule_id, _ in spec.rules:
                if rule_id not in RULES:
                    raise UnsupportedShape(f"{spec.iri}: SPARQL rule {rule_id!r} has no twin")
        self._by_class, self._by_subject_of = shapes_by_target(shapes)

    def _targeting(self, node: RdfNode) -> list[NodeSpec]:
        """The shapes whose targets select ``node`` (SHACL §2.1.3), each once."""
        found: dict[str, NodeSpec] = {}
        for term in node.props.get(RDF_TYPE, {}):
            for spec in self._by_class.get(term[1], ()):
                found[spec.iri] = spec
        for prop in node.props:
            for spec in self._by_subject_of.get(prop, ()):
                found[spec.iri] = spec
        return list(found.values())

    def validate(self, record: Any) -> list[Violation]:
        """Return every violation of ``record`` (a parsed JSON object); empty means valid."""
        if not isinstance(record, dict):
            return [Violation.of("", "json", "json.object")]
        body = {k: v for k, v in record.items() if k != "proof"}
        _, graph = expand_record(body)
        found = list(graph.errors)
        if found:
            return found
        for node in list(graph.nodes.values()):
            for spec in self._targeting(node):
                found.extend(self._node(graph, node, spec, node.path, set()))
        return sorted(set(found))

    def _node(
        self, graph: RecordGraph, node: RdfNode, spec: NodeSpec, path: str, seen: set[Any]
    ) -> list[Violation]:
        key = (node.term, spec.iri)
        if key in seen:
            return []
        seen = seen | {key}
        out: list[Violation] = []
        label = path or "id"
        kind_ok = spec.node_kind is None or _kind_ok(node.term, spec.node_kind)
        if not kind_ok:
            out.append(Violation.of(label, "nodeKind", "id.missing"))
        # a blank node never matches sh:pattern; report it once when nodeKind already did
        text = None if node.term[0] == "bnode" else node.term[1]
        if spec.pattern and kind_ok and (text is None or not spec.pattern.search(text)):
            out.append(Violation.of_template(label, "pattern", _message_code(spec.iri),
                                             spec.message) if spec.message
                       else Violation.of(label, "pattern", "id.pattern"))
        if spec.closed:
            for prop, values in node.props.items():
                if prop not in spec.allowed_paths and prop not in spec.ignored:
                    name = graph.names.get(prop, prop)
                    first = next(iter(values.values()))
                    out.append(Violation.of(first, "closed", "closed", name=repr(name)))
        for rule_id, message in spec.rules:
            if not RULES[rule_id](node.term, node):
                out.append(Violation.of_template(label, rule_id, f"shape.{rule_id}", message))
        for prop_spec in spec.properties:
            out.extend(self._property(graph, node, prop_spec, path, seen))
        return out

    def _property(
        self, graph: RecordGraph, node: RdfNode, spec: PropertySpec, path: str, seen: set[Any]
    ) -> list[Violation]:
        values = node.props.get(spec.path)
        if not values:
            if spec.min_count == 0:
                return []  # an absent optional property: most of a shape's properties
            values = {}
        out: list[Violation] = []
        where = f"{path}.{spec.name}" if path else spec.name
        if len(values) < spec.min_count:
            out.append(Violation.of(where, "minCount", "minCount", n=spec.min_count))
        if spec.max_count is not None and len(values) > spec.max_count:
            out.append(Violation.of(where, "maxCount", "maxCount", n=spec.max_count,
                                    got=len(values)))
        if spec.unique_lang:
            tags = [t[3] for t in values if t[0] == "lit" and t[3]]
            for tag in sorted({t for t in tags if tags.count(t) > 1}):
                out.append(Violation.of(where, "uniqueLang", "uniqueLang", tag=repr(tag)))
        for term, at in values.items():
            self._value(graph, term, at, spec, seen, out)
        return out

    def _value(
        self,
        graph: RecordGraph,
        term: Term,
        at: str,
        spec: PropertySpec,
        seen: set[Any],
        out: list[Violation],
    ) -> None:
        # messages format the value only when a rule is broken (this runs for every value)
        if spec.datatype and not _datatype_ok(term, spec.datatype):
            expected = spec.datatype.rsplit("#", 1)[-1]
            _bad(out, at, "datatype", _DATATYPE_HINTS.get(expected, "datatype"),
                 value=_show(term), datatype=expected)
        if spec.datatype_or and not _alternative_ok(term, spec.datatype_or):
            out.append(_or_violation(at, term, spec))
        if spec.node_kind and not _kind_ok(term, spec.node_kind):
            _bad(out, at, "nodeKind", "nodeKind", value=_show(term),
                 kind=spec.node_kind.removeprefix(SH))
        if spec.values_in is not None and term not in spec.values_in:
            _bad(out, at, "in", "in", value=_show(term))
        text = term[1] if term[0] != "bnode" else None
        if spec.pattern and (text is None or not spec.pattern.search(text)):
            _bad(out, at, "pattern", "pattern", value=_show(term), pattern=spec.pattern.pattern)
        if spec.min_length is not None and (text is None or len(text) < spec.min_length):
            _bad(out, at, "minLength", "minLength", n=spec.min_length)
        if spec.max_length is not None and (text is None or len(text) > spec.max_length):
            _bad(out, at, "maxLength", "maxLength", n=spec.max_length)
        if spec.language_in is not None and not (
            term[0] == "lit" and term[3] and _lang_matches(term[3], spec.language_in)
        ):
            tag = term[3] if term[0] == "lit" else ""
            _bad(out, at, "languageIn", "languageIn", tag=repr(tag))
        if spec.min_inclusive is not None or spec.max_inclusive is not None:
            number = _number(term)
            if number is None or (spec.min_inclusive is not None and number < spec.min_inclusive):
                _bad(out, at, "minInclusive", "minInclusive", value=_show(term),
                     min=spec.min_inclusive)
            elif spec.max_inclusive is not None and number > spec.max_inclusive:
                _bad(out, at, "maxInclusive", "maxInclusive", value=_show(term),
                     max=spec.max_inclusive)
        if spec.node is not None:
            child = graph.nodes.get(term)
            shape = self.shapes[spec.node]
            if child is None:  # a literal where an object is expected
                _bad(out, at, "node", "node.object")
            else:
                nested = self._node(graph, child, shape, at, seen)
                out.extend(nested)
                if nested:
                    _bad(out, at, "node", "node", shape=shape.iri.rsplit("#", 1)[-1])


@lru_cache(maxsize=1)
def shape_validator() -> ShapeValidator:
    """Return the process-wide validator over the bundled shapes (built on first use)."""
    return ShapeValidator(compiled_shapes())


def validate_shapes(record: Any) -> list[Violation]:
    """Validate ``record`` against the bundled shapes with the fast validator."""
    return shape_validator().validate(record)
