"""The record editor's form, derived from the vocabulary's shapes (docs/web.md).

Every property of a kind's SHACL shape becomes one form field, chosen by what the shape says
of it: texts per language (a language map), concepts of a scheme (``sh:in``), links to other
records (an id pattern naming a collection), web addresses, dates, yes/no, lists of strings,
and nested organisations and sources. So a term added to the vocabulary appears in the
editor without touching this module. The form is plain HTML: every action (add a language,
find a concept or record, add a partner) is a submit button, no script needed.

:func:`read_form` turns posted fields into a payload and the form's state; :func:`state_of`
turns a stored payload into the state; :func:`field_of_path` places a validator's violation
(``partners[1].legalName``) beside its field.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from flask_babel import gettext

from vocab import COLLECTIONS, UnknownConcept, concept_index, context_terms, fold
from vocab.validation import compiled_shapes

VOCAB = "https://w3id.org/ncc/vocab#"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD = "http://www.w3.org/2001/XMLSchema#"
MINTED = ("id", "type", "origin", "version", "modified")
LONG_TEXT = 300  # texts allowed to be longer than this get a text area
ORG_SHAPE = VOCAB + "OrganisationShape"
SOURCE_SHAPE = VOCAB + "SourceShape"
DATE_FIELDS = {"startDate": ("startDate", "startMonth", "startYear"),
               "endDate": ("endDate", "endMonth", "endYear")}
_DATE_FORMS = ((re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"), 0),
               (re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z"), 1), (re.compile(r"[0-9]{4}\Z"), 2))


@dataclass(frozen=True)
class Field:
    """One field of the editor: the term, its widget and its limits."""

    term: str
    widget: str  # text | concept | concepts | records | url | date | bool | string | lines
    required: bool
    many: bool
    max_length: int | None = None
    scheme: str | None = None  # concept scheme IRI
    collection: str | None = None  # the records a relation links to
    nested: tuple[Field, ...] = ()  # for org / orgs / source
    long: bool = False


def _collection_of(pattern: str | None) -> str | None:
    if pattern is None:
        return None
    return next((c for c in COLLECTIONS.values() if f"/{c}/" in pattern), None)


def _field(spec: Any, shapes: Mapping[str, Any]) -> Field:
    many = spec.max_count is None or spec.max_count > 1
    required = spec.min_count > 0
    if spec.node is not None:
        nested = tuple(_field(p, shapes) for p in shapes[spec.node].properties
                       if p.name != "type")
        widget = "orgs" if many else ("org" if spec.node == ORG_SHAPE else "source")
        return Field(spec.name, widget, required, many, nested=nested)
    if spec.datatype == RDF_LANGSTRING:
        return Field(spec.name, "text", required, many, spec.max_length,
                     long=(spec.max_length or 0) > LONG_TEXT or spec.name == "keywords")
    if spec.values_in:
        first = sorted(t[1] for t in spec.values_in if t[0] == "iri")
        scheme = concept_index().get(first[0]).scheme if first else None
        return Field(spec.name, "concepts" if many else "concept", required, many,
                     scheme=scheme)
    collection = _collection_of(spec.pattern.pattern if spec.pattern else None)
    if collection is not None or spec.name == "sameAs":
        return Field(spec.name, "records", required, many, collection=collection or
                     COLLECTIONS["Initiative"])
    if spec.node_kind is not None and spec.node_kind.endswith("IRI"):
        return Field(spec.name, "url", required, many, spec.max_length)
    if spec.datatype in (XSD + "date", XSD + "gYear", XSD + "gYearMonth") \
            or spec.name in DATE_FIELDS:
        return Field(spec.name, "date", required, many)
    if spec.datatype == XSD + "boolean":
        return Field(spec.name, "bool", required, many)
    return Field(spec.name, "lines" if many else "string", required, many, spec.max_length)


# the order of the form: what a record is, then what it does, then where and with whom
ORDER = ("identifier", "name", "description", "problem", "approach", "results", "impact",
         "transferPotential", "keywords", "methodTypes", "stage", "startDate", "endDate",
         "countries", "regions", "scale", "languages", "sdgs", "themes", "targetGroups",
         "technologies", "fundingProgrammes", "seeksPartners", "seeksPartnersIn",
         "leadOrganisation", "partners", "website", "license", "usesMethods", "replicates",
         "adapts", "sameAs", "source")


@lru_cache(maxsize=4)
def fields_of(kind: str) -> tuple[Field, ...]:
    """The editor's fields for a kind, from its shape (minted fields left out)."""
    shapes = compiled_shapes()
    spec = next(s for s in shapes.values() if s.target_classes == frozenset({VOCAB + kind}))
    found = {p.name: _field(p, shapes) for p in spec.properties
             if p.name not in MINTED and p.name not in ("startMonth", "startYear",
                                                         "endMonth", "endYear")}
    ordered = [found.pop(t) for t in ORDER if t in found]
    return (*ordered, *sorted(found.values(), key=lambda f: f.term))


