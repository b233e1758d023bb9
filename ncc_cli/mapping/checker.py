"""Map and check one source record: the mapping, every problem of the row, the content rules.

Used row by row in the importing process, or in worker processes for a large source
(:mod:`.pool`): a :class:`Checker` is built from paths only, so a process can build its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ncc_node.store import IndexEntries, index_entries
from vocab import UnknownConcept, concept_index

from ..concept_cells import ConceptCells
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
class Judged:
    """One source record mapped and checked: the mapped row, the warn-rule notes (rule id, why),
    the hold reasons (empty: publish) and, for a row to import, its payload's index entries
    (the importer's suggestions and the store both take them: derived once, here)."""

    mapped: Mapped
    flagged: list[tuple[str, str]]
    reasons: list[tuple[str, str]]
    derived: IndexEntries | None = None


class Checker:
    """Map one record and check it: every problem of the row, then the content rules."""

    def __init__(self, mapping_path: Path, source: Path, rules_path: Path | None = None) -> None:
        self.mapping = Mapping_.load(mapping_path)
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
        self.required = required_fields(self.mapping.kind)

    def judge(self, line: int, record: Any) -> Judged:
        """Map ``record`` (row ``line``), add what is required and missing, run the rules."""
        mapped = self.mapper.map(line, record)
        payload = mapped.payload or {}
        troubled = {p.field for p in mapped.problems}
        for name in self.required:  # every problem of the row at once, not one per run
            if not payload.get(name) and name not in troubled:
                mapped.problems.append(Problem(mapped.row, name, "", "", "required",
                                               "required: no column of the mapping filled it"))
        if mapped.problems or mapped.payload is None:
            return Judged(mapped, [], [])
        reasons = self.rules.check(payload)
        return Judged(mapped, self.rules.check(payload, "warn"), reasons,
                      None if reasons else index_entries(payload))
