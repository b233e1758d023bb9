"""The accept path's value checks: is one property's JSON value certainly fine?

Each check reads a value as the full path does — the strict term check (:mod:`.strict`), then
expansion (:mod:`.expand`) and the property shapes (:mod:`.fast`) — but only in the forms it
understands. Any other form (``null``, a float, a nested list, a value object, a blank-node
string, a list of language maps) or a constraint it cannot decide makes it answer "not sure"
(False), and the full path decides. ``None`` from a compiler below means "never sure".
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Any

from .expand import RDF_LANGSTRING, Context, TermDef
from .json_shapes import SH, _lang_matches  # the full path's own language-range rule, not a copy
from .known_valid_source import FAIL, Source
from .lexical import XSD, well_formed
from .shapes import PropertySpec, Term
from .term_check import _LANG_TAG  # the term check's own tag rule, not a copy

XSD_STRING = XSD + "string"
XSD_BOOLEAN = XSD + "boolean"
XSD_INTEGER = XSD + "integer"
# Native integers are taken only where float(n) == n, so the full path's float comparisons
# (fast._number) and str(int) (expand.native_literal) cannot disagree with exact ones here.
SAFE_INT = 2**53
IRI_KINDS = (None, SH + "IRI", SH + "BlankNodeOrIRI")
LITERAL_KINDS = (None, SH + "Literal")
_MEMO = 4096  # IRIs remembered as fine, per property (origins repeat; record ids do not)

ValueCheck = Callable[[Any, list[str]], bool]  # (JSON value, node ids seen so far) -> sure
TermsOf = Callable[[Any], list[Term] | None]  # the RDF terms of a value already checked
Nested = Callable[[Sequence[PropertySpec]], ValueCheck | None]  # checks for object values


def strict_iri(ctx: Context, text: str, vocab: bool) -> str | None:
    """Return the IRI ``text`` stands for if the strict check and expansion both take it as one
    (never a blank node), else None."""
    if vocab and text in ctx.terms:
        return ctx.terms[text].iri
    iri = ctx.expand_iri(text, vocab=False)
    return None if iri is None or iri.startswith("_:") else iri


def spellings(ctx: Context, iri: str, vocab: bool) -> list[str]:
    """Return the JSON strings that certainly stand for ``iri``: absolute, compact, terms."""
    candidates = [iri]
    candidates += [f"{p}:{iri[len(ns):]}" for p, ns in ctx.prefixes.items() if iri.startswith(ns)]
    if vocab:
        candidates += [name for name, term in ctx.terms.items() if term.iri == iri]
    # each candidate is read back through the very functions the full path uses
    return [c for c in candidates if strict_iri(ctx, c, vocab) == iri]


def counts(specs: Sequence[PropertySpec]) -> tuple[int, int]:
    """Return the (min, max) number of values that every spec allows."""
    low = max((s.min_count for s in specs), default=0)
    high = min((s.max_count for s in specs if s.max_count is not None), default=sys.maxsize)
    return low, high


def _ranged(specs: Sequence[PropertySpec]) -> bool:
    return any(s.min_inclusive is not None or s.max_inclusive is not None for s in specs)


def _text(src: Source, specs: Sequence[PropertySpec], var: str) -> None:
    """Emit the length and pattern checks of ``specs`` on the text in ``var``."""
    low = max((s.min_length for s in specs if s.min_length is not None), default=0)
    high = min((s.max_length for s in specs if s.max_length is not None), default=sys.maxsize)
    if low > 0 or high < sys.maxsize:
        src.fail_if(f"not {int(low)} <= len({var}) <= {int(high)}")
    for spec in specs:
        if spec.pattern is not None:
            src.fail_if(f"{src.const(spec.pattern.search, 'search')}({var}) is None")


def _function(emit: Callable[[Source], None]) -> Callable[[str], bool]:
    """A generated ``check(x) -> bool`` of the checks ``emit`` writes."""
    src = Source("check", "x")
    emit(src)
    src.line("return True")
    function: Callable[[str], bool] = src.build()
    return function


def _never_iri(specs: Sequence[PropertySpec]) -> bool:
    """Whether some constraint of ``specs`` is never true of an IRI (sh:node: not decided)."""
    return any(s.datatype is not None or s.datatype_or is not None or s.language_in is not None
               or s.node is not None or _ranged([s]) or s.node_kind not in IRI_KINDS
               for s in specs)


def iri_check(specs: Sequence[PropertySpec]) -> Callable[[str], bool]:
    """Return whether an IRI term passes every per-value constraint of ``specs``."""
    if _never_iri(specs):
        return lambda iri: False
    sets = [s.values_in for s in specs if s.values_in is not None]
    text = _function(lambda src: _text(src, specs, "x"))
    return lambda iri: all(("iri", iri) in values for values in sets) and text(iri)


def _never_literal(specs: Sequence[PropertySpec], datatype: str) -> bool:
    """Whether some constraint of ``specs`` is never true of a literal of ``datatype``."""
    return any(s.node is not None or s.language_in is not None  # sh:node: "must be an object"
               or s.node_kind not in LITERAL_KINDS or s.datatype not in (None, datatype)
               or len(_alternatives(s, datatype)) not in ((0, 1) if s.datatype_or is None else (1,))
               for s in specs)


def _alternatives(spec: PropertySpec, datatype: str) -> list[Any]:
    """The patterns of ``spec``'s sh:or alternatives of ``datatype`` (None: no pattern)."""
    return [pattern for d, pattern in spec.datatype_or or () if d == datatype]


