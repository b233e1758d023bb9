"""A national competence centre node: records, proofs, keys, store, HTTP API and CLI."""

__all__: list[str] = []
