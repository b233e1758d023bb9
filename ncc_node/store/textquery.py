"""The full-text dialect of the store: concept tokens in the index, concept labels at query time.

A record's text in ``record_text`` holds its own words (every language of every text field,
organisation names, regions, identifier) and one opaque token per concept it is tagged with
(:func:`concept_token`), not the concepts' labels. The labels of one concept in all languages
are ~50 words, and a record has ~6 concepts: copying them into every record tripled the text
the sync writes per record (issue 5). Instead, a query word is matched against the labels
here, with the same FTS5 tokenizer in a small in-memory index, and every concept it matches
becomes an alternative to the word: ``haridus`` finds a record tagged with education exactly
as before, in every language, with diacritics folded the same way.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from functools import lru_cache

from vocab import SCHEMES, concept_index

__all__ = ["TOKENIZER", "concept_token", "fts_query"]

#: The tokenizer of ``record_text`` and of the label index (they must match).
TOKENIZER = "unicode61 remove_diacritics 2"


@lru_cache(maxsize=4096)
def concept_token(iri: str) -> str:
    """The one word standing for concept ``iri`` in the index: ASCII letters and digits only,
    so the tokenizer keeps it whole, and derived from the IRI alone (no vocabulary state)."""
    return "ncc" + hashlib.blake2b(iri.encode("utf-8"), digest_size=8).hexdigest()


class _LabelIndex:
    """Every concept's labels and alternative labels, in an in-memory FTS5 table."""

    def __init__(self) -> None:
        index = concept_index()
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(":memory:", check_same_thread=False)
        self._conn.execute(f"CREATE VIRTUAL TABLE labels USING fts5 (text, tokenize = "
                           f"'{TOKENIZER}')")
        self._tokens: list[str] = []
        # every scheme: which concepts have a token in a record's text is decided once, by
        # store.derive.LABELLED; a token no text holds (a country's) simply matches nothing
        for concept in (c for scheme in SCHEMES for c in index.concepts(scheme)):
            parts = list(concept.labels.values())
            for alternatives in concept.alt_labels.values():
                parts.extend(alternatives)
            self._tokens.append(concept_token(concept.iri))
            self._conn.execute("INSERT INTO labels (rowid, text) VALUES (?, ?)",
                               (len(self._tokens), "\n".join(parts)))

    def tokens(self, phrase: str) -> list[str]:
        """The tokens of the concepts whose labels match ``phrase`` (an FTS5 phrase)."""
        with self._lock:
            rows = self._conn.execute("SELECT rowid FROM labels WHERE labels MATCH ? "
                                      "ORDER BY rowid", (phrase,)).fetchall()
        return [self._tokens[rowid - 1] for (rowid,) in rows]


@lru_cache(maxsize=1)
def _labels() -> _LabelIndex:
    return _LabelIndex()


@lru_cache(maxsize=1024)
def _alternatives(phrase: str) -> str:
    tokens = _labels().tokens(phrase)
    if not tokens:
        return phrase
    return "(" + " OR ".join([phrase, *(f'"{token}"' for token in tokens)]) + ")"


def fts_query(text: str) -> str | None:
    """Turn user text into an FTS5 query: every word must match, the last one as a prefix.

    A word matches a record's own text or the labels of one of its concepts. Words are quoted,
    so FTS5 syntax in user text is only ever words.
    """
    words = [w for w in "".join(c if c.isalnum() else " " for c in text).split() if w]
    if not words:
        return None
    phrases = [f'"{w}"' for w in words]
    phrases[-1] += "*"
    # explicit AND: FTS5 only joins bare phrases implicitly, not parenthesised groups
    return " AND ".join(_alternatives(phrase) for phrase in phrases)