def _literal(src: Source, specs: Sequence[PropertySpec], datatype: str, var: str) -> None:
    """Emit the checks of the literal (``var``, datatype) but min/maxInclusive (callers ask
    :func:`_never_literal` first)."""
    dt = src.const(datatype, "dt")
    if any(s.datatype is not None or s.datatype_or is not None for s in specs):
        src.fail_if(f"not {src.const(well_formed, 'well_formed')}({var}, {dt})")
    for s in specs:  # the one alternative of this datatype (_never_literal made sure)
        for pattern in _alternatives(s, datatype):
            if pattern is not None:
                src.fail_if(f"{src.const(pattern.search, 'search')}({var}) is None")
    for s in specs:
        if s.values_in is not None:
            src.fail_if(f"('lit', {var}, {dt}, '') not in {src.const(s.values_in, 'values')}")
    _text(src, specs, var)


def _iri_item(src: Source, ctx: Context, tdef: TermDef, specs: Sequence[PropertySpec]
              ) -> Callable[[Any], Term]:
    """Emit the checks of one IRI string in ``v``; return its term."""
    vocab = tdef.coerce == "@vocab"
    check = iri_check(specs)
    sets = [s.values_in for s in specs if s.values_in is not None]
    if sets:
        # a closed list of concepts: every spelling of every allowed IRI, found once
        accepted = {spelling: term[1] for term in frozenset.intersection(*sets)
                    if term[0] == "iri" and check(term[1])
                    for spelling in spellings(ctx, term[1], vocab)}
        src.fail_if(f"v not in {src.const(accepted, 'accepted')}")
        return lambda v: ("iri", accepted[v])
    passed: dict[str, str] = {}  # JSON string -> its IRI, for strings found fine

    def slow(value: str) -> bool:
        iri = strict_iri(ctx, value, vocab)
        if iri is None or not check(iri):
            return False
        if len(passed) >= _MEMO:
            passed.clear()
        passed[value] = iri
        return True

    src.fail_if(f"v not in {src.const(passed, 'passed')} and not {src.const(slow, 'slow')}(v)")
    return lambda v: ("iri", passed.get(v) or strict_iri(ctx, v, vocab) or "")


def _scalar_items(src: Source, ctx: Context, tdef: TermDef, specs: Sequence[PropertySpec]
                  ) -> dict[type, Callable[[Any], Term]]:
    """Emit, per JSON type, ``if``/``elif`` blocks checking one item in ``v`` (a type with no
    block is never sure); return the terms of the types that may pass."""
    terms: dict[type, Callable[[Any], Term]] = {}
    head = "if"
    if tdef.coerce in ("@id", "@vocab"):
        kinds: list[tuple[type, str | None]] = [(str, None)]
    elif tdef.coerce is not None:  # a typed string, e.g. xsd:dateTime
        kinds = [(str, tdef.coerce)]
    else:  # native JSON values: expand.native_literal
        kinds = [(str, XSD_STRING), (bool, XSD_BOOLEAN), (int, XSD_INTEGER)]
    for kind, datatype in kinds:
        if datatype is None and _never_iri(specs):
            continue
        if datatype is not None and (_never_literal(specs, datatype)
                                     or (kind is not int and _ranged(specs))):
            continue  # min/maxInclusive read numbers only (fast._number)
        with src.block(f"{head} t is {src.const(kind, 'kind')}:"):
            terms[kind] = _scalar(src, ctx, tdef, specs, kind, datatype)
        head = "elif"
    return terms


def _scalar(src: Source, ctx: Context, tdef: TermDef, specs: Sequence[PropertySpec],
            kind: type, datatype: str | None) -> Callable[[Any], Term]:
    if datatype is None:
        return _iri_item(src, ctx, tdef, specs)
    if kind is str:
        _literal(src, specs, datatype, "v")
        return lambda v: ("lit", v, datatype, "")
    if kind is bool:
        check = _function(lambda s: _literal(s, specs, datatype, "x"))
        src.fail_if(f"not {src.const({True: check('true'), False: check('false')}, 'verdict')}[v]")
        return lambda v: ("lit", "true" if v else "false", datatype, "")
    low = max((s.min_inclusive for s in specs if s.min_inclusive is not None), default=-SAFE_INT)
    high = min((s.max_inclusive for s in specs if s.max_inclusive is not None), default=SAFE_INT)
    src.fail_if(f"not {int(max(low, 1 - SAFE_INT))} <= v <= {int(min(high, SAFE_INT - 1))}")
    src.line("x = str(v)")
    _literal(src, specs, datatype, "x")
    return lambda v: ("lit", str(v), datatype, "")


