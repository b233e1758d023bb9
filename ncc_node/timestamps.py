"""XML Schema dateTime values as records and proofs carry them: UTC, whole seconds, ``Z``."""

from __future__ import annotations

import re
from datetime import UTC, datetime

__all__ = ["format_timestamp", "parse_timestamp", "utc_now"]

# XSD dateTime with a mandatory time zone: a value without one names no instant (XSD 1.1 §3.3.7).
_DATETIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)", re.ASCII)


def utc_now() -> datetime:
    """Return the current time, timezone-aware, in UTC, truncated to whole seconds."""
    return datetime.now(UTC).replace(microsecond=0)


def format_timestamp(moment: datetime) -> str:
    """Format an aware datetime as ``YYYY-MM-DDThh:mm:ssZ`` in UTC (fractions are dropped)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a timestamp needs a timezone-aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def parse_timestamp(value: object) -> datetime:
    """Parse an XSD dateTime that carries a time zone into an aware datetime (``ValueError``)."""
    if not isinstance(value, str):
        raise ValueError(f"expected an XSD dateTime string, got {type(value).__name__}")
    if _DATETIME.fullmatch(value) is None:
        raise ValueError(f"{value!r} is not an XSD dateTime with a time zone")
    return datetime.fromisoformat(value)
