"""The shared vocabulary of NCC Exchange: context, ontology, concept schemes, shapes, validation.

Everything is loaded from bundled data files on first use (never at import time) and no IRI is
ever dereferenced: see :func:`document_loader`.
"""

from .concepts import SCHEMES, Concept, ConceptIndex, concept_index, concept_prefixes, fold
from .dates import DATE_FIELD, DATE_TERMS, date_of, date_term, without_dates
from .errors import ContextRefused, UnknownConcept, VocabError
from .iri import HTTP_IRI_PATTERN, IRI_PATTERN, NODE_BASE_PATTERN, is_iri
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
    DATA_INTEGRITY_V2_URL,
    RECORD_CONTEXTS,
    VOCAB_NS,
    context_document,
    context_terms,
    data_integrity_context,
    data_text,
    example,
    example_names,
    is_record_context,
    ontology_graph,
    schemes_graph,
    shapes_graph,
    vocabulary_graph,
)
from .validation import (
    MESSAGES as VALIDATION_MESSAGES,
)
from .validation import (
    N_,
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
    "DATA_INTEGRITY_V2_URL",
    "DATE_FIELD",
    "DATE_TERMS",
    "DocumentLoader",
    "HTTP_IRI_PATTERN",
    "INITIATIVE",
    "IRI_PATTERN",
    "JsonLdInvalid",
    "METHOD",
    "NODE_BASE_PATTERN",
    "N_",
    "PUBLISHABLE_KINDS",
    "RECORD_CONTEXTS",
    "RecordInvalid",
    "RecordKind",
    "SCHEMES",
    "TermDef",
    "UnknownConcept",
    "VALIDATION_MESSAGES",
    "VOCAB_NS",
    "Violation",
    "VocabError",
    "bundled_contexts",
    "check_terms",
    "concept_index",
    "concept_prefixes",
    "context_document",
    "context_terms",
    "data_integrity_context",
    "data_text",
    "date_of",
    "date_term",
    "document_loader",
    "ensure_valid",
    "example",
    "example_names",
    "expanded_context",
    "fold",
    "is_iri",
    "is_record_context",
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
    "without_dates",
]
