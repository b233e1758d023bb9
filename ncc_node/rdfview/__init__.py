"""The RDF view of the records and vocabulary, and SPARQL over it (issue 6, docs/sparql.md)."""

from .convert import (
    NotDirect,
    Statements,
    direct_statements,
    pyld_statements,
    record_statements,
)
from .view import VOCABULARY_GRAPH, RdfView, view_of

__all__ = [
    "NotDirect",
    "RdfView",
    "Statements",
    "VOCABULARY_GRAPH",
    "direct_statements",
    "pyld_statements",
    "record_statements",
    "view_of",
]
