"""The record kinds of the vocabulary, defined once: type names, collections and their wording.

Every part that needs to know which kinds exist (minting ids, the API's resources, sync's id
rule, scouting, statistics, the CLI) reads them from here, so a new kind is added in one place
and in the ontology and shapes (``vocab/data``).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ALL_KINDS",
    "COLLECTIONS",
    "INITIATIVE",
    "METHOD",
    "PUBLISHABLE_KINDS",
    "RecordKind",
    "kind_named",
]


@dataclass(frozen=True)
class RecordKind:
    """A kind of record that operators publish: its ``type``, collection path and wording."""

    name: str  # the JSON-LD type term, e.g. "Initiative"
    collection: str  # the path segment of its ids and API resource, e.g. "initiatives"
    singular: str  # lower-case English noun, for messages and OpenAPI summaries
    plural: str
    article: str  # "a" or "an"
    description: str  # one line for the API's resource description


INITIATIVE = RecordKind(
    "Initiative", "initiatives", "initiative", "initiatives", "an",
    "Initiatives: social innovations, this node's own and its peers'.")
METHOD = RecordKind(
    "Method", "methods", "method", "methods", "a",
    "Methods: how social innovation is done (impact measurement, funding instruments, "
    "incubation, participation formats ...).")

#: The kinds an operator publishes, in display order.
PUBLISHABLE_KINDS: tuple[RecordKind, ...] = (INITIATIVE, METHOD)
#: ``type`` -> collection path segment, for the publishable kinds.
COLLECTIONS: dict[str, str] = {kind.name: kind.collection for kind in PUBLISHABLE_KINDS}
#: Every ``type`` a record in a feed may have: the publishable kinds, deletions and descriptors.
ALL_KINDS: tuple[str, ...] = (*COLLECTIONS, "Tombstone", "Node")


def kind_named(name: str) -> RecordKind:
    """The publishable kind whose ``type`` is ``name``; KeyError for any other."""
    for kind in PUBLISHABLE_KINDS:
        if kind.name == name:
            return kind
    raise KeyError(name)