def text_languages() -> list[str]:
    """The language tags a text may have (the vocabulary's languages), sorted."""
    return sorted(concept_index().bcp47_languages())


@dataclass
class FormState:
    """What the form shows: the values as typed, the search results, the languages."""

    kind: str
    langs: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    found: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # term -> (id, label)
    queries: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)  # field id -> message (form's own)


def field_id(*parts: object) -> str:
    """The HTML id (and name) of a field: ``f-name-de``, ``f-partners-1-legalName``."""
    return "f-" + "-".join(str(p) for p in parts)


def field_of_path(path: str, kind: str) -> str:
    """The field id a validator's violation path belongs to."""
    head, _, rest = path.partition(".")
    match = re.fullmatch(r"(\w+)(?:\[(\d+)\])?", head)
    if match is None:
        return "f-" + head
    term, index = match.groups()
    spec = next((f for f in fields_of(kind) if f.term == term), None)
    if term in ("startMonth", "startYear", "endMonth", "endYear"):
        return field_id(term[:-5] + "Date" if term.endswith("Month") else term[:-4] + "Date")
    if spec is None:
        return field_id(term)
    if spec.widget == "text" and rest:
        return field_id(term, rest.split(".")[0])
    if spec.widget in ("org", "source", "orgs") and rest:
        sub = rest.split(".")[0].split("[")[0]
        return field_id(term, index or 0, sub)
    return field_id(term)


# -- from a stored payload ----------------------------------------------------------------------
def state_of(kind: str, payload: Mapping[str, Any], ui_lang: str) -> FormState:
    """The form state showing a payload (a stored record's, or a draft's)."""
    state = FormState(kind)
    langs: set[str] = set()
    for spec in fields_of(kind):
        value = payload.get(spec.term)
        if spec.widget == "date":
            value = next((payload[t] for t in DATE_FIELDS.get(spec.term, (spec.term,))
                          if isinstance(payload.get(t), str)), None)
        if value is None:
            continue
        if spec.widget == "text" and isinstance(value, dict):
            langs.update(value)
            state.values[spec.term] = {
                lang: "\n".join(v) if isinstance(v, list) else str(v)
                for lang, v in value.items()}
        elif spec.widget in ("concepts", "records"):
            state.values[spec.term] = [_expand(v) for v in _listed(value)]
        elif spec.widget == "concept":
            state.values[spec.term] = _expand(str(value))
        elif spec.widget == "lines":
            state.values[spec.term] = "\n".join(str(v) for v in _listed(value))
        elif spec.widget == "bool":
            state.values[spec.term] = "true" if value is True else "false"
        elif spec.widget in ("org", "orgs", "source"):
            state.values[spec.term] = [_nested_state(spec, item) for item in _listed(value)]
        else:
            state.values[spec.term] = str(value)
    state.langs = sorted(langs) or [ui_lang]
    return state


