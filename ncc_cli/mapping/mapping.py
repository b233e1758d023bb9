"""Declarative mappings: a CSV or JSON source to record payloads, every problem of a row at once.

A mapping file (TOML) names the source (format, where the records are, its name, URL and
licence), optional lookups (other files joined by a key), and one entry per target field:

    [fields.description]
    path = ["long_description", "short_description"]   # first that is not empty
    html = true                                       # HTML to text
    language = "detect"                               # or a tag ("en"), or language_path

Paths address nested JSON: ``a.b``, ``a[0]``, ``a[*].b``; a CSV row is one level (column names).
Problems carry (row, field, column, value, rule) so a dry run can print them all.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from vocab import date_term

from .textclean import html_to_text, tidy

TEXT_FIELDS = ("name", "description", "problem", "approach", "results", "impact",
               "transferPotential")
MULTILINGUAL_LISTS = ("keywords",)
CONCEPT_FIELDS = {"countries": "country", "languages": "language", "sdgs": "sdg",
                  "stage": "stage", "themes": "theme", "targetGroups": "target-group",
                  "fundingProgrammes": "funding", "methodTypes": "method-type",
                  "seeksPartnersIn": "country", "scale": "scale",
                  "organisationType": "organisation-type", "technologies": "technology"}
SINGLE = frozenset({"stage", "website", "license", "startDate", "endDate", "scale",
                    "identifier", "organisationType", "seeksPartners"})
DATES = frozenset({"startDate", "endDate"})
URLS = frozenset({"website", "sameAs", "leadOrganisation.website"})
URL_OK = re.compile(r"^https?://[^\s/?#]+\.[^\s]*$|^https?://[^\s/?#]+$")
LISTS = frozenset({"regions", "sameAs", "partners"})
LEAD = "leadOrganisation"
LEAD_FIELDS = frozenset({"legalName", "website", "countries", "organisationType"})
OVERFLOWS = frozenset({"next", "cut", "drop"})
SPEC_KEYS = frozenset({"path", "const", "split", "map", "map_only", "skip", "html", "language",
                       "language_path", "date", "prefix", "via", "then", "concept", "max_length",
                       "join", "unmapped", "unknown", "hash", "fallback_language", "overflow"})
SOURCE_KEYS = frozenset({"format", "records", "encoding", "delimiter", "name", "url", "license",
                         "kind", "id"})
PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\*|[0-9]+|[0-9]+:)\]")


class MappingError(ValueError):
    """The mapping file cannot be used (names the key that is wrong)."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one row: which field, from which column and value, by which rule."""

    row: int
    field: str
    column: str
    value: str
    rule: str
    message: str

    def __str__(self) -> str:
        value = self.value if len(self.value) <= 60 else self.value[:57] + "..."
        where = f"{self.field} <- {self.column}" if self.column else self.field
        return f"row {self.row}: {where}: {self.message} [rule {self.rule}]" + (
            f" (value {value!r})" if self.value else "")


@dataclass
class Mapped:
    """A mapped row: its payload (None when a problem makes it unusable), problems and notes."""

    row: int
    kind: str
    payload: dict[str, Any] | None
    problems: list[Problem] = field(default_factory=list)
    filled: set[str] = field(default_factory=set)
    detected: dict[str, str] = field(default_factory=dict)  # "description@en" -> "0.97"
    warnings: list[Problem] = field(default_factory=list)  # values a mapping says to drop
    langs: dict[str, str] = field(default_factory=dict)  # text field -> language it got


Step = str | int | slice | None


def parse_path(path: str) -> list[Step]:
    """``a.b[0][*][1:]`` -> ["a", "b", 0, None, slice(1)] (None: every item)."""
    steps: list[Step] = []
    pos = 0
    for match in PATH_TOKEN.finditer(path):
        gap = path[pos:match.start()]
        if gap not in ("", "."):
            raise MappingError(f"path {path!r}: cannot read {gap!r}")
        name, index = match.groups()
        if name is not None:
            steps.append(name)
        elif index == "*":
            steps.append(None)
        elif index.endswith(":"):
            steps.append(slice(int(index[:-1]), None))
        else:
            steps.append(int(index))
        pos = match.end()
    if path[pos:] or not steps:
        raise MappingError(f"path {path!r} is not a path (a.b, a[0], a[*].b)")
    return steps


