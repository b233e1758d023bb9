"""The offline document loader serves bundled contexts and refuses everything else."""

from __future__ import annotations

from typing import Any

import pytest

from vocab import CONTEXT_URL, ContextRefused, document_loader
from vocab.rdf import JsonLdInvalid, to_nquads
from vocab.resources import example

EVIL = "https://contexts.example.net/evil.jsonld"


def _record(context: Any) -> dict[str, Any]:
    record = example("method.jsonld")
    record.pop("proof")
    record["@context"] = context
    return record


FOREIGN = {
    "remote": EVIL,
    "remote after ours": [CONTEXT_URL, EVIL],
    "plain http": "http://contexts.example.net/ctx",
    "file": "file:///etc/passwd",
    "nested in a scoped context": [CONTEXT_URL, {"extra": {"@id": "https://x.example/p",
                                                           "@context": EVIL}}],
    "@import": [{"@version": 1.1, "@import": EVIL}],
    "@import of a file": [{"@version": 1.1, "@import": "file:///etc/hosts"}],
}


def test_serves_the_bundled_context(socket_guard: list[Any]) -> None:
    remote = document_loader()(CONTEXT_URL, {})
    assert remote["documentUrl"] == CONTEXT_URL
    assert remote["document"]["@context"]["@protected"] is True
    assert "<https://w3id.org/ncc/vocab#origin>" in to_nquads(_record(CONTEXT_URL))
    assert socket_guard == []


def test_hands_out_copies() -> None:
    loader = document_loader()
    loader(CONTEXT_URL)["document"]["@context"]["id"] = "@type"
    assert loader(CONTEXT_URL)["document"]["@context"]["id"] == "@id"


@pytest.mark.parametrize("context", FOREIGN.values(), ids=list(FOREIGN))
def test_refuses_foreign_contexts_without_network(context: Any, socket_guard: list[Any]) -> None:
    with pytest.raises(ContextRefused) as info:
        to_nquads(_record(context))
    assert info.value.url in str(info.value)
    assert "refused" in str(info.value)
    assert socket_guard == [], "the loader must not touch the network"


@pytest.mark.parametrize(
    ("url", "reason"),
    [(EVIL, "remote"), ("file:///etc/passwd", "file:"), ("ctx.jsonld", "relative"),
     ("ftp://x.example/c", "scheme")],
)
def test_refusal_reasons_are_specific(url: str, reason: str, socket_guard: list[Any]) -> None:
    with pytest.raises(ContextRefused, match=reason):
        document_loader()(url, {})
    assert socket_guard == []


def test_relative_context_is_rejected(socket_guard: list[Any]) -> None:
    # PyLD rejects a relative context IRI itself (no base) before asking the loader.
    with pytest.raises(JsonLdInvalid, match="relative"):
        to_nquads(_record("context.jsonld"))
    assert socket_guard == []


def test_extra_documents_are_served_too() -> None:
    extra = {"https://example.org/ctx": {"@context": {"x": "https://example.org/x"}}}
    loader = document_loader(extra)
    assert loader("https://example.org/ctx")["document"] == extra["https://example.org/ctx"]
    with pytest.raises(ContextRefused):
        document_loader()("https://example.org/ctx")