def _nested_state(spec: Field, item: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(item, dict):
        return out
    for sub in spec.nested:
        value = item.get(sub.term)
        if value is None:
            continue
        if sub.widget in ("concepts", "concept"):
            index = concept_index()
            out[sub.term] = ", ".join(index.compact(_expand(v)) for v in _listed(value))
        else:
            out[sub.term] = str(value)
    return out


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _expand(value: str) -> str:
    try:
        return concept_index().expand_compact(value)
    except UnknownConcept:
        return value


# -- from a posted form -------------------------------------------------------------------------
def read_form(kind: str, form: Any) -> FormState:
    """The form state a posted form describes (``form``: a werkzeug MultiDict)."""
    state = FormState(kind)
    langs = [tag for tag in form.getlist("langs") if tag in text_languages()]
    added = form.get("add_lang", "")
    if form.get("action") == "add-language" and added in text_languages() and \
            added not in langs:
        langs.append(added)
    state.langs = list(dict.fromkeys(langs)) or ["en"]
    for spec in fields_of(kind):
        name = field_id(spec.term)
        if spec.widget == "text":
            state.values[spec.term] = {lang: form.get(field_id(spec.term, lang), "")
                                       for lang in state.langs}
        elif spec.widget in ("concepts", "records"):
            picks = list(dict.fromkeys(v for v in form.getlist(name) if v))
            extra = form.get(f"{name}-other", "") if spec.term == "sameAs" else ""
            picks += [line.strip() for line in extra.splitlines() if line.strip()]
            state.values[spec.term] = list(dict.fromkeys(picks))
            state.queries[spec.term] = form.get(f"q-{spec.term}", "").strip()
        elif spec.widget in ("org", "orgs", "source"):
            count = int(form.get(f"{name}-count", "0") or 0)
            if form.get("action") == f"add-{spec.term}":
                count += 1
            items = [{sub.term: form.get(field_id(spec.term, i, sub.term), "").strip()
                      for sub in spec.nested} for i in range(min(count, 50))]
            state.values[spec.term] = items
        else:
            state.values[spec.term] = form.get(name, "").strip()
    return state


def payload_of_state(state: FormState) -> dict[str, Any]:
    """The record payload the form's values make; what cannot be read (an unknown country
    name, a date in no known form) is noted in ``state.problems`` and left out."""
    payload: dict[str, Any] = {}
    index = concept_index()
    for spec in fields_of(state.kind):
        value = state.values.get(spec.term)
        if spec.widget == "text":
            texts = {lang: text.strip() for lang, text in (value or {}).items() if text.strip()}
            if spec.term == "keywords":
                texts = {lang: [k.strip() for k in re.split(r"[\n,;]", text) if k.strip()]
                         for lang, text in texts.items()}
            if texts:
                payload[spec.term] = texts
        elif spec.widget in ("concepts", "records"):
            picks = [index.compact(v) if spec.widget == "concepts" else v for v in value or ()]
            if picks:
                payload[spec.term] = picks
        elif spec.widget == "concept":
            if value:
                payload[spec.term] = index.compact(value)
        elif spec.widget == "lines":
            lines = [line.strip() for line in (value or "").splitlines() if line.strip()]
            if lines:
                payload[spec.term] = lines
        elif spec.widget == "bool":
            if value in ("true", "false"):
                payload[spec.term] = value == "true"
        elif spec.widget == "date":
            if value:
                term, text = _date_term(spec.term, value, state)
                payload[term] = text
        elif spec.widget in ("org", "orgs", "source"):
            items = [_nested_payload(spec, i, item, state) for i, item in enumerate(value or ())]
            items = [item for item in items if item]
            if items:
                payload[spec.term] = items if spec.many else items[0]
        elif value:
            payload[spec.term] = value
    return payload


def _date_term(term: str, text: str, state: FormState) -> tuple[str, str]:
    """The term a date's form picks (``2016`` -> ``startYear``) where the vocabulary has the
    terms for year and month precision; else the day term (and the validator says why)."""
    terms = DATE_FIELDS.get(term, (term,))
    known = context_terms()
    for pattern, precision in _DATE_FORMS:
        if pattern.match(text) and precision < len(terms) and terms[precision] in known:
            return terms[precision], text
    if not _DATE_FORMS[0][0].match(text):
        state.problems[field_id(term)] = (
            gettext("Write the date as YYYY-MM-DD, YYYY-MM or YYYY.") if "startYear" in known
            else gettext("Write the date as YYYY-MM-DD."))
    return terms[0], text


def _nested_payload(spec: Field, i: int, item: Mapping[str, str], state: FormState
                    ) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for sub in spec.nested:
        text = item.get(sub.term, "")
        if not text:
            continue
        if sub.widget in ("concepts", "concept"):
            iris = []
            for name in (n.strip() for n in text.split(",") if n.strip()):
                found = concept_index().lookup(name, sub.scheme)
                if not found:
                    state.problems[field_id(spec.term, i, sub.term)] = gettext(
                        "%(name)s: not known", name=repr(name))
                    continue
                iris.append(concept_index().compact(found[0].iri))
            if iris:
                out[sub.term] = iris if sub.many else iris[0]
        else:
            out[sub.term] = text
    return out


def concept_choices(spec: Field, lang: str, chosen: Iterable[str]) -> list[tuple[str, str]]:
    """(IRI, label in ``lang``) of a scheme's concepts to offer; for a long scheme only the
    chosen ones (the others are found by searching)."""
    index = concept_index()
    assert spec.scheme is not None
    concepts = index.concepts(spec.scheme)
    wanted = set(chosen)
    shown = concepts if len(concepts) <= 30 else [c for c in concepts if c.iri in wanted]
    return [(c.iri, index.label(c.iri, lang)) for c in shown]


def find_concepts(spec: Field, text: str, lang: str) -> list[tuple[str, str]]:
    """Concepts of the field's scheme whose label in any language matches ``text``; each with
    its label in ``lang`` (and the matching label when that differs)."""
    index = concept_index()
    assert spec.scheme is not None
    _, found = index.search(text, spec.scheme, limit=12)
    out = []
    for concept, matched in found:
        label = index.label(concept.iri, lang)
        # the label as written that matched (search answers folded keys), when it differs
        written = [t for t in (*concept.labels.values(),
                               *(a for alts in concept.alt_labels.values() for a in alts))
                   if " ".join(fold(t).split()) == matched]
        other = written[0] if written else ""
        out.append((concept.iri, label if not other or fold(other) == fold(label)
                    else f"{label} ({other})"))
    return out
