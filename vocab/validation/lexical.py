"""Lexical-space checks of the XSD datatypes the shapes use (what rdflib calls ``ill_typed``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime

XSD = "http://www.w3.org/2001/XMLSchema#"

_INTEGER = re.compile(r"^[+-]?[0-9]+\Z")
_DATETIME = re.compile(
    r"^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]+)?"
    r"(Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)
_DATE = re.compile(r"^-?([0-9]{4,})-([0-9]{2})-([0-9]{2})(Z|[+-][0-9]{2}:[0-9]{2})?\Z")


def _datetime_ok(text: str) -> bool:
    match = _DATETIME.match(text)
    if not match:
        return False
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, second)
    except ValueError:
        return False
    return True


def _date_ok(text: str) -> bool:
    match = _DATE.match(text)
    if not match:
        return False
    try:
        date(*(int(g) for g in match.groups()[:3]))
    except ValueError:
        return False
    return True


_CHECKS: dict[str, Callable[[str], bool]] = {
    XSD + "integer": lambda t: bool(_INTEGER.match(t)),
    XSD + "boolean": lambda t: t in ("true", "false", "1", "0"),
    XSD + "dateTime": _datetime_ok,
    XSD + "date": _date_ok,
}


def well_formed(lexical: str, datatype: str) -> bool:
    """Return whether ``lexical`` is in the lexical space of ``datatype`` (unknown types: yes)."""
    check = _CHECKS.get(datatype)
    return True if check is None else check(lexical)
