"""An offline JSON-LD document loader: it serves bundled contexts and refuses everything else.

architecture §3 and §9: context IRIs are names, never dereferenced at run time. The loader is a
plain callable handed to PyLD per call (``options={"documentLoader": loader}``); nothing here calls
``jsonld.set_document_loader``, which would be a process-wide side effect.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from .errors import ContextRefused
from .resources import CONTEXT_URL, DATA_INTEGRITY_V2_URL, context_document, data_integrity_context

DocumentLoader = Callable[..., dict[str, Any]]


def bundled_contexts() -> dict[str, dict[str, Any]]:
    """Return the contexts every node bundles, keyed by their (never dereferenced) URL."""
    return {CONTEXT_URL: context_document(), DATA_INTEGRITY_V2_URL: data_integrity_context()}


def _refusal_reason(url: str) -> str:
    scheme = urlsplit(url).scheme.lower()
    if scheme == "file":
        return "file: URLs are never read"
    if scheme in ("http", "https"):
        return "remote contexts are never fetched; only bundled contexts are allowed"
    if not scheme:
        return "relative context references are not allowed"
    return f"URL scheme {scheme!r} is not allowed"


def document_loader(extra: Mapping[str, Mapping[str, Any]] | None = None) -> DocumentLoader:
    """Return a PyLD document loader serving the bundled contexts (plus ``extra``) only.

    ``extra`` maps further URLs to already-parsed documents (tests use it for the W3C vector
    contexts). Any other URL -- remote, ``file:``, a context nested in another one, an
    ``@import`` target -- raises :class:`ContextRefused` without touching the network.
    """
    documents: dict[str, Mapping[str, Any]] = dict(bundled_contexts())
    if extra:
        documents.update(extra)

    def load(url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        document = documents.get(url)
        if document is None:
            raise ContextRefused(url, _refusal_reason(url))
        # PyLD may annotate what it is given; hand out a copy so the bundle stays pristine.
        return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}

    return load


def refused_cause(exc: BaseException) -> ContextRefused | None:
    """Find a :class:`ContextRefused` in an exception's cause chain (PyLD wraps loader errors)."""
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ContextRefused):
            return current
        stack.extend([current.__cause__, current.__context__, getattr(current, "cause", None)])
        details = getattr(current, "details", None)
        if isinstance(details, dict):
            cause = details.get("cause")
            if isinstance(cause, BaseException):
                stack.append(cause)
    return None