def _language_map(specs: Sequence[PropertySpec]) -> ValueCheck | None:
    for s in specs:
        if (s.node is not None or s.values_in is not None or _ranged([s])
                or s.node_kind not in LITERAL_KINDS or s.datatype not in (None, RDF_LANGSTRING)
                or s.datatype_or is not None):
            return None
    low, high = counts(specs)
    ranges = [s.language_in for s in specs if s.language_in is not None]
    # tags certainly fine: lowercase ranges that pass the strict rule and every sh:languageIn
    good = {r for rs in ranges for r in rs
            if r == r.lower() and _LANG_TAG.match(r) and all(_lang_matches(r, x) for x in ranges)}

    def tag_ok(tag: Any) -> bool:
        return (isinstance(tag, str) and _LANG_TAG.match(tag) is not None
                and all(_lang_matches(tag.lower(), x) for x in ranges))

    unique = any(s.unique_lang for s in specs)
    src = Source("check", "value, ids")
    # strict: a language map is never empty
    src.fail_if("type(value) is not dict or not value")
    src.line("unsure = False")
    src.line("count = 0")
    with src.block("for tag, text in value.items():"):
        # several texts in one language: a non-empty list of distinct strings (RDF would merge
        # repeats, so a repeat is not counted here; sh:uniqueLang allows one)
        with src.block("if type(text) is list:"):
            src.fail_if("not text or any(type(t) is not str for t in text)"
                        " or len(set(text)) != len(text)"
                        + (" or len(text) > 1" if unique else ""))
            src.line("items = text")
        with src.block("else:"):
            src.line("items = (text,)")
        with src.block("for item in items:"):
            src.fail_if("type(item) is not str")
            _text(src, specs, "item")
            src.line("count += 1")
        with src.block(f"if tag not in {src.const(good, 'good')}:"):
            src.fail_if(f"not {src.const(tag_ok, 'tag_ok')}(tag)")
            src.line("unsure = True")
    src.fail_if(f"not {max(low, 1)} <= count <= {high}")
    # a value is (text, lowercased tag): "de-AT" and "de-at" would be one language twice
    src.line("return not unsure or len({t.lower() for t in value}) == len(value)")
    check: ValueCheck = src.build()
    return check


def compile_value(ctx: Context, tdef: TermDef, specs: Sequence[PropertySpec], nested: Nested
                  ) -> tuple[ValueCheck, TermsOf] | None:
    """Return the check of a property's whole JSON value and its terms, or None (never sure)."""
    if tdef.container == "@language":
        check = _language_map(specs)
        return None if check is None else (check, lambda v: None)
    if tdef.container not in (None, "@set"):
        return None  # @graph, @list, @index...: not read here
    low, high = counts(specs)
    node = nested(specs)
    item = Source("item", "v, ids")  # the checks of one item, written once, used twice below
    item.line("t = type(v)")
    terms = _scalar_items(item, ctx, tdef, specs)
    if node is not None:
        with item.block(f"{'elif' if terms else 'if'} t is dict:"):
            item.fail_if(f"not {item.const(node, 'node')}(v, ids)")
    if not terms and node is None:
        return None
    with item.block("else:"):
        item.line(FAIL)

    def terms_of(value: Any) -> list[Term] | None:
        # called on values the check passed: every scalar's type has a term
        if type(value) is not list:
            return None if type(value) is dict else [terms[type(value)](value)]
        if any(type(v) is dict for v in value):
            return None  # a node: no term a rule could read
        return [terms[type(v)](v) for v in value]

    def distinct(value: list[Any]) -> int:
        # RDF graphs are sets: equal terms count once; every object is a node of its own
        # (two objects with one id are refused by the node checks)
        nodes = sum(type(v) is dict for v in value)
        return nodes + len({terms[type(v)](v) for v in value if type(v) is not dict})

    src = Source("check", "value, ids")
    with src.block("if type(value) is list:"):
        if tdef.container != "@set":
            src.fail_if("len(value) != 1")  # strict: a list only where a set is declared
        with src.block("for v in value:"):
            src.inline(item)
        if low > 1:
            src.line(f"n = {src.const(distinct, 'distinct')}(value)")
        else:
            src.line("n = len(value)")
            if high < sys.maxsize:  # n only overcounts: duplicates collapse
                with src.block(f"if n > {high}:"):
                    src.line(f"n = {src.const(distinct, 'distinct')}(value)")
        src.line(f"return {low} <= n <= {high}")
    if not low <= 1 <= high:
        src.line(FAIL)
    src.line("v = value")
    src.inline(item)
    src.line("return True")
    return src.build(), terms_of
