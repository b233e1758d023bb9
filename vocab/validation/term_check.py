"""The strict check: JSON that JSON-LD would accept but silently drop or reinterpret.

SHACL sees only the RDF graph, so a misspelt property, a ``null``, a relative IRI or an
undefined type name simply vanish before validation. Records are signed as JSON, so what is
signed must mean exactly what is stored: this check rejects every such term (issue 2).
"""

from __future__ import annotations

import re
from typing import Any

from ..resources import CONTEXT_URL, DATA_INTEGRITY_V2_URL, is_record_context
from .expand import Context, TermDef, expanded_context
from .violations import Violation

_LANG_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{1,8})*\Z")


def _check_node(ctx: Context, obj: dict[str, Any], path: str, out: list[Violation]) -> None:
    for key, value in obj.items():
        at = f"{path}.{key}" if path else key
        if key in ("id", "type"):
            _check_special(ctx, key, value, at, out)
            continue
        definition = ctx.terms.get(key)
        if definition is None or key not in ctx.properties:
            out.append(Violation.of(at, "strict", "strict.term", key=repr(key),
                                    context=CONTEXT_URL))
            continue
        if key == "proof" and not path:
            continue  # checked by the proof verifier
        _check_value(ctx, definition, value, at, out)


def _check_keywords(obj: dict[str, Any], path: str, out: list[Violation]) -> None:
    for key in obj:
        if key.startswith("@"):
            at = f"{path}.{key}" if path else key
            out.append(Violation.of(at, "strict", "strict.keyword", key=key))


def _check_special(ctx: Context, key: str, value: Any, at: str, out: list[Violation]) -> None:
    items = value if isinstance(value, list) and key == "type" else [value]
    for item in items:
        if not isinstance(item, str):
            out.append(Violation.of(at, "strict", "strict.string", key=key))
        elif key == "type" and item not in ctx.terms:
            out.append(Violation.of(at, "strict", "strict.type", type=repr(item)))
        elif key == "id" and (item.startswith("_:") or ctx.expand_iri(item, vocab=False) is None):
            out.append(Violation.of(at, "strict", "strict.id", id=repr(item)))


def _check_value(
    ctx: Context, definition: TermDef, value: Any, at: str, out: list[Violation]
) -> None:
    if value is None:
        out.append(Violation.of(at, "strict", "strict.null"))
        return
    if isinstance(value, list):
        if definition.container not in ("@set", "@language") and len(value) != 1:
            out.append(Violation.of(at, "strict", "strict.list"))
        for index, item in enumerate(value):
            _check_value(ctx, definition, item, f"{at}[{index}]", out)
        return
    if definition.container == "@language":
        if not isinstance(value, dict) or not value:
            out.append(Violation.of(at, "strict", "strict.language_map"))
            return
        for tag, text in value.items():
            if not _LANG_TAG.match(tag):
                out.append(Violation.of(f"{at}.{tag}", "strict", "strict.language_tag",
                                        tag=repr(tag)))
            # JSON-LD lets a language map give several strings for one language (keywords); the
            # shapes decide where one per language is the limit (sh:uniqueLang)
            texts = text if isinstance(text, list) and text else [text]
            if not all(isinstance(t, str) for t in texts):
                out.append(Violation.of(f"{at}.{tag}", "strict", "strict.texts"))
        return
    if isinstance(value, dict):
        _check_keywords(value, at, out)
        _check_node(ctx, {k: v for k, v in value.items() if not k.startswith("@")}, at, out)
        return
    if definition.coerce in ("@id", "@vocab") and isinstance(value, str):
        if definition.coerce == "@vocab" and value in ctx.terms:
            return
        if ctx.expand_iri(value, vocab=False) is None:
            out.append(Violation.of(at, "strict", "strict.iri", value=repr(value)))


def check_terms(record: Any) -> list[Violation]:
    """Return every term or value of ``record`` that JSON-LD would drop or reinterpret."""
    if not isinstance(record, dict):
        return [Violation.of("", "json", "json.object")]
    out: list[Violation] = []
    if not is_record_context(record.get("@context")):
        out.append(Violation.of("@context", "strict", "strict.context",
                                context=repr(CONTEXT_URL), integrity=repr(DATA_INTEGRITY_V2_URL)))
    _check_keywords({k: v for k, v in record.items() if k != "@context"}, "", out)
    _check_node(expanded_context(), {k: v for k, v in record.items() if not k.startswith("@")},
                "", out)
    return out