def get_path(value: Any, steps: Sequence[Step]) -> list[Any]:
    """Every value at the path (lists along the way fan out), empties dropped."""
    current = [value]
    for step in steps:
        following: list[Any] = []
        for item in current:
            if isinstance(step, str):
                if isinstance(item, Mapping) and step in item:
                    following.append(item[step])
                elif isinstance(item, list):  # a.b over a list of objects: each item's b
                    following.extend(i[step] for i in item if isinstance(i, Mapping) and step in i)
            elif step is None:
                if isinstance(item, list):
                    following.extend(item)
            elif isinstance(step, slice):
                if isinstance(item, list):
                    following.extend(item[step])
            elif isinstance(item, list) and -len(item) <= step < len(item):
                following.append(item[step])
        current = following
    out: list[Any] = []
    for item in current:
        if isinstance(item, list):
            out.extend(i for i in item if i not in (None, ""))
        elif item not in (None, ""):
            out.append(item)
    return out


@dataclass
class Spec:
    target: str
    paths: list[tuple[str, list[Step]]]
    options: dict[str, Any]
    # read once from the options, not per row: the value map by casefolded key, the skip words,
    # the split pattern and the path after a lookup
    table: dict[str, Any] | None = None
    skip: frozenset[str] = frozenset()
    split: re.Pattern[str] | None = None
    then: list[Step] = field(default_factory=list)
    overflow: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        opts = self.options
        raw = opts.get("overflow", [])
        self.overflow = frozenset([raw] if isinstance(raw, str) else raw)
        if not self.overflow <= OVERFLOWS:
            raise MappingError(f"fields.{self.target}: overflow takes "
                               f"{', '.join(sorted(OVERFLOWS))} (or a list of them)")
        if isinstance(opts.get("map"), dict):
            self.table = {str(k).casefold(): v for k, v in opts["map"].items()}
        self.skip = frozenset(str(s).casefold() for s in opts.get("skip", []))
        if "split" in opts:
            try:
                self.split = re.compile(opts["split"])
            except (re.error, TypeError) as exc:
                raise MappingError(f"fields.{self.target}: bad split pattern: {exc}") from None
        if "then" in opts:
            self.then = parse_path(opts["then"])


def _specs(target: str, raw: Any) -> list[Spec]:
    entries = raw if isinstance(raw, list) else [raw]
    specs = []
    for entry in entries:
        if isinstance(entry, str):
            entry = {"path": entry}
        if not isinstance(entry, dict):
            raise MappingError(f"fields.{target}: must be a table, a path or a list of tables")
        unknown = set(entry) - SPEC_KEYS
        if unknown:
            raise MappingError(f"fields.{target}: unknown key(s) {', '.join(sorted(unknown))} "
                               f"(known: {', '.join(sorted(SPEC_KEYS))})")
        raw_paths = entry.get("path", [])
        if isinstance(raw_paths, str):
            raw_paths = [raw_paths]
        if "const" not in entry and not raw_paths:
            raise MappingError(f"fields.{target}: needs path or const")
        paths = [(p, parse_path(p)) for p in raw_paths]
        specs.append(Spec(target, paths, entry))
    return specs


@dataclass
class Lookup:
    name: str
    records: dict[str, Any]


class Mapping_:
    """A loaded mapping: the source description, lookups and field specs."""

    def __init__(self, data: dict[str, Any], path: Path) -> None:
        self.path = path
        source = data.get("source")
        if not isinstance(source, dict):
            raise MappingError(f"{path}: a [source] table is required")
        unknown = set(source) - SOURCE_KEYS
        if unknown:
            raise MappingError(f"{path}: [source] unknown key(s) {', '.join(sorted(unknown))}")
        self.format = source.get("format", "csv")
        if self.format not in ("csv", "json"):
            raise MappingError(f"{path}: source.format must be csv or json")
        self.records = source.get("records", "")
        self.encoding = source.get("encoding", "utf-8")
        self.delimiter = source.get("delimiter")
        self.kind = source.get("kind", "Initiative")
        if self.kind not in ("Initiative", "Method"):
            raise MappingError(f"{path}: source.kind must be Initiative or Method")
        for key in ("name", "url", "license"):
            if not isinstance(source.get(key), str) or not source[key]:
                raise MappingError(f"{path}: source.{key} is required (stamped on every record)")
        self.source_name, self.source_url = source["name"], source["url"]
        self.source_license = source["license"]
        self.lookup_specs = data.get("lookups", {})
        fields = data.get("fields")
        if not isinstance(fields, dict) or not fields:
            raise MappingError(f"{path}: a [fields] table is required")
        if "identifier" not in fields:
            raise MappingError(f"{path}: fields.identifier is required (re-imports find the "
                               "record by it)")
        known = {*TEXT_FIELDS, *MULTILINGUAL_LISTS, *CONCEPT_FIELDS, *SINGLE, *DATES, *LISTS,
                 *(f"{LEAD}.{name}" for name in LEAD_FIELDS)} - {"organisationType"}
        unknown_fields = sorted(set(fields) - known)
        if unknown_fields:
            named = ", ".join("fields." + u for u in unknown_fields)
            raise MappingError(f"{path}: no such field(s): {named} (the fields are those of "
                               f"docs/vocabulary.md: {', '.join(sorted(known))})")
        self.specs = {target: _specs(target, raw) for target, raw in fields.items()}
        self.rows_seen = 0

    def detects_language(self) -> bool:
        """Whether a field asks for its language to be detected."""
        return any(spec.options.get("language") == "detect"
                   for specs in self.specs.values() for spec in specs)

    @classmethod
    def load(cls, path: Path) -> Mapping_:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise MappingError(f"{path}: {exc}") from None
        return cls(data, path)


