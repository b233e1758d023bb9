"""Record validation: the accept path, the fast validator, the strict term check, SHACL."""

from __future__ import annotations

from typing import Any

from .expand import Context, TermDef, expanded_context
from .json_shapes import ShapeValidator, shape_validator, validate_shapes
from .known_valid import certainly_valid, compile_known_valid, known_valid_check
from .messages import MESSAGES, N_
from .shacl import validate_shacl
from .shapes import UnsupportedShape, compile_shapes, compiled_shapes
from .term_check import check_terms
from .violations import RecordInvalid, Violation, innermost_first


def validate_record(record: Any) -> list[Violation]:
    """Return every violation of ``record`` (strict term check and shapes), innermost first."""
    if certainly_valid(record):
        # the accept path never vouches for a record the two below would reject (and is ~10x
        # cheaper), so this is their answer too; docs/validation.md
        return []
    return innermost_first([*check_terms(record), *validate_shapes(record)])


def ensure_valid(record: Any) -> None:
    """Raise :class:`RecordInvalid` listing every violation unless ``record`` is valid."""
    violations = validate_record(record)
    if violations:
        raise RecordInvalid(violations)


__all__ = [
    "Context",
    "MESSAGES",
    "N_",
    "RecordInvalid",
    "ShapeValidator",
    "TermDef",
    "UnsupportedShape",
    "Violation",
    "certainly_valid",
    "check_terms",
    "compile_known_valid",
    "compile_shapes",
    "compiled_shapes",
    "ensure_valid",
    "expanded_context",
    "innermost_first",
    "known_valid_check",
    "shape_validator",
    "validate_record",
    "validate_shacl",
    "validate_shapes",
]
