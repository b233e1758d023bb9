"""Dates of day, month or year precision: one JSON term per precision, one RDF property.

``startDate`` (xsd:date), ``startMonth`` (xsd:gYearMonth) and ``startYear`` (xsd:gYear) all
stand for ``schema:startDate``; likewise the ``end*`` terms for ``schema:endDate``. JSON-LD cannot
choose a datatype by the value's form, so the form chooses the term (:func:`date_term`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# field -> its terms, day first (the field's name is its day term)
DATE_TERMS: dict[str, tuple[str, str, str]] = {
    "startDate": ("startDate", "startMonth", "startYear"),
    "endDate": ("endDate", "endMonth", "endYear"),
}
# term -> its field ("startYear" -> "startDate")
DATE_FIELD: dict[str, str] = {term: field for field, terms in DATE_TERMS.items() for term in terms}
_FORMS = (
    (re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z"), 0, "YYYY-MM-DD"),
    (re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])\Z"), 1, "YYYY-MM"),
    (re.compile(r"[0-9]{4}\Z"), 2, "YYYY"),
)


def date_term(field: str, text: str) -> tuple[str, str]:
    """The term and value for a date of ``field`` (``startDate``/``endDate``) written ``text``:
    ``date_term("startDate", "2016") == ("startYear", "2016")``; ValueError for another form."""
    terms = DATE_TERMS[field]
    value = text.strip()
    for pattern, precision, _ in _FORMS:
        if pattern.match(value):
            return terms[precision], value
    raise ValueError(f"{text!r} is not a date: write a day YYYY-MM-DD, a month YYYY-MM or a "
                     "year YYYY (e.g. 2021-02-01, 2021-02, 2021)")


def date_terms(term: str) -> tuple[str, ...]:
    """The terms (day, month, year) of the date field ``term`` belongs to (() for other terms):
    a message about a date names the term for each precision."""
    return tuple(DATE_TERMS[DATE_FIELD[term]]) if term in DATE_FIELD else ()


def date_of(record: Mapping[str, Any], field: str) -> str | None:
    """The record's value for ``field`` (``startDate``/``endDate``) under whichever term holds
    it, as written (``"2016"``, ``"2016-05"``, ``"2016-05-01"``); None without one."""
    for term in DATE_TERMS[field]:
        value = record.get(term)
        if isinstance(value, list) and len(value) == 1:
            value = value[0]
        if isinstance(value, str):
            return value
    return None


def without_dates(payload: Mapping[str, Any], field: str) -> dict[str, Any]:
    """``payload`` without any term of ``field`` (before setting it at another precision)."""
    return {k: v for k, v in payload.items() if k not in DATE_TERMS[field]}
