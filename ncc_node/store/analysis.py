"""Text analysis for the full-text index and the query (pure): tokens, case folding, stems.

A text is analysed in the language of its language-map key (``{"de": "..."}``): words are cut
on Unicode word boundaries, lower-cased and reduced to their Snowball stem in that language
(PyStemmer: English, German, Estonian, Dutch, French and 25 more). Diacritics are folded by the
index's own tokenizer (``unicode61 remove_diacritics 2``), after stemming, so a stemmer sees
the word as written ("Häuser" -> "haus") and "hopital" still meets "hôpital".

A query's language is not known (a scout types in any language), so each query word becomes
the set of its stems in every language the vocabulary has labels in; FTS5 ORs them.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

__all__ = ["QUERY_LANGUAGES", "analyse", "query_forms", "stemmer_for", "words"]

# BCP 47 primary subtag -> Snowball algorithm name (the ones PyStemmer ships)
SNOWBALL = {
    "ar": "arabic", "ca": "catalan", "cs": "czech", "da": "danish", "de": "german",
    "el": "greek", "en": "english", "es": "spanish", "et": "estonian", "eu": "basque",
    "fi": "finnish", "fr": "french", "ga": "irish", "hu": "hungarian", "hy": "armenian",
    "id": "indonesian", "it": "italian", "lt": "lithuanian", "nl": "dutch", "no": "norwegian",
    "nb": "norwegian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian",
    "sr": "serbian", "sv": "swedish", "ta": "tamil", "tr": "turkish",
}
#: The languages a query word is stemmed in (those of the vocabulary's labels).
QUERY_LANGUAGES = ("en", "de", "et", "nl", "fr")
_WORD = re.compile(r"\w+", re.UNICODE)
# An ASCII text's word breaks: in ASCII, \w is exactly [A-Za-z0-9_], so mapping every other
# printable character to a space and splitting on whitespace cuts the same words as _WORD, at a
# tenth of the regular expression's cost (most texts of most records are ASCII)
_BREAKS = frozenset(c for c in range(128)
                    if not (chr(c).isalnum() or chr(c) == "_" or chr(c).isspace()))
_ASCII_BREAKS = str.maketrans(dict.fromkeys(_BREAKS, " "))
# the same for UTF-8 bytes (bytes >= 0x80 belong to non-ASCII characters and stay)
_BYTE_BREAKS = bytes(32 if c in _BREAKS else c for c in range(256))
MAX_WORD = 40  # longer "words" (hashes, URLs glued together) are kept unstemmed
STEM_CACHE = 50_000  # stems kept per language and thread; the cache starts over when full
MAX_TAGS = 256  # language tags remembered per thread with their stemmer
_local = threading.local()  # PyStemmer objects are not thread-safe: one set per thread


def stemmer_for(language: str | None) -> Stemmer.Stemmer | None:
    """The Snowball stemmer of a language tag (``de``, ``de-AT``), or None when there is none."""
    name = SNOWBALL.get((language or "").split("-")[0].lower())
    if name is None:
        return None
    stemmers: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    found = stemmers.get(name)
    if found is None:
        found = stemmers[name] = Stemmer.Stemmer(name)
    return found


def words(text: str) -> list[str]:
    """The lower-cased words of a text (runs of Unicode word characters), in order."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered.translate(_ASCII_BREAKS).split()
    # ASCII punctuation cut as above (on the UTF-8 bytes, a table lookup per byte); when every
    # character left in the pieces is alphanumeric (\w but "_"), they are the words; otherwise
    # (a non-ASCII punctuation mark, an underscore) the regular expression decides
    pieces = lowered.encode().translate(_BYTE_BREAKS).decode().split()
    if "".join(pieces).isalnum():
        return pieces
    return _WORD.findall(lowered)


def _stem_cache(language: str | None) -> tuple[Stemmer.Stemmer, dict[str, str]] | None:
    # looked up by the tag as written: a record has some thirty texts in a language or two,
    # and resolving the tag to its stemmer each time cost more than stemming (issue 15)
    tags: dict[str | None, tuple[Stemmer.Stemmer, dict[str, str]] | None] | None = getattr(
        _local, "tags", None)
    if tags is None or len(tags) > MAX_TAGS:  # bounded: tags come from peers' records
        tags = _local.tags = {}
    try:
        known = tags[language]
    except KeyError:
        known = tags[language] = _new_stem_cache(language)
    if known is not None and len(known[1]) > STEM_CACHE:
        known[1].clear()  # in place: every tag of this stemmer shares the cache
    return known


def _new_stem_cache(language: str | None) -> tuple[Stemmer.Stemmer, dict[str, str]] | None:
    stemmer = stemmer_for(language)
    if stemmer is None:
        return None
    caches: dict[int, dict[str, str]] | None = getattr(_local, "stems", None)
    if caches is None:
        caches = _local.stems = {}
    cache = caches.get(id(stemmer))
    if cache is None:
        cache = caches[id(stemmer)] = {}
    return stemmer, cache


def analyse(text: str, language: str | None) -> list[str]:
    """The index terms of a text in ``language``: its words, lower-cased and stemmed.

    Words repeat across a node's records (Zipf), so each thread keeps the stems it has
    computed per language: a dictionary hit costs a fraction of a Snowball run.
    """
    found = words(text)
    known = _stem_cache(language) if found else None
    if known is None:
        return found
    stemmer, cache = known
    try:
        return list(map(cache.__getitem__, found))
    except KeyError:  # words not seen before: stem them (once each), then look up again
        new = list(dict.fromkeys(word for word in found if word not in cache))
        cache.update(zip(new, stemmer.stemWords(new), strict=True))
        return list(map(cache.__getitem__, found))


@lru_cache(maxsize=8192)
def query_forms(word: str) -> tuple[str, ...]:
    """A query word's forms: itself (lower-cased) and its stem in each query language."""
    lowered = word.lower()
    forms = [lowered]
    if len(lowered) <= MAX_WORD:
        for language in QUERY_LANGUAGES:
            stemmer = stemmer_for(language)
            if stemmer is not None:
                forms.append(stemmer.stemWord(lowered))
    return tuple(dict.fromkeys(forms))
