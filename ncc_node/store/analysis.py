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
MAX_WORD = 40  # longer "words" (hashes, URLs glued together) are kept unstemmed
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
    """The lower-cased words of a text, in order."""
    return _WORD.findall(text.lower())


def analyse(text: str, language: str | None) -> list[str]:
    """The index terms of a text in ``language``: its words, lower-cased and stemmed."""
    found = words(text)
    stemmer = stemmer_for(language)
    if stemmer is None or not found:
        return found
    return stemmer.stemWords(found)


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
