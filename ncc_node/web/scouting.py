"""The scouting page's form and results: the filters as concept choices in the reader's
language, and the ranked candidates of :class:`ncc_node.scout.Scouting`.

The page never scores anything itself: ranking and the per-factor breakdown come from the
scout package, exactly as ``GET /scout/candidates`` returns them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vocab import concept_index

from ..scout import (
    Candidate,
    Scouting,
    ScoutQuery,
    ScoutQueryInvalid,
    inferred_concepts,
    resolve_concept,
    resolve_country,
)
from ..settings import Settings
from ..store import Store
from .present import as_list, concept_label, concept_labels, node_name, page_path, pick_text

# form field -> concept scheme
FILTERS: Mapping[str, str] = {
    "for": "country",
    "sdg": "sdg",
    "theme": "theme",
    "target_group": "target-group",
    "stage": "stage",
    "language": "language",
}
DEFAULT_LIMIT = 20
LIMITS = (10, 20, 50, 100)


@dataclass
class Form:
    """What the reader asked for: compact concept IRIs (or ""), text and a page size."""

    values: dict[str, str]
    q: str = ""
    limit: int = DEFAULT_LIMIT
    errors: list[str] = field(default_factory=list)
    inferred: bool = False  # concept filters also match concepts inferred from the text


@dataclass
class Result:
    """The candidates to show, or why there are none."""

    candidates: list[dict[str, Any]] = field(default_factory=list)
    searched: bool = False
    error: str = ""


def read_form(args: Mapping[str, str]) -> Form:
    """Read the query string; a value that names no concept of its scheme is an error."""
    index = concept_index()
    values: dict[str, str] = {}
    errors: list[str] = []
    for name in FILTERS:
        raw = (args.get(name) or "").strip()
        if not raw:
            values[name] = ""
            continue
        try:  # what the API takes too: EE, EST, country:EST, a label in any language
            iri = resolve_country(raw) if name == "for" else resolve_concept(name, raw)
            values[name] = index.compact(iri)
        except ScoutQueryInvalid:
            values[name] = ""
            errors.append(f"{name}: {raw}")
    try:
        limit = int(args.get("limit") or DEFAULT_LIMIT)
    except ValueError:
        limit = DEFAULT_LIMIT
    return Form(values, (args.get("q") or "").strip()[:200],
                min(max(limit, 1), max(LIMITS)), errors,
                inferred=(args.get("inferred") or "") in ("1", "true", "on"))


def choices(lang: str) -> dict[str, list[tuple[str, str]]]:
    """Each filter's options as (compact IRI, label in ``lang``); countries and languages by
    label, the others in their scheme's order (SDGs by number, stages idea to established)."""
    index = concept_index()
    options: dict[str, list[tuple[str, str]]] = {}
    for name, scheme in FILTERS.items():
        rows = []
        for concept in index.concepts(scheme):
            label = index.label(concept.iri, lang)
            if scheme == "sdg":
                label = f"{concept.notation} · {label}"
            rows.append((index.compact(concept.iri), label))
        if scheme in ("country", "language"):
            rows.sort(key=lambda row: row[1].casefold())
        options[name] = rows
    return options


def present(candidate: Candidate, store: Store, lang: str) -> dict[str, Any]:
    """One candidate as the template shows it: name, link, origin, stage, SDGs, breakdown."""
    record: Mapping[str, Any] = candidate.record
    kind = str(record.get("type", "Initiative"))
    _, name = pick_text(record.get("name"), lang)
    tag, description = pick_text(record.get("description"), lang)
    origin = candidate.origin
    return {
        "id": str(record.get("id", "")),
        "href": page_path(str(record.get("id", "")), kind if kind == "Method" else "Initiative"),
        "name": name,
        "description": description,
        "description_lang": tag,
        "origin": origin,
        "origin_name": node_name(store, origin, lang),
        "origin_country": (concept_label(candidate.origin_country, lang)
                           if candidate.origin_country else ""),
        "countries": concept_labels(as_list(record.get("countries")), lang),
        "stage": concept_label(str(record["stage"]), lang) if record.get("stage") else "",
        "sdgs": concept_labels(as_list(record.get("sdgs")), lang),
        "score": float(candidate.score),
        "factors": [(name, value, candidate.raw.get(name, 0.0))
                    for name, value in candidate.factors.items()],
        "matched": candidate.details.get("matched", []),
        "missing": candidate.details.get("missing", []),
        "concepts": candidate.details.get("concepts", []),
        "snippet": _marked(candidate.details.get("snippet")),
        "tags": concept_labels([*as_list(record.get("themes")),
                                *as_list(record.get("targetGroups"))], lang),
        "inferred": [concept_label(c, lang) for c in inferred_concepts(record)],
        "also": [node_name(store, other["origin"], lang) for other in candidate.also],
    }


def _marked(snippet: Any) -> list[tuple[str, bool]]:
    """A snippet as (text, highlighted) pieces, for the template to escape and mark."""
    if not isinstance(snippet, dict):
        return []
    text, pieces, at = str(snippet["text"]), [], 0
    for start, end in snippet["highlights"]:
        pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    pieces.append((text[at:], False))
    return [p for p in pieces if p[0]]


def search(store: Store, settings: Settings, form: Form, lang: str) -> Result:
    """Run the scouting query the form describes (nothing until a target country is chosen)."""
    if form.errors:
        return Result(error="; ".join(form.errors))
    if not form.values["for"]:
        return Result()
    values = {name: value or None for name, value in form.values.items()}
    try:
        query = ScoutQuery(country=values["for"], sdg=values["sdg"], theme=values["theme"],
                           target_group=values["target_group"], stage=values["stage"],
                           language=values["language"], q=form.q or None, limit=form.limit,
                           inferred=form.inferred, lang=lang)
    except ScoutQueryInvalid as exc:
        return Result(error=exc.message)
    found = Scouting.from_settings(settings).candidates(store, query)
    return Result([present(c, store, lang) for c in found], searched=True)
