"""``ncc import --mapping``: real datasets through a declarative mapping, content checks first.

:class:`MappedSource` reads a source with a mapping file (:mod:`.mapping`), turns each record into
a payload or a list of problems (every problem of a row at once), runs the content rules
(:mod:`.content`) and sorts rows into those to import and those to hold for review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from vocab import UnknownConcept, concept_index

from ..concept_cells import ConceptCells
from ..import_readers import Row
from .content import ContentRules, RulesError
from .mapping import Mapped, Mapping_, MappingError, Problem, RowMapper

DEFAULT_RULES = "content-rules.toml"
MINTED = frozenset({"origin", "version", "modified", "type"})  # the publisher sets these
VOCAB = "https://w3id.org/ncc/vocab#"


def required_fields(kind: str) -> list[str]:
    """The fields a payload of this kind must have (sh:minCount of its shape), minted ones aside."""
    from vocab.validation import compiled_shapes

    for spec in compiled_shapes().values():
        if VOCAB + kind in spec.target_classes:
            return [p.name for p in spec.properties if p.min_count > 0 and p.name not in MINTED]
    return []


def default_rules_path() -> Path:
    """The content rules shipped with the CLI (config/content-rules.toml is a copy to edit)."""
    return Path(str(resources.files("ncc_cli") / "data" / DEFAULT_RULES))


@dataclass
class Held:
    """A row the content rules hold for review: its payload and the reasons."""

    line: int
    kind: str
    payload: dict[str, Any]
    reasons: list[tuple[str, str]]


@dataclass
class MappedStats:
    """What a mapped import saw: fills per field, problems, warnings, detections, held rows."""

    fields: list[str]
    rows: int = 0
    filled: Counter[str] = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    detected: Counter[str] = field(default_factory=Counter)
    fallback: Counter[str] = field(default_factory=Counter)
    held: list[Held] = field(default_factory=list)
    flagged: list[tuple[int, str, str]] = field(default_factory=list)  # warn rules: line, id, why
    refused_rows: int = 0

    def fill_lines(self) -> list[str]:
        """Per field: how many rows filled it (count and share)."""
        total = max(self.rows, 1)
        width = max((len(f) for f in self.fields), default=5)
        return [f"  {f:<{width}}  {self.filled[f]:>8,}  {self.filled[f] / total:6.1%}"
                for f in self.fields]


class MappedSource:
    """A source file read through a mapping, as rows for the importer."""

    def __init__(self, mapping_path: Path, source: Path, rules_path: Path | None = None) -> None:
        self.mapping = Mapping_.load(mapping_path)
        self.source = source
        try:
            self.rules = ContentRules.load(rules_path or default_rules_path())
        except RulesError as exc:
            raise MappingError(str(exc)) from None
        index = concept_index()
        cells = ConceptCells(index)

        def resolve(value: str, scheme: str) -> str:
            try:
                return cells.resolve(value, scheme)
            except UnknownConcept as exc:
                raise ValueError(str(exc)) from None

        languages = index.bcp47_languages()
        detector = None
        if self.mapping.detects_language():
            from .langdetect import Detector

            detector = Detector(languages)
        self.mapper = RowMapper(self.mapping, source, resolve=resolve, languages=languages,
                                detector=detector)
        self.stats = MappedStats(list(self.mapping.specs))
        self.required = required_fields(self.mapping.kind)

    def count(self) -> int:
        """How many records the source holds: a progress bar's total."""
        return self.mapper.count()

    def rows(self, advance: Callable[[int], None]) -> Iterator[Row]:
        """Rows to import; rows held for review go to ``stats.held`` instead."""
        for line, record in self.mapper.rows(advance):
            mapped = self.mapper.map(line, record)
            row = self._account(mapped)
            if row is not None:
                yield row

    def _account(self, mapped: Mapped) -> Row | None:
        stats = self.stats
        stats.rows += 1
        stats.filled.update(mapped.filled)
        stats.warnings.extend(mapped.warnings)
        for key, how in mapped.detected.items():
            (stats.fallback if how == "fallback" else stats.detected)[key] += 1
        payload = mapped.payload or {}
        troubled = {p.field for p in mapped.problems}
        for name in self.required:  # every problem of the row at once, not one per run
            if not payload.get(name) and name not in troubled:
                mapped.problems.append(Problem(mapped.row, name, "", "", "required",
                                               "required: no column of the mapping filled it"))
        if mapped.problems or mapped.payload is None:
            stats.problems.extend(mapped.problems)
            stats.refused_rows += 1
            return Row(mapped.row, error="; ".join(
                f"{p.field}: {p.message} [rule {p.rule}]" + (f" (value {_short(p.value)!r})"
                                                             if p.value else "")
                for p in mapped.problems))
        for rule_id, why in self.rules.check(payload, "warn"):
            stats.flagged.append((mapped.row, rule_id, why))
        reasons = self.rules.check(payload)
        if reasons:
            stats.held.append(Held(mapped.row, mapped.kind, payload, reasons))
            return None
        return Row(mapped.row, mapped.kind, payload)


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


__all__ = ["Held", "MappedSource", "MappedStats", "MappingError", "Problem",
           "default_rules_path"]
