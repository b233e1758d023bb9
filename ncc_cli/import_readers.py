"""Read import files (CSV, JSON Lines, JSON-LD) into rows: a payload, or the reason it is bad."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ncc_node.records import MINTED, payload_of
from ncc_node.store import IndexEntries
from vocab import COLLECTIONS, CONTEXT_URL

from .csv_layout import RowReader
from .errors import CsvLayoutError, ImportFileError

FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonld",
           ".jsonld": "jsonld"}
Advance = Callable[[int], None]
# The longest CSV cell the import reads (Python's csv default, set explicitly so it is a stated
# limit): far above the longest text a record takes (5,000 characters a language, shapes.ttl).
CSV_CELL_LIMIT = 131_072
REENCODE_HINT = ("save it as UTF-8 (in a spreadsheet: \"CSV UTF-8\"), or convert it, e.g. "
                 "iconv -f WINDOWS-1252 -t UTF-8 {name} > utf8-{name}")


@dataclass
class Row:
    """One row of an import file: where it starts, and its payload or why it cannot be read."""

    line: int
    kind: str = ""
    payload: dict[str, Any] | None = None
    record_id: str | None = None  # the id of one of our own records, when the file carries it
    error: str | None = None
    # the payload's index entries (analysed texts, facets, inferred concepts), when a reader
    # worked them out already (mapped imports do, in their worker processes); None: the
    # importer derives them, once, for its suggestions and for the store
    derived: IndexEntries | None = None


@dataclass(frozen=True)
class Origin:
    """Whose records an import may take: this node's (by node IRI and base URL)."""

    node_iri: str
    base_url: str

    def row(self, line: int, value: Any) -> Row:
        """Turn one JSON item (a payload, or one of our own signed records) into a row."""
        if not isinstance(value, dict):
            return Row(line, error="expected a JSON object (a record or its payload)")
        kind = value.get("type")
        if kind not in COLLECTIONS:
            what = {"Tombstone": "deletions are made with the API, not imported",
                    "Node": "node descriptors are not records to import"}.get(str(kind))
            return Row(line, error=what or f"type must be Initiative or Method, got {kind!r}")
        if value.get("@context", CONTEXT_URL) != CONTEXT_URL:
            return Row(line, error=f"@context must be {CONTEXT_URL!r}")
        record_id = value.get("id")
        if any(field in value for field in MINTED):
            origin = value.get("origin")
            foreign = (origin not in (None, self.node_iri)
                       or not str(record_id or "").startswith(self.base_url + "/"))
            if foreign:
                # architecture §6: other nodes' records arrive by sync, checked against their origin
                return Row(line, error=f"{record_id or 'the record'} is not this node's "
                           f"(origin {origin}); other nodes' records arrive by sync, not import")
        return Row(line, str(kind), payload_of(value),
                   record_id if isinstance(record_id, str) else None)


def detect_format(path: Path, given: str | None) -> str:
    """Return the format named by ``--format`` or by the file's suffix."""
    if given:
        return given
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ImportFileError(f"cannot tell the format of {path} from its suffix; pass "
                              "--format csv|jsonl|jsonld")
    return fmt


def _counted(raw: Any, advance: Advance) -> Iterator[bytes]:
    for line in raw:
        advance(len(line))
        yield line


def _sniff(path: Path) -> str:
    """Guess the delimiter from the header line: spreadsheets in many locales write ``;``."""
    with path.open("rb") as raw:
        first = raw.readline().decode("utf-8-sig", errors="replace")
    for candidate in (",", ";", "\t"):
        if candidate in first:
            return candidate
    return ","


