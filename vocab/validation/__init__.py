"""Record validation: the accept path, the fast validator, the strict term check, SHACL."""

from __future__ import annotations

from typing import Any

from .accept import accept_path, certainly_valid, compile_accept
from .expand import Context, TermDef, expanded_context
from .fast import FastValidator, fast_validator, validate_fast
from .shacl import validate_shacl
from .shapes import UnsupportedShape, compile_shapes, compiled_shapes
from .strict import check_terms
from .violations import RecordInvalid, Violation


def validate_record(record: Any) -> list[Violation]:
    """Return every violation of ``record``: the strict term check, then the shapes (fast)."""
    if certainly_valid(record):
        # the accept path never vouches for a record the two below would reject (and is ~10x
        # cheaper), so this is their answer too; docs/validation.md
        return []
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
    "accept_path",
    "certainly_valid",
    "check_terms",
    "compile_accept",
    "compile_shapes",
    "compiled_shapes",
    "ensure_valid",
    "expanded_context",
    "fast_validator",
    "validate_fast",
    "validate_record",
    "validate_shacl",
]
