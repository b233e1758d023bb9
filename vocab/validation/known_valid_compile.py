"""Compile the context and the shapes into the accept path's node checks.

A node check answers for one JSON object whose shapes are known: the ``sh:node`` shapes that
reach it, the shapes its type targets (``sh:targetClass``) and those targeting subjects of a
property it may have (``sh:targetSubjectsOf``, applied whether or not the property is present:
stricter, never looser). Only closed node shapes are compiled, so every key the check does not
know is a key the full path rejects or one it cannot vouch for; both make it answer False.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .expand import RDF_TYPE, Context, RdfNode
from .json_shapes import NCC_ORIGIN, RULES
from .known_valid_values import (
    IRI_KINDS,
    SH,
    TermsOf,
    ValueCheck,
    compile_value,
    counts,
    iri_check,
    strict_iri,
)
from .shapes import NodeSpec, PropertySpec, Term, shapes_by_target

NodeCheck = Callable[[dict[str, Any], list[str]], bool]  # (JSON object, ids seen) -> sure
Rule = Callable[[Term, dict[str, Any]], bool]

# What each SPARQL twin in fast.RULES reads of its focus node (shapes.ttl's sh:select): the node
# handed to a twin here holds only these properties, so a rule missing here is never sure.
RULE_READS: dict[str, tuple[str, ...]] = {
    "id-under-origin": (NCC_ORIGIN,),
    "node-is-own-origin": (NCC_ORIGIN,),
}
_BAD = object()  # a "type" that is no key of any plan
_MISSING = object()
_BLANK: Term = ("bnode", "accept")  # an object without id (the twins only compare it)


def _always(value: Any, ids: list[str]) -> bool:
    return True


def _is_string(value: Any, ids: list[str]) -> bool:
    return type(value) is str


def type_key(obj: dict[str, Any]) -> Any:
    """The one type term an object names (None: none), or a key no plan has."""
    kind = obj.get("type", _MISSING)
    if type(kind) is str:
        return kind
    if kind is _MISSING:
        return None
    if type(kind) is list:
        if not kind:
            return None  # strict takes [], expansion makes no type of it
        if len(kind) == 1 and type(kind[0]) is str:
            return kind[0]
    return _BAD


class AcceptCompiler:
    """Build node checks from one context and one set of compiled shapes."""

    def __init__(self, ctx: Context, shapes: dict[str, NodeSpec]) -> None:
        self.ctx = ctx
        self.shapes = shapes
        self._by_class, self._by_subject_of = shapes_by_target(shapes)
        # property IRI -> the one JSON key spelling it; a proof graph (@graph) is not read here
        owners: dict[str, list[str]] = {}
        for name in ctx.properties:
            if ctx.terms[name].container != "@graph":
                owners.setdefault(ctx.terms[name].iri, []).append(name)
        self.keys = {iri: names[0] for iri, names in owners.items() if len(names) == 1}
        # a property several single-valued keys spell (startDate/startMonth/startYear: one per
        # datatype): each key is checked alone, and the node check counts the keys present
        self.groups = {iri: tuple(names) for iri, names in owners.items() if len(names) > 1
                       and all(ctx.terms[n].container is None for n in names)}
        self.type_keys: list[str | None] = [None, *sorted(ctx.terms)]
        self._plans: dict[tuple[frozenset[str], str | None, bool], NodeCheck | None] = {}
        self._nested: dict[frozenset[str], dict[Any, NodeCheck]] = {}

    def roots(self) -> dict[Any, NodeCheck]:
        """Return the node check of a whole record, by its type term."""
        found = {key: self.plan(frozenset(), key, root=True) for key in self.type_keys}
        return {key: check for key, check in found.items() if check is not None}

    def plan(self, node_shapes: frozenset[str], kind: str | None, *, root: bool
             ) -> NodeCheck | None:
        """Return the check of an object reached by ``node_shapes`` whose type term is ``kind``,
        or None when no such object is certainly valid."""
        iri = None if kind is None else self.ctx.terms[kind].iri
        key = (node_shapes, iri, root)
        if key not in self._plans:
            self._plans[key] = self._compile(node_shapes, iri, root)
        return self._plans[key]

    def _shapes(self, node_shapes: frozenset[str], iri: str | None
                ) -> tuple[list[NodeSpec], frozenset[str]] | None:
        """The shapes that apply and the properties their closed shapes allow."""
        found = {s: self.shapes[s] for s in node_shapes}
        found.update((s.iri, s) for s in self._by_class.get(iri or "", ()))
        for _ in range(2):  # a closed shape added by the first pass narrows what is allowed
            closed = [s for s in found.values() if s.closed]
            if not closed:
                return None  # an open node may hold any term: not read here
            allowed = frozenset.intersection(*(s.allowed_paths | s.ignored for s in closed))
            present = allowed | ({RDF_TYPE} if iri else set())
            for prop in present & self._by_subject_of.keys():
                found.update((s.iri, s) for s in self._by_subject_of[prop])
        return list(found.values()), allowed

    def _compile(self, node_shapes: frozenset[str], iri: str | None, root: bool
                 ) -> NodeCheck | None:
        applied = self._shapes(node_shapes, iri)
        if applied is None:
            return None
        shapes, allowed = applied
        if iri is not None and RDF_TYPE not in allowed:
            return None
        props: dict[str, list[PropertySpec]] = {}
        for shape in shapes:
            for spec in shape.properties:
                props.setdefault(spec.path, []).append(spec)
        for path in allowed - props.keys():
            props[path] = []  # ignored properties: the strict check and expansion still apply
        types = props.pop(RDF_TYPE, [])
        low, high = counts(types)
        if not low <= (iri is not None) <= high or (iri and not iri_check(types)(iri)):
            return None
        # the type was read when the plan was chosen; the id is read by the node check
        checks: dict[str, ValueCheck] = {"type": _always, "id": _is_string}
        terms: dict[str, TermsOf] = {}
        required = set()
        groups: list[tuple[tuple[str, ...], int]] = []
        for path, specs in props.items():
            if path in allowed and path in self.groups and counts(specs)[0] == 0:
                spelled = self.groups[path]
                for term in spelled:
                    found = compile_value(self.ctx, self.ctx.terms[term], specs,
                                          self._node_items)
                    if found is not None:
                        checks[term], terms[term] = found
                groups.append((spelled, counts(specs)[1]))
                continue
            name = self.keys.get(path) if path in allowed else None
            compiled = None if name is None else compile_value(
                self.ctx, self.ctx.terms[name], specs, self._node_items)
            if compiled is None or name is None:
                if counts(specs)[0] > 0:
                    return None  # required, yet never certainly valid
                continue
            checks[name], terms[name] = compiled
            if counts(specs)[0] > 0:
                required.add(name)
        node = self._node_level(shapes, terms)
        if node is None:
            return None
        if root:
            checks["@context"] = _always  # compared before the plan is chosen
            if "proof" in self.ctx.properties:
                checks["proof"] = _always  # never shape-validated (ShapeValidator.validate)
        return _node_check(self.ctx, checks, frozenset(required), groups, *node)

    def _node_level(self, shapes: Sequence[NodeSpec], terms: dict[str, TermsOf]
                    ) -> tuple[bool, tuple[Any, ...], list[Rule]] | None:
        """Whether an id is required, the id patterns and the rules; None if never sure."""
        kinds = {s.node_kind for s in shapes} - {None, SH + "BlankNodeOrIRI"}
        if kinds - {SH + "IRI"}:
            return None  # sh:BlankNode or sh:Literal nodes: not read here
        patterns = tuple(s.pattern for s in shapes if s.pattern is not None)
        rules = []
        for rule_id in sorted({r for s in shapes for r, _ in s.rules}):
            rule = self._rule(rule_id, terms)
            if rule is None:
                return None
            rules.append(rule)
        return bool(kinds) or bool(patterns), patterns, rules

    def _rule(self, rule_id: str, terms: dict[str, TermsOf]) -> Rule | None:
        twin = RULES.get(rule_id)
        reads = RULE_READS.get(rule_id)
        if twin is None or reads is None:
            return None
        # a property without a check is never in a node this plan accepts
        keyed = [(p, self.keys[p], terms[self.keys[p]]) for p in reads
                 if self.keys.get(p) in terms]

        def rule(focus: Term, obj: dict[str, Any]) -> bool:
            props: dict[str, dict[Term, str]] = {}
            for prop, name, terms_of in keyed:
                if name in obj:
                    found = terms_of(obj[name])
                    if found is None:
                        return False
                    props[prop] = dict.fromkeys(found, "")
            return twin(focus, RdfNode(focus, "", props))

        return rule

    def _node_items(self, specs: Sequence[PropertySpec]) -> ValueCheck | None:
        """The check of an object value of a property with ``sh:node`` (None: never sure)."""
        shapes = frozenset(s.node for s in specs if s.node is not None)
        if not shapes or any(
            s.datatype is not None or s.datatype_or is not None or s.values_in is not None
            or s.pattern is not None
            or s.min_length is not None or s.max_length is not None
            or s.language_in is not None or s.min_inclusive is not None
            or s.max_inclusive is not None or s.node_kind not in IRI_KINDS for s in specs
        ):
            return None
        need_id = any(s.node_kind == SH + "IRI" for s in specs)
        plans = self._nested.get(shapes)
        if plans is None:
            # registered before it is filled, so a shape reaching itself finds it
            plans = self._nested[shapes] = {}
            for key in self.type_keys:
                check = self.plan(shapes, key, root=False)
                if check is not None:
                    plans[key] = check

        def node(value: dict[str, Any], ids: list[str]) -> bool:
            if need_id and "id" not in value:
                return False
            kind = value.get("type")
            check = plans.get(kind if type(kind) is str else type_key(value))
            return check is not None and check(value, ids)

        return node


def _node_check(ctx: Context, checks: dict[str, ValueCheck], required: frozenset[str],
                groups: list[tuple[tuple[str, ...], int]], need_id: bool,
                patterns: tuple[Any, ...], rules: list[Rule]) -> NodeCheck:
    def check(obj: dict[str, Any], ids: list[str]) -> bool:
        for key, value in obj.items():
            found = checks.get(key)
            if found is None or not found(value, ids):
                return False
        if not obj.keys() >= required:
            return False
        for names, most in groups:  # one value per key (no @set): keys present = values
            if sum(name in obj for name in names) > most:
                return False
        raw = obj.get("id")
        if raw is None:
            if need_id:
                return False
            focus = _BLANK
        else:
            iri = strict_iri(ctx, raw, False)
            if iri is None:
                return False
            for pattern in patterns:
                if pattern.search(iri) is None:
                    return False
            ids.append(iri)  # nodes with one IRI merge in RDF: the caller refuses repeats
            focus = ("iri", iri)
        for rule in rules:
            if not rule(focus, obj):
                return False
        return True

    return check
