"""Text analysis: the fast word cut agrees with the rule it stands for, and stems are cached."""

from __future__ import annotations

import random
import re

import Stemmer

from ncc_node.store.analysis import analyse, words

WORD = re.compile(r"\w+")  # the rule: runs of Unicode word characters, lower-cased


def texts(seed: int, count: int) -> list[str]:
    """Random texts mixing ASCII, Latin-1, any plane, underscores and odd whitespace."""
    rnd = random.Random(seed)
    pools = [lambda: rnd.randrange(32, 127), lambda: rnd.randrange(0xA0, 0x250),
             lambda: rnd.randrange(0, 0x3000), lambda: rnd.randrange(0, 0x110000),
             lambda: rnd.choice([0x5F, 0x85, 0xA0, 0x2013, 0x201C, 0x2028, 0x301, 0x212A])]
    out = []
    for _ in range(count):
        chars = [chr(rnd.choice(pools)()) for _ in range(rnd.randrange(0, 40))]
        out.append("".join(chars).encode("utf-8", "ignore").decode("utf-8"))
    return out


def test_words_are_the_runs_of_word_characters_in_any_text() -> None:
    fixed = ["Hello, world! foo_bar x-y (a)[b] 1.5% tab\there\x1cX", "Straße – “Häuser”",
             "Kelvin \u212a", "İstanbul", "a\u00a0b", "e\u0301te\u0301", "½ ² ٣ 𝟘 ǅ", ""]
    for text in fixed + texts(7, 20_000):
        assert words(text) == WORD.findall(text.lower()), repr(text)


def test_analysed_terms_are_the_snowball_stems_whatever_the_cache_holds() -> None:
    german = Stemmer.Stemmer("german")
    sample = texts(11, 3_000) + ["Häuser Häuser häuslich Nachbarschaftshilfe"] * 3
    for text in sample:
        assert analyse(text, "de") == german.stemWords(WORD.findall(text.lower()))
    assert analyse("Häuser, Kinder", None) == ["häuser", "kinder"]  # no stemmer: words only
