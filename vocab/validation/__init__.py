"""Record validation: the fast validator, the strict term check and normative SHACL."""

from __future__ import annotations

from typing import Any

from .expand import Context, TermDef, expanded_context
from .fast import FastValidator, fast_validator, validate_fast
from .shacl import validate_shacl
from .shapes import UnsupportedShape, compile_shapes, compiled_shapes
from .strict import check_terms
from .violations import RecordInvalid, Violation


def validate_record(record: Any) -> list[Violation]:
    """Return every violation of ``record``: the strict term check, then the shapes (fast)."""
    return sorted(set(check_terms(record)) | set(validate_fast(record)))


def ensure_valid(record: Any) -> None:
    """Raise :class:`RecordInvalid` listing every violation unless ``record`` is valid."""
    violations = validate_record(record)
    if violations:
        raise RecordInvalid(violations)


__all__ = [
    "Context",
    "FastValidator",
    "RecordInvalid",
    "TermDef",
    "UnsupportedShape",
    "Violation",
    "check_terms",
    "compile_shapes",
    "compiled_shapes",
    "ensure_valid",
    "expanded_context",
    "fast_validator",
    "validate_fast",
    "validate_record",
    "validate_shacl",
]
