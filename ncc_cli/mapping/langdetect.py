"""The language of a text, detected by py3langid with the model it ships (nothing downloaded).

Detection is limited to the languages the vocabulary knows; an answer below ``MIN_PROBABILITY``
or on text too short to judge is no answer (the caller reports it, nothing is guessed).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

MIN_PROBABILITY = 0.80
MIN_LETTERS = 12  # "Wheelmap" or "B2B sharing" say nothing about their language
# characters judged: on the 2,504 texts of the two shipped datasets, the first 160 never name
# another language than the whole text does, abstain on one text more than 240 would, and cost
# a third of the whole text
SAMPLE = 160
LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)


class Detector:
    """py3langid restricted to a set of BCP 47 language tags."""

    def __init__(self, languages: Iterable[str]) -> None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        self._identifier: Any = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        known = set(self._identifier.nb_classes)
        self.languages = sorted(set(languages) & known)
        self._identifier.set_languages(self.languages)
        self.detect = lru_cache(maxsize=4096)(self._detect)

    def _detect(self, text: str) -> tuple[str, float] | None:
        sample = text[:SAMPLE]
        if len(LETTERS.findall(sample)) < MIN_LETTERS:
            return None
        lang, probability = self._identifier.classify(sample)
        if probability < MIN_PROBABILITY:
            return None
        return str(lang), float(probability)
