"""The shared vocabulary of NCC Exchange: context, ontology, concept schemes, shapes, validation.

Everything is loaded from bundled data files on first use (never at import time) and no IRI is
ever dereferenced: see :func:`document_loader`.
"""

from .concepts import SCHEMES, Concept, ConceptIndex, concept_index, concept_prefixes, fold
from .errors import ContextRefused, UnknownConcept, VocabError
from .kinds import (
    ALL_KINDS,
    COLLECTIONS,
    INITIATIVE,
    METHOD,
    PUBLISHABLE_KINDS,
    RecordKind,
    kind_named,
)
from .loader import DocumentLoader, bundled_contexts, document_loader, refused_cause
from .rdf import JsonLdInvalid, to_dataset, to_graph, to_nquads
from .resources import (
    CONTEXT_URL,
    VOCAB_NS,
    context_document,
    context_terms,
    data_text,
    example,
    example_names,
    ontology_graph,
    schemes_graph,
    shapes_graph,
    vocabulary_graph,
)
from .validation import (
    Context,
    RecordInvalid,
    TermDef,
    Violation,
    check_terms,
    ensure_valid,
    expanded_context,
    known_valid_check,
    validate_record,
    validate_shacl,
    validate_shapes,
)

__all__ = [
    "ALL_KINDS",
    "COLLECTIONS",
    "CONTEXT_URL",
    "Concept",
    "ConceptIndex",
    "Context",
    "ContextRefused",
    "DocumentLoader",
    "INITIATIVE",
    "JsonLdInvalid",
    "METHOD",
    "PUBLISHABLE_KINDS",
    "RecordInvalid",
    "RecordKind",
    "SCHEMES",
    "TermDef",
    "UnknownConcept",
    "VOCAB_NS",
    "Violation",
    "VocabError",
    "bundled_contexts",
    "check_terms",
    "concept_index",
    "concept_prefixes",
    "context_document",
    "context_terms",
    "data_text",
    "document_loader",
    "ensure_valid",
    "example",
    "example_names",
    "expanded_context",
    "fold",
    "kind_named",
    "known_valid_check",
    "ontology_graph",
    "refused_cause",
    "schemes_graph",
    "shapes_graph",
    "to_dataset",
    "to_graph",
    "to_nquads",
    "validate_record",
    "validate_shacl",
    "validate_shapes",
    "vocabulary_graph",
]
