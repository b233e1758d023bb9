"""The shared vocabulary of NCC Exchange: context, ontology, concept schemes, shapes, validation."""

from .errors import ContextRefused, UnknownConcept, VocabError
from .loader import DocumentLoader, bundled_contexts, document_loader, refused_cause
from .resources import CONTEXT_URL, VOCAB_NS, context_document, context_terms

__all__ = [
    "CONTEXT_URL",
    "VOCAB_NS",
    "ContextRefused",
    "DocumentLoader",
    "UnknownConcept",
    "VocabError",
    "bundled_contexts",
    "context_document",
    "context_terms",
    "document_loader",
    "refused_cause",
]
