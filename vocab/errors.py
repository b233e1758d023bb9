"""Typed errors of the vocabulary package."""

from __future__ import annotations


class VocabError(Exception):
    """Base class of every error raised by :mod:`vocab`."""


class ContextRefused(VocabError):
    """A JSON-LD context or document URL that the offline loader will not serve."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"JSON-LD context {url!r} refused: {reason}")
        self.url = url
        self.reason = reason


class UnknownConcept(VocabError):
    """A concept IRI, scheme or label that the bundled concept schemes do not define."""
