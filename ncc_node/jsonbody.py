"""The one way a node turns a signed record into stored bytes, and parses request JSON safely."""

from __future__ import annotations

import json
from typing import Any

from .errors import PayloadTooLarge, RequestInvalid


def dump_body(record: dict[str, Any]) -> bytes:
    """Serialize a signed record compactly as UTF-8 (the exact bytes stored and served)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _depth(value: Any, limit: int) -> int:
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return depth
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_json(data: bytes, *, max_bytes: int, max_depth: int) -> Any:
    """Parse request JSON within size and depth limits; typed errors name the problem."""
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"body of {len(data)} bytes exceeds the limit of {max_bytes}")
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError as exc:
        raise RequestInvalid(f"body is not UTF-8: {exc}") from None
    except (json.JSONDecodeError, ValueError, RecursionError) as exc:
        raise RequestInvalid(f"body is not valid JSON: {exc}") from None
    if _depth(value, max_depth) > max_depth:
        raise PayloadTooLarge(f"JSON nesting deeper than {max_depth} levels")
    return value