# -- reading sources ---------------------------------------------------------------------------
def read_json_records(path: Path, records: str, encoding: str) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding=encoding))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MappingError(f"{path}: {exc}") from None
    items = get_path(data, parse_path(records)) if records else data
    if isinstance(items, dict):
        items = list(items.values())
    if not isinstance(items, list):
        raise MappingError(f"{path}: records {records!r} is not a list")
    return items


def _csv_reader(handle: Any, delimiter: str | None) -> Any:
    """A csv reader over ``handle``, the delimiter guessed from the header line if not given."""
    head = handle.read(65536)
    handle.seek(0)
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(head.split("\n", 1)[0], ",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    return csv.reader(handle, delimiter=delimiter)


def read_csv_records(path: Path, encoding: str, delimiter: str | None,
                     advance: Callable[[int], None]) -> Iterator[tuple[int, dict[str, str]]]:
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        reader = _csv_reader(handle, delimiter)
        header = next(reader, None)
        if header is None:
            return
        header = [h.strip().lstrip("\ufeff") for h in header]
        line = reader.line_num + 1
        for cells in reader:
            yield line, dict(zip(header, cells, strict=False))
            advance(1)
            line = reader.line_num + 1


def count_csv_records(path: Path, encoding: str, delimiter: str | None) -> int:
    """The records of a CSV file below its header (a pass of the csv parser: quoted cells may
    hold line breaks, so lines are no count)."""
    with path.open("r", encoding=encoding, errors="replace", newline="") as handle:
        return max(sum(1 for _ in _csv_reader(handle, delimiter)) - 1, 0)


# where a cut text may end, best first: (the ends, characters of the end kept)
_CUT_AT = ((("\n\n",), 0), ((". ", "! ", "? ", ".\n", "!\n", "?\n"), 1), ((" ", "\n"), 0))


def cut_text(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` characters that ends a paragraph, else a
    sentence, else a word, and keeps at least half the limit (nothing is added: no ellipsis)."""
    if len(text) <= limit:
        return text
    head = text[:limit]
    for ends, kept in _CUT_AT:
        at = max(head.rfind(end) for end in ends)
        if at >= limit // 2:
            return head[:at + kept].rstrip()
    return head.rstrip()


# -- mapping rows ------------------------------------------------------------------------------
class RowMapper:
    """Map source records to payloads with a mapping, resolving concepts and languages."""

    def __init__(self, mapping: Mapping_, source: Path, *, resolve: Callable[[str, str], str],
                 languages: frozenset[str], detector: Any = None) -> None:
        self.mapping = mapping
        self.source = source
        self._items: list[Any] | None = None
        self.resolve = resolve  # (value, scheme) -> compact IRI, raises ValueError/LookupError
        self.languages = languages
        self.detector = detector
        self.lookups: dict[str, Lookup] = {}
        for name, raw in mapping.lookup_specs.items():
            if not isinstance(raw, dict) or "file" not in raw or "key" not in raw:
                raise MappingError(f"lookups.{name}: needs file and key")
            file = (source.parent / raw["file"]) if not Path(raw["file"]).is_absolute() else Path(
                raw["file"])
            items = read_json_records(file, raw.get("records", ""), raw.get("encoding", "utf-8"))
            key = parse_path(raw["key"])
            index: dict[str, Any] = {}
            for item in items:
                for k in get_path(item, key):
                    index[str(k)] = item
            self.lookups[name] = Lookup(name, index)
        for specs in mapping.specs.values():
            for spec in specs:
                via = spec.options.get("via")
                if via is not None and via not in self.lookups:
                    raise MappingError(f"fields.{spec.target}: via {via!r} is no lookup")
                if spec.options.get("language") == "detect" and detector is None:
                    raise MappingError(f"fields.{spec.target}: language detection unavailable")

    def count(self) -> int:
        """How many records the source holds (for a progress bar's total)."""
        if self.mapping.format == "csv":
            return count_csv_records(self.source, self.mapping.encoding, self.mapping.delimiter)
        return len(self._json_items())

    def _json_items(self) -> list[Any]:
        if self._items is None:  # parsed once, whether counted first or not
            self._items = read_json_records(self.source, self.mapping.records,
                                            self.mapping.encoding)
        return self._items

    def rows(self, advance: Callable[[int], None]) -> Iterator[tuple[int, Any]]:
        """(row number, record) of every source record; ``advance(1)`` after each."""
        if self.mapping.format == "csv":
            yield from read_csv_records(self.source, self.mapping.encoding,
                                        self.mapping.delimiter, advance)
            return
        for number, item in enumerate(self._json_items(), 1):
            yield number, item
            advance(1)

    # one row --------------------------------------------------------------------------------
    def map(self, row: int, record: Any) -> Mapped:
        out = Mapped(row, self.mapping.kind, {})
        payload: dict[str, Any] = {}
        ordered = [s for specs in self.mapping.specs.values() for s in specs]
        later = [s for s in ordered if str(s.options.get("language", "")).startswith("as:")]
        for spec in [s for s in ordered if s not in later] + later:
            self._apply(spec, record, payload, out)
        if "identifier" in payload:
            payload["identifier"] = str(payload["identifier"])
        for key in [k for k, v in payload.items() if v in ({}, [])]:
            del payload[key]
        lead = payload.get(LEAD)
        if lead is not None and "legalName" not in lead:
            del payload[LEAD]  # an organisation is named by its name; without one, there is none
            out.warnings.append(Problem(row, LEAD, "", "", "organisation",
                                        "no legal name: the organisation is left out"))
        payload["source"] = {"type": "Dataset", "title": self.mapping.source_name,
                             "website": self.mapping.source_url,
                             "license": self.mapping.source_license}
        out.payload = payload
        return out

    def _raw(self, spec: Spec, record: Any) -> tuple[str, list[Any]]:
        if "const" in spec.options:
            const = spec.options["const"]
            return "(const)", const if isinstance(const, list) else [const]
        if spec.options.get("hash"):
            # an identifier made of several columns: their values, hashed (stable across runs)
            parts = [" ".join(str(v) for v in get_path(record, steps)) for _, steps in spec.paths]
            if not any(p.strip() for p in parts):
                return spec.paths[0][0], []
            digest = hashlib.sha256("\x1f".join(p.strip() for p in parts).encode()).hexdigest()
            return "+".join(c for c, _ in spec.paths), [digest[:32]]
        too_long: tuple[str, list[Any]] | None = None
        for column, steps in spec.paths:
            values = get_path(record, steps)
            via = spec.options.get("via")
            if via is not None:
                joined = [self.lookups[via].records.get(str(v)) for v in values]
                then = spec.then
                values = [x for j in joined if j is not None
                          for x in (get_path(j, then) if then else [j])]
            if spec.skip:
                values = [v for v in values if str(v).strip().casefold() not in spec.skip]
            longest = spec.options.get("max_length")
            if values and "next" in spec.overflow and longest is not None and len(
                    html_to_text(str(values[0])) if spec.options.get("html") else str(values[0])
            ) > int(longest):
                # too long for the field: the next path (e.g. a short summary) instead; when
                # none fits and the mapping says "cut", the first is cut (_text)
                too_long = too_long or (column, values)
                continue
            if values:
                return column, values
        if too_long is not None and "cut" in spec.overflow:
            return too_long
        return (spec.paths[0][0] if spec.paths else ""), []

    def _apply(self, spec: Spec, record: Any, payload: dict[str, Any], out: Mapped) -> None:
        target, opts = spec.target, spec.options
        column, values = self._raw(spec, record)
        if not values:
            return
        strings: list[str] = []
        for value in values:
            if isinstance(value, (dict, list)):
                self._problem(out, target, column, json.dumps(value)[:80], "scalar",
                              "expected a text or number, got a JSON object or array")
                continue
            text = str(value) if not isinstance(value, bool) else ("true" if value else "false")
            if spec.split is not None:
                strings.extend(p for p in (s.strip() for s in spec.split.split(text)) if p)
            else:
                strings.append(text)
        if opts.get("html"):
            strings = [html_to_text(s) for s in strings]
        else:
            strings = [tidy(s) for s in strings]
        strings = [s for s in strings if s]
        if target in URLS:
            good = [s for s in strings if URL_OK.match(s)]
            for bad in (s for s in strings if not URL_OK.match(s)):
                out.warnings.append(Problem(out.row, target, column, bad, "url",
                                            "not an http(s) URL: left out"))
            strings = good
        if spec.table is not None:
            table = spec.table
            mapped: list[str] = []
            for s in strings:
                hit = table.get(s.casefold())
                if hit is None:
                    if opts.get("unmapped") == "drop":
                        out.warnings.append(Problem(out.row, target, column, s, "value-map",
                                                    "not in the value map: left out"))
                    elif opts.get("map_only"):
                        self._problem(out, target, column, s, "value-map",
                                      "not in the mapping's value map")
                    else:
                        mapped.append(s)
                elif hit != "":  # "" in a value map: a source value that means "nothing"
                    mapped.extend(hit if isinstance(hit, list) else [hit])
            strings = mapped
        if not strings:
            return
        out.filled.add(target)
        if target == "identifier":
            payload["identifier"] = opts.get("prefix", "") + strings[0]
        elif target in TEXT_FIELDS or target in MULTILINGUAL_LISTS:
            self._text(spec, record, column, strings, payload, out)
        elif target.startswith(LEAD + "."):
            name = target.partition(".")[2]
            if name not in LEAD_FIELDS:
                raise MappingError(
                    f"fields.{target}: {LEAD} takes {', '.join(sorted(LEAD_FIELDS))}")
            lead = payload.setdefault(LEAD, {"type": "Organization"})
            if name in CONCEPT_FIELDS:
                resolved = self._concepts(target, name, column, strings, out, opts)
                if name in SINGLE:
                    if resolved:
                        lead[name] = resolved[0]
                else:
                    lead.setdefault(name, [])
                    lead[name] += [r for r in resolved if r not in lead[name]]
            else:
                lead.setdefault(name, strings[0])
        elif target in DATES:
            date = self._date(target, column, strings[0], opts.get("date"), out)
            if date is not None:
                term, value = date_term(target, date)  # the precision picks the term
                payload[term] = value
        elif target in CONCEPT_FIELDS:
            resolved = self._concepts(target, target, column, strings, out, opts)
            if target in SINGLE:
                if len(resolved) > 1 and opts.get("join") != "first":
                    self._problem(out, target, column, "; ".join(strings), "single",
                                  f"takes one value, got {len(resolved)}")
                elif resolved:
                    payload[target] = resolved[0]
            else:
                have = payload.setdefault(target, [])
                have += [r for r in resolved if r not in have]
        elif target == "partners":
            have = payload.setdefault("partners", [])
            names = {p["legalName"] for p in have}
            have += [{"type": "Organization", "legalName": s} for s in strings if s not in names]
        elif target in LISTS:
            have = payload.setdefault(target, [])
            have += [s for s in strings if s not in have]
        elif target == "seeksPartners":
            flag = {"true": True, "yes": True, "1": True, "false": False, "no": False,
                    "0": False}.get(strings[0].casefold())
            if flag is None:
                self._problem(out, target, column, strings[0], "boolean", "is not true or false")
            else:
                payload[target] = flag
        elif target in SINGLE:
            payload[target] = strings[0]
        else:
            raise MappingError(f"fields.{target}: no such field (see docs/vocabulary.md)")

    def _concepts(self, target: str, name: str, column: str, strings: list[str],
                  out: Mapped, opts: Mapping[str, Any]) -> list[str]:
        scheme = CONCEPT_FIELDS[name]
        resolved = []
        for s in strings:
            try:
                resolved.append(self.resolve(s, scheme))
            except ValueError as exc:
                message = str(exc).split(" (")[0] if str(exc) else f"not a {scheme}"
                if opts.get("unknown") == "drop":
                    out.warnings.append(Problem(out.row, target, column, s, "concept",
                                                message + ": left out"))
                else:
                    self._problem(out, target, column, s, "concept", message)
        return resolved

    def _date(self, target: str, column: str, text: str, formats: Any, out: Mapped) -> str | None:
        """The date in its own precision: YYYY-MM-DD, YYYY-MM or YYYY (a format with a day, a
        month, only a year); a month or a year is never turned into a made-up day."""
        formats = formats or ["%Y-%m-%d", "%Y-%m", "%Y"]
        if isinstance(formats, str):
            formats = [formats]
        for fmt in formats:
            try:
                parsed = datetime.strptime(text.strip(), fmt)
            except ValueError:
                continue
            day = f"{parsed.year:04d}-{parsed.month:02d}-{parsed.day:02d}"  # %Y may drop zeros
            if "%d" in fmt or "%j" in fmt:
                return day
            if "%m" in fmt or "%b" in fmt or "%B" in fmt:
                return day[:7]
            return day[:4]
        self._problem(out, target, column, text, "date",
                      f"matches none of the formats {', '.join(formats)}")
        return None

    def _text(self, spec: Spec, record: Any, column: str, strings: list[str],
              payload: dict[str, Any], out: Mapped) -> None:
        target, opts = spec.target, spec.options
        max_length = opts.get("max_length")
        joined = "\n\n".join(strings) if target in TEXT_FIELDS else None
        lang = opts.get("language")
        if isinstance(lang, str) and lang.startswith("as:"):
            lang = out.langs.get(lang[3:])
            if lang is None:
                self._problem(out, target, column, "", "language",
                              f"takes the language of {opts['language'][3:]}, which has none")
                return
        if "language_path" in opts:
            found = get_path(record, parse_path(opts["language_path"]))
            lang = str(found[0]).strip().lower() if found else None
            if lang is None:
                self._problem(out, target, column, "", "language",
                              f"no language at {opts['language_path']}")
                return
        if lang == "detect":
            sample = joined if joined is not None else " ".join(strings)
            answer = self.detector.detect(sample)
            if answer is None and opts.get("fallback_language"):
                lang = opts["fallback_language"]  # the mapping's word for the source's language
                out.detected[f"{target}@{lang}"] = "fallback"
            elif answer is None:
                self._problem(out, target, column, sample, "language-detect",
                              "the language could not be detected with confidence; "
                              "give it in the mapping (language or fallback_language)")
                return
            else:
                lang = answer[0]
                out.detected[f"{target}@{lang}"] = f"{answer[1]:.2f}"
        if not isinstance(lang, str) or lang not in self.languages:
            self._problem(out, target, column, str(lang), "language",
                          f"{lang!r} is not a language of the vocabulary")
            return
        out.langs.setdefault(target, lang)
        field_value = payload.setdefault(target, {})
        if joined is not None:
            if max_length is not None and len(joined) > int(max_length):
                message = f"{len(joined)} characters, at most {max_length}"
                if "cut" in spec.overflow:
                    # the source's own leading paragraphs or sentences, nothing added; noted
                    joined = cut_text(joined, int(max_length))
                    out.warnings.append(Problem(out.row, target, column, joined[-60:],
                                                "max-length", f"{message}: cut to "
                                                f"{len(joined)} at a paragraph or sentence end"))
                elif "drop" in spec.overflow:
                    out.warnings.append(Problem(out.row, target, column, joined, "max-length",
                                                message + ": left out"))
                    return
                else:
                    self._problem(out, target, column, joined, "max-length", message)
                    return
            if lang in field_value:
                if field_value[lang] != joined:
                    field_value[lang] = field_value[lang] + "\n\n" + joined
            else:
                field_value[lang] = joined
        else:
            have = field_value.setdefault(lang, [])
            have += [s for s in strings if s not in have]

    @staticmethod
    def _problem(out: Mapped, target: str, column: str, value: str, rule: str,
                 message: str) -> None:
        out.problems.append(Problem(out.row, target, column, value, rule, message))


def fill_report(mapped: Sequence[Mapped], fields: Sequence[str]) -> str:
    """Per field, how many rows filled it (for the dry run)."""
    total = max(len(mapped), 1)
    counts = {f: 0 for f in fields}
    for m in mapped:
        for f in m.filled:
            counts[f] = counts.get(f, 0) + 1
    width = max(len(f) for f in counts)
    buf = io.StringIO()
    for f, n in counts.items():
        buf.write(f"  {f:<{width}}  {n:>7,}  {n / total:6.1%}\n")
    return buf.getvalue()
