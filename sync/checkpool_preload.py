"""Imported by the check pool's fork server only: what screening needs on first use, loaded once.

The fork server imports this module before it forks any checking process
(``set_forkserver_preload`` in :mod:`sync.checkpool`), so every process starts with the accept
path already compiled (the bundled shapes parsed with rdflib, the context digested: ~40 ms), the
thesaurus built (~150 ms) and the screening modules imported, instead of each spending that on
its first item while the worker waits for the first page's outcome. Importing it anywhere else
only costs that work once.
"""

from __future__ import annotations

from ncc_node import index_entries
from vocab import known_valid_check

from . import checkpool as _checkpool  # noqa: F401  (the screening code itself)

known_valid_check()
index_entries({})  # builds the thesaurus that infers concepts from a record's text (~0.15 s)
