"""The accept path: a check compiled from the context and the shapes that tells, in a few
microseconds, that a record is certainly valid, so :func:`validate_record` can skip the full path.

It reads the record's JSON directly and answers True ("certainly valid": the strict term check
and the fast validator would both find nothing) or False ("not sure": the full path decides and
reports). It must never answer True for a record the full path rejects; anything it does not
understand — a constraint kind, a container, a JSON form, a shape that is not closed, a SPARQL
rule it cannot feed — makes it answer False where it matters (docs/validation.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from functools import lru_cache
from typing import Any

from ..resources import CONTEXT_URL
from .expand import Context, expanded_context
from .known_valid_compile import AcceptCompiler, type_key
from .shapes import NodeSpec, PropertySpec, compiled_shapes

# The compiled forms this module reads; a field added to either (a new constraint) turns the
# accept path off until it is taught the field, instead of letting it ignore the constraint.
_PROPERTY_FIELDS = frozenset({
    "path", "name", "min_count", "max_count", "datatype", "node_kind", "values_in", "pattern",
    "min_length", "max_length", "language_in", "unique_lang", "min_inclusive", "max_inclusive",
    "node", "message", "datatype_or",
})
_NODE_FIELDS = frozenset({
    "iri", "target_classes", "target_subjects_of", "node_kind", "pattern", "message", "closed",
    "ignored", "properties", "rules", "allowed_paths",
})
# the JSON spellings of @id and @type that strict.check_terms hard-codes
_ALIASES = {"id": "@id", "type": "@type"}

Accept = Callable[[Any], bool]


def _never(record: Any) -> bool:
    return False


def compile_known_valid(context: Context, shapes: dict[str, NodeSpec]) -> Accept:
    """Compile the accept path for ``context`` and ``shapes``: record -> certainly valid."""
    if ({f.name for f in fields(PropertySpec)} != _PROPERTY_FIELDS
            or {f.name for f in fields(NodeSpec)} != _NODE_FIELDS
            or context.aliases != _ALIASES):
        return _never
    roots = AcceptCompiler(context, shapes).roots()

    def accept(record: Any) -> bool:
        if type(record) is not dict or record.get("@context") != CONTEXT_URL:
            return False
        kind = record.get("type")
        check = roots.get(kind if type(kind) is str else type_key(record))
        if check is None:
            return False
        ids: list[str] = []
        # nodes with one IRI merge in RDF (their values add up): refuse any id seen twice
        return check(record, ids) and (len(ids) < 2 or len(set(ids)) == len(ids))

    return accept


@lru_cache(maxsize=1)
def known_valid_check() -> Accept:
    """Return the accept path over the bundled context and shapes (compiled on first use)."""
    return compile_known_valid(expanded_context(), compiled_shapes())


def certainly_valid(record: Any) -> bool:
    """Return True only if ``record`` is certainly valid (False: not sure, ask the full path)."""
    return known_valid_check()(record)
