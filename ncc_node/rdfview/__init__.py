"""The RDF view of the records and vocabulary, and SPARQL over it (issue 6, docs/sparql.md)."""

from .convert import (
    NotDirect,
    Statements,
    direct_statements,
    pyld_statements,
    record_statements,
)
from .pool import PoolLimits
from .service import VIEW_SOCKET_ENV, RemotePool, view_process_command
from .view import VOCABULARY_GRAPH, RdfView, view_of

__all__ = [
    "NotDirect",
    "PoolLimits",
    "RdfView",
    "RemotePool",
    "Statements",
    "VIEW_SOCKET_ENV",
    "VOCABULARY_GRAPH",
    "direct_statements",
    "pyld_statements",
    "record_statements",
    "view_of",
    "view_process_command",
]
