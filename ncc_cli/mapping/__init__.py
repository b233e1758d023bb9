"""``ncc import --mapping``: real datasets through a declarative mapping, content checks first.

:class:`MappedSource` reads a source with a mapping file (:mod:`.mapping`), turns each record into
a payload or a list of problems (every problem of a row at once), runs the content rules
(:mod:`.content`) and sorts rows into those to import and those to hold for review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..import_readers import Row
from .checker import Checker, Judged, default_rules_path
from .mapping import MappingError, Problem
from .pool import POOL_MIN_ROWS, judged_in_pool, pool_workers


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
    judged_here: int = 0  # rows of a pooled source the importing process judged itself

    def fill_lines(self) -> list[str]:
        """Per field: how many rows filled it (count and share)."""
        total = max(self.rows, 1)
        width = max((len(f) for f in self.fields), default=5)
        return [f"  {f:<{width}}  {self.filled[f]:>8,}  {self.filled[f] / total:6.1%}"
                for f in self.fields]


class MappedSource:
    """A source file read through a mapping, as rows for the importer."""

    def __init__(self, mapping_path: Path, source: Path, rules_path: Path | None = None, *,
                 workers: int | None = None) -> None:
        self.checker = Checker(mapping_path, source, rules_path)
        self.mapping, self.rules = self.checker.mapping, self.checker.rules
        self.mapper = self.checker.mapper
        self.source = source
        self._start = (mapping_path, source, rules_path)
        self.workers = pool_workers() if workers is None else workers
        self.stats = MappedStats(list(self.mapping.specs))

    def count(self) -> int:
        """How many records the source holds: a progress bar's total."""
        return self.mapper.count()

    def rows(self, advance: Callable[[int], None]) -> Iterator[Row]:
        """Rows to import; rows held for review go to ``stats.held`` instead. A large source
        is mapped and checked in worker processes (:mod:`.pool`), and here whenever this
        process would wait for them, in the source's order."""
        judged: Iterator[Judged]
        if self.workers > 0 and self.count() >= POOL_MIN_ROWS:
            judged = judged_in_pool(self.mapper.rows(_ignore), self._start, self.workers,
                                    self._judge_here)
        else:
            judged = (self.checker.judge(line, record)
                      for line, record in self.mapper.rows(_ignore))
        for one in judged:
            row = self._account(one)
            advance(1)
            if row is not None:
                yield row

    def _judge_here(self, line: int, record: Any) -> Judged:
        self.stats.judged_here += 1
        return self.checker.judge(line, record)

    def _account(self, judged: Judged) -> Row | None:
        stats, mapped = self.stats, judged.mapped
        stats.rows += 1
        stats.filled.update(mapped.filled)
        stats.warnings.extend(mapped.warnings)
        for key, how in mapped.detected.items():
            (stats.fallback if how == "fallback" else stats.detected)[key] += 1
        if mapped.problems or mapped.payload is None:
            stats.problems.extend(mapped.problems)
            stats.refused_rows += 1
            return Row(mapped.row, error="; ".join(
                f"{p.field}: {p.message} [rule {p.rule}]" + (f" (value {_short(p.value)!r})"
                                                             if p.value else "")
                for p in mapped.problems))
        for rule_id, why in judged.flagged:
            stats.flagged.append((mapped.row, rule_id, why))
        if judged.reasons:
            stats.held.append(Held(mapped.row, mapped.kind, mapped.payload, judged.reasons))
            return None
        return Row(mapped.row, mapped.kind, mapped.payload, derived=judged.derived)


def _ignore(count: int) -> None:
    """Progress callback that does nothing (rows are counted as they are judged)."""


def _short(value: str) -> str:
    return value if len(value) <= 60 else value[:57] + "..."


__all__ = ["Checker", "Held", "Judged", "MappedSource", "MappedStats", "MappingError", "Problem",
           "default_rules_path"]
