"""The CSV layout of initiatives and methods: one row per record, one column per field.

Column names are the record's JSON terms (docs/vocabulary.md); language maps take one column per
language (``name_de``); multi-valued cells separate values with ``;`` (``\\;`` is a literal
semicolon); concept cells take compact IRIs, full IRIs, notations, codes or labels in any
language. docs/operations.md documents the layout; export writes it, import reads it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vocab import (
    DATE_FIELD,
    DATE_TERMS,
    PUBLISHABLE_KINDS,
    UnknownConcept,
    concept_index,
    date_term,
)

from .concept_cells import ConceptCells
from .errors import CsvLayoutError

KINDS = {kind.singular: kind.name for kind in PUBLISHABLE_KINDS}
TEXTS = ("name", "description", "problem", "approach", "results", "impact", "transferPotential")
KEYWORDS = "keywords"  # a language map of lists: keywords_<language>, values split at ";"
LEAD = "leadOrganisation"
LEAD_FIELDS = ("legalName", "website", "countries", "id", "organisationType")
SOURCE = "source"
SOURCE_FIELDS = ("title", "website", "license")
CONCEPTS = {"countries": "country", "languages": "language", "sdgs": "sdg", "stage": "stage",
            "themes": "theme", "targetGroups": "target-group", "fundingProgrammes": "funding",
            "methodTypes": "method-type", "seeksPartnersIn": "country", "scale": "scale",
            "technologies": "technology", "organisationType": "organisation-type"}
SINGLE = frozenset({"stage", "website", "license", "startDate", "endDate", "scale",
                    "organisationType"})
LISTS = ("regions", "usesMethods", "replicates", "adapts", "sameAs")
# Yes/no words in the vocabulary's label languages (en, de, et, nl, fr), as spreadsheets write them.
YES_NO = {
    True: ("true", "yes", "y", "1", "ja", "wahr", "jah", "tõene", "waar", "oui", "vrai"),
    False: ("false", "no", "n", "0", "nein", "falsch", "ei", "väär", "nee", "onwaar", "non",
            "faux"),
}
BOOLEANS = {word: flag for flag, words in YES_NO.items() for word in words}
# Export order; language columns of TEXTS come right after identifier.
FIELD_COLUMNS = (
    *(f"{LEAD}.{name}" for name in LEAD_FIELDS[:4]), "partners", "countries", "regions",
    "languages",
    "sdgs", "stage", "themes", "targetGroups", "fundingProgrammes", "methodTypes", "usesMethods",
    "replicates", "adapts", "seeksPartners", "seeksPartnersIn", "website", "license", "startDate",
    # grown with the vocabulary; the columns above keep their names and order
    f"{LEAD}.organisationType", "endDate", "scale", "technologies", "sameAs",
    *(f"{SOURCE}.{name}" for name in SOURCE_FIELDS),
)


def split_values(cell: str) -> list[str]:
    """Split a multi-valued cell at ``;`` (``\\;`` and ``\\\\`` escape), dropping empty values."""
    if "\\" not in cell:
        return [v.strip() for v in cell.split(";") if v.strip()]
    values, current, chars = [], [], iter(cell)
    for char in chars:
        if char == "\\":
            current.append(next(chars, "\\"))
        elif char == ";":
            values.append("".join(current))
            current = []
        else:
            current.append(char)
    values.append("".join(current))
    return [v.strip() for v in values if v.strip()]


def join_values(values: Iterable[str]) -> str:
    """Join values into one cell, escaping backslashes and semicolons."""
    return "; ".join(v.replace("\\", "\\\\").replace(";", "\\;") for v in values)


def _text_column(column: str, languages: frozenset[str]) -> tuple[str, str] | None:
    field, _, lang = column.rpartition("_")
    if (field in TEXTS or field == KEYWORDS) and lang in languages:
        return field, lang
    return None


def check_header(header: Sequence[str]) -> None:
    """Fail with one message naming every unknown or repeated column, or missing required one."""
    languages = concept_index().bcp47_languages()
    known = {"kind", "identifier", *FIELD_COLUMNS}
    unknown = [c for c in header if c not in known and _text_column(c, languages) is None]
    repeated = sorted({c for c in header if header.count(c) > 1})
    missing = [c for c in ("kind", "identifier") if c not in header]
    problems = []
    if unknown:
        problems.append(f"unknown column(s) {', '.join(map(repr, unknown))} (text columns are "
                        f"<field>_<language>, e.g. name_de, with field one of {', '.join(TEXTS)})")
    if repeated:
        problems.append(f"repeated column(s) {', '.join(map(repr, repeated))}")
    if missing:
        problems.append(f"missing column(s) {', '.join(missing)}")
    if problems:
        raise CsvLayoutError("CSV header: " + "; ".join(problems))


class RowReader:
    """Turn CSV rows (column -> cell) into record payloads, collecting every cell problem."""

    def __init__(self, header: Sequence[str]) -> None:
        check_header(header)
        self.header = list(header)
        self.cells = ConceptCells(concept_index())
        languages = concept_index().bcp47_languages()
        self._texts = {c: t for c in header if (t := _text_column(c, languages)) is not None}

    def payload(self, row: Mapping[str, str]) -> tuple[str, dict[str, Any]]:
        """Return (kind, payload) of a row; raise CsvLayoutError naming every bad cell."""
        problems: list[str] = []
        kind = KINDS.get(row.get("kind", "").strip().lower())
        if kind is None:
            problems.append(f"kind: {row.get('kind', '')!r} is not Initiative or Method")
        payload: dict[str, Any] = {}
        identifier = row.get("identifier", "").strip()
        if identifier:
            payload["identifier"] = identifier
        else:
            problems.append("identifier: required (re-imports find the record by it)")
        lead: dict[str, Any] = {}
        source: dict[str, Any] = {}
        for column, cell in row.items():
            if column in ("kind", "identifier") or not cell.strip():
                continue
            try:
                if column in self._texts:
                    field, lang = self._texts[column]
                    if field == KEYWORDS:
                        payload.setdefault(field, {})[lang] = split_values(cell)
                    else:
                        payload.setdefault(field, {})[lang] = cell  # verbatim: round trips
                elif column.startswith(LEAD + "."):
                    name = column.partition(".")[2]
                    concept = name in ("countries", "organisationType")
                    lead[name] = self._value(name, cell) if concept else cell.strip()
                elif column.startswith(SOURCE + "."):
                    source[column.partition(".")[2]] = cell.strip()
                elif column in DATE_TERMS:  # the value's form picks the term (vocab.dates)
                    term, value = date_term(column, cell)
                    payload[term] = value
                else:
                    payload[column] = self._value(column, cell)
            except (UnknownConcept, ValueError) as exc:
                problems.append(f"{column}: {exc}")
        if lead:
            payload[LEAD] = {"type": "Organization", **lead}
        if source:
            payload[SOURCE] = {"type": "Dataset", **source}
        if problems:
            raise CsvLayoutError("; ".join(problems))
        return kind or "", payload

    def _value(self, column: str, cell: str) -> Any:
        if column == "partners":
            return self._partners(cell)
        if column == "seeksPartners":
            flag = BOOLEANS.get(cell.strip().lower())
            if flag is None:
                raise ValueError(f"{cell!r} is not a yes/no word (yes: {', '.join(YES_NO[True])}; "
                                 f"no: {', '.join(YES_NO[False])})")
            return flag
        if column in CONCEPTS:
            values = [self.cells.resolve(v, CONCEPTS[column]) for v in split_values(cell)]
            if column not in SINGLE:
                return values
            if len(values) != 1:
                raise ValueError(f"takes one value, got {len(values)}")
            return values[0]
        if column in SINGLE:
            return cell.strip()
        return split_values(cell)

    def _partners(self, cell: str) -> list[dict[str, Any]]:
        """Partners: ``;``-separated legal names, or a JSON array of organisation objects."""
        text = cell.strip()
        if not text.startswith("["):
            return [{"type": "Organization", "legalName": name} for name in split_values(text)]
        try:
            items = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"starts with '[' but is not a JSON array: {exc}") from None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError("a JSON value here must be an array of organisation objects")
        partners = []
        for item in items:
            countries = item.get("countries")
            if isinstance(countries, list) and all(isinstance(c, str) for c in countries):
                item = {**item, "countries": [self.cells.resolve(c, "country")
                                              for c in countries]}
            partners.append({"type": "Organization", **item})
        return partners


# -- writing ----------------------------------------------------------------------------------
def export_columns(payloads: Iterable[Mapping[str, Any]]) -> list[str]:
    """The columns an export needs: every field, and the text languages actually used."""
    used: dict[str, set[str]] = {field: set() for field in (*TEXTS, KEYWORDS)}
    for payload in payloads:
        for field in used:
            used[field].update(payload.get(field) or ())
    order = sorted(concept_index().bcp47_languages(), key=lambda t: (t != "en", t))
    texts = [f"{field}_{lang}" for field in TEXTS for lang in order if lang in used[field]]
    keywords = [f"{KEYWORDS}_{lang}" for lang in order if lang in used[KEYWORDS]]
    return ["kind", "identifier", *texts, *FIELD_COLUMNS, *keywords]


def _cell(column: str, value: Any) -> str:
    if column == "partners":
        simple = all(set(p) <= {"type", "legalName"} and not str(p.get("legalName", ""))
                     .startswith("[") for p in value)
        if simple:
            return join_values(str(p["legalName"]) for p in value)
        return json.dumps([{k: v for k, v in p.items() if k != "type"} for p in value],
                          ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return join_values(str(v) for v in value)
    return str(value)


def row_of(kind: str, payload: Mapping[str, Any], columns: Sequence[str]) -> dict[str, str]:
    """Return the CSV row of a payload; fail if a field has no column (nothing is dropped)."""
    row = {"kind": kind, "identifier": str(payload.get("identifier", ""))}
    wanted = set(columns)
    for field, value in payload.items():
        if field in ("identifier", "type", "@context"):
            continue
        if field in TEXTS:
            for lang, text in value.items():
                row[f"{field}_{lang}"] = text
        elif field == KEYWORDS:
            for lang, words in value.items():
                row[f"{field}_{lang}"] = join_values(words if isinstance(words, list) else [words])
        elif field in (LEAD, SOURCE):
            for name, inner in value.items():
                if name != "type":
                    row[f"{field}.{name}"] = _cell(name, inner)
        elif field in DATE_FIELD:
            row[DATE_FIELD[field]] = _cell(field, value)  # startYear 2016 -> startDate 2016
        else:
            row[field] = _cell(field, value)
    lost = sorted(set(row) - wanted)
    if lost:
        raise CsvLayoutError(f"{payload.get('identifier') or kind}: field(s) {', '.join(lost)} "
                             "have no CSV column; export as jsonld instead")
    return row
