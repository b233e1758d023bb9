"""RFC 8785 canonicalization: the fast path equals the general algorithm wherever it is taken."""

from __future__ import annotations

import enum
import json
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from ncc_node.errors import CanonicalizationFailed
from ncc_node.integrity.jcs import (
    MAX_SAFE_INTEGER,
    canonicalize,
    canonicalize_general,
    fast_path,
    is_plain,
)

# Characters that stress each rule: escapes and control characters, DEL and the JavaScript line
# separators (written literally), BMP characters above the surrogate block (U+E000..U+FFFF, where
# code-point and UTF-16 order part ways), supplementary characters, umlauts and diacritics.
SPECIAL = [
    '"', "\\", "/", "\b", "\f", "\n", "\r", "\t", "\x00", "\x1f", "\x7f", "\x80",
    "\u2028", "\u2029", "\ufeff", "\ue000", "\ufb33", "\uffff", "€", "ä", "ö", "ü", "ß", "é",
    "õ", "ł", "\U00010000", "\U0001f600", "\U0010ffff", "a", "Z", "1", "@",
]  # fmt: skip
ANY_CHAR = st.characters(exclude_categories=())  # includes lone surrogates (category Cs)
BMP_CHAR = st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",))
NON_SURROGATE = st.characters(exclude_categories=("Cs",))


def texts(chars: st.SearchStrategy[str], size: int = 10) -> st.SearchStrategy[str]:
    return st.text(st.one_of(st.sampled_from(SPECIAL), chars), max_size=size)


FLOATS = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([1.0, -0.0, 0.1, 1e16, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 4.5]),
)
INTS = st.one_of(
    st.integers(),
    st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
    st.sampled_from([MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER, 2**53, -(2**53), 10**30]),
)


def json_values(
    keys: st.SearchStrategy[str], scalars: st.SearchStrategy[Any]
) -> st.SearchStrategy[Any]:
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5), st.dictionaries(keys, children, max_size=6)
        ),
        max_leaves=40,
    )


# Keys around the one place where code-point and UTF-16 order disagree.
ORDER_CHARS = ["\ue000", "\ufb33", "\uffff", "\U00010000", "\U0001f600", "a", "€", "\ud7ff"]
KEYS = st.one_of(texts(ANY_CHAR, 6), st.text(st.sampled_from(ORDER_CHARS), min_size=1, max_size=3))
ANY_JSON = json_values(
    KEYS,
    st.one_of(st.none(), st.booleans(), INTS, FLOATS, texts(ANY_CHAR)),
)
# The domain of the fast path: no floats, safe integers, BMP keys; values may hold any character.
PLAIN_JSON = json_values(
    texts(BMP_CHAR, 6).filter(lambda key: max(key, default="a") <= "\uffff"),
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER),
        texts(NON_SURROGATE, 40),
    ),
)


def reference(value: Any) -> bytes | type[Exception]:
    try:
        return rfc8785.dumps(value)
    except (rfc8785.CanonicalizationError, UnicodeEncodeError):
        return CanonicalizationFailed


def ours(value: Any) -> bytes | type[Exception]:
    try:
        return canonicalize(value)
    except CanonicalizationFailed:
        return CanonicalizationFailed


@settings(max_examples=600)
@given(ANY_JSON)
def test_canonicalize_equals_rfc8785_on_any_json(value: Any) -> None:
    assert ours(value) == reference(value)


@settings(max_examples=600)
@given(ANY_JSON)
def test_fast_path_output_equals_rfc8785_whenever_taken(value: Any) -> None:
    fast = fast_path(value)
    if fast is not None:
        assert fast == rfc8785.dumps(value)


@settings(max_examples=600)
@given(PLAIN_JSON)
def test_fast_path_is_taken_and_equal_on_plain_documents(value: Any) -> None:
    assert is_plain(value)
    assert fast_path(value) == rfc8785.dumps(value)


def stdlib_form(value: Any) -> bytes | None:
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                          allow_nan=False).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        return None


@settings(max_examples=600)
@given(PLAIN_JSON)
def test_fast_path_equals_the_standard_library_encoder(value: Any) -> None:
    # the module docstring's argument is made for the standard library's encoder; orjson must
    # write the same bytes wherever the fast path is taken
    assert fast_path(value) == stdlib_form(value)


def test_fast_path_on_every_bmp_character_and_deep_nesting() -> None:
    every = "".join(chr(c) for c in range(0xD800)) + "".join(chr(c) for c in range(0xE000, 0x10000))
    document = {"text": every, every[:50]: [every[-50:], 1, None, True], "\ue000": {"\uffff": 2}}
    assert fast_path(document) == stdlib_form(document) == rfc8785.dumps(document)
    deep: Any = "x"
    for _ in range(400):  # beyond orjson's nesting limit: the general algorithm decides
        deep = [deep]
    assert fast_path(deep) is None
    assert canonicalize(deep) == rfc8785.dumps(deep)


def test_rfc8785_section_3_2_2_example() -> None:
    # RFC 8785 §3.2.2 (input as JSON text, including escapes and numbers to normalise).
    source = (
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    ).encode()
    assert canonicalize(json.loads(source)) == expected


def test_rfc8785_section_3_2_3_sorting_example() -> None:
    keys = ["\u20ac", "\r", "\ufb33", "1", "\U0001f600", "\u0080", "\u00f6"]
    document = {key: "x" for key in keys}
    assert not is_plain(document)  # a supplementary-plane key: UTF-16 order differs
    out = json.loads(canonicalize(document))
    assert list(out) == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]
    # Code-point order would put the emoji last: exactly the case the fast path must avoid.
    assert sorted(keys)[-1] == "\U0001f600"


class Colour(enum.IntEnum):
    RED = 1


class Label(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        1.0,
        {"a": 0.5},
        [2**53],
        -(2**53),
        (1, 2),
        {"k": Colour.RED},
        Label("x"),
        {1: "a"},
        {"\U0001f600": 1},
        {"ok": [{"deep": {"x": 1e-7}}]},
    ],
)
def test_values_outside_the_fast_path(value: Any) -> None:
    assert not is_plain(value)
    assert fast_path(value) is None


@pytest.mark.parametrize(
    "value",
    [
        {"a": float("nan")},
        [float("inf")],
        2**53,
        "\ud800",
        {"\udc00": 1},
        {1: "a"},
    ],
)
def test_not_canonicalizable(value: Any) -> None:
    with pytest.raises(CanonicalizationFailed):
        canonicalize(value)


def test_typical_record_takes_the_fast_path(make_record: Any) -> None:
    record = make_record(name={"de": "Grüße aus Köln 😀", "et": "Tere õhtust"})
    assert is_plain(record)
    assert fast_path(record) == canonicalize_general(record) == rfc8785.dumps(record)