def csv_rows(path: Path, advance: Advance, delimiter: str | None = None) -> Iterator[Row]:
    """Yield the rows of a CSV file in the documented layout, each with its first line number."""
    delimiter = delimiter or _sniff(path)
    csv.field_size_limit(CSV_CELL_LIMIT)
    with path.open("rb") as raw:
        reader = csv.reader(codecs.iterdecode(_counted(raw, advance), "utf-8-sig"),
                            delimiter=delimiter)
        try:
            header = [cell.strip() for cell in next(reader, [])]
            if not any(header):
                raise ImportFileError(f"{path} is empty (a CSV import needs a header row)")
            layout = RowReader(header)
            last = reader.line_num
            for cells in reader:
                line, last = last + 1, reader.line_num
                if not any(cell.strip() for cell in cells):
                    continue
                if len(cells) != len(header):
                    yield Row(line, error=f"{len(cells)} cells, the header has {len(header)}")
                    continue
                try:
                    kind, payload = layout.payload(dict(zip(header, cells, strict=True)))
                except CsvLayoutError as exc:
                    yield Row(line, error=exc.message)
                    continue
                yield Row(line, kind, payload)
        except UnicodeDecodeError as exc:
            raise ImportFileError(f"{path} is not UTF-8 (after line {reader.line_num}: "
                                  f"{exc.reason}); "
                                  + REENCODE_HINT.format(name=path.name)) from None
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise ImportFileError(
                    f"{path}:{reader.line_num}: a cell is longer than {CSV_CELL_LIMIT:,} "
                    "characters, the longest the CSV import reads (a text field takes at "
                    "most 5,000 characters a language)") from None
            raise ImportFileError(f"{path}:{reader.line_num}: bad CSV: {exc}") from None


def jsonl_rows(path: Path, advance: Advance, origin: Origin) -> Iterator[Row]:
    """Yield one row per non-blank line of a JSON Lines file."""
    with path.open("rb") as raw:
        for number, line in enumerate(_counted(raw, advance), 1):
            if not line.strip():
                continue
            try:
                value = json.loads(line.decode("utf-8-sig" if number == 1 else "utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield Row(number, error=f"not valid JSON: {exc}")
                continue
            yield origin.row(number, value)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _array_items(text: str, pos: int) -> Iterator[tuple[int, Any]]:
    """Yield (offset, value) of the items of the JSON array starting at ``pos``."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, pos + 1)  # past "["
    while text[pos] != "]":
        value, end = decoder.raw_decode(text, pos)
        yield pos, value
        pos = _skip_space(text, end)
        if text[pos] == ",":
            pos = _skip_space(text, pos + 1)


def _graph_start(text: str, pos: int) -> int:
    """Return the offset of the ``@graph`` array in the top-level object starting at ``pos``."""
    decoder = json.JSONDecoder()
    pos = _skip_space(text, pos + 1)  # past "{"
    while True:
        key, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past ":"
        if key == "@graph":
            return pos
        _, pos = decoder.raw_decode(text, pos)
        pos = _skip_space(text, _skip_space(text, pos) + 1)  # past "," (or "}")


def json_items(text: str) -> list[tuple[int, Any]]:
    """Return (line, item) of a JSON document: one object, an array, or ``{"@graph": [...]}``."""
    data = json.loads(text)  # reports syntax errors with their line; the rest is then safe
    start = _skip_space(text, 0)
    if isinstance(data, list):
        offsets = _array_items(text, start)
    elif isinstance(data, dict) and isinstance(data.get("@graph"), list):
        if data.get("@context", CONTEXT_URL) != CONTEXT_URL:
            raise ImportFileError(f"the document's @context must be {CONTEXT_URL!r}")
        offsets = _array_items(text, _graph_start(text, start))
    else:
        return [(text.count("\n", 0, start) + 1, data)]
    items, line, seen = [], 1, 0
    for offset, value in offsets:
        line += text.count("\n", seen, offset)
        seen = offset
        items.append((line, value))
    return items


def jsonld_rows(path: Path, origin: Origin) -> tuple[int, Callable[[Advance], Iterator[Row]]]:
    """Parse a JSON-LD file; return its item count and a generator of its rows."""
    try:
        items = json_items(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"{path} is not UTF-8 ({exc.reason}); "
                              + REENCODE_HINT.format(name=path.name)) from None
    except json.JSONDecodeError as exc:
        raise ImportFileError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None

    def rows(advance: Advance) -> Iterator[Row]:
        for line, value in items:
            advance(1)
            yield origin.row(line, value)

    return len(items), rows
