"""Feed pages split into items whose bytes are exactly the bytes that were sent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import BadResponse
from sync.feedpage import _split, _walk, parse_feed_page, parse_item

ITEMS = [
    b'{"id":"a","name":{"de":"Gr\xc3\xbc\xc3\x9fe \\u00fc \\"q\\"","et":"\xf0\x9f\x8c\x8d"}}',
    b'{ "id" : "b" ,\n  "list" : [ 1 , 2.50 , true , null ] }',
    b'{"id":"c","big":123456789012345678901234567890,"e":1E+2}',
]


def test_item_bytes_are_exact_whatever_the_whitespace() -> None:
    page = (b'\n{ "cursor" : "MTo5" ,\t"items" : [ ' + b" ,\r\n".join(ITEMS)
            + b' ] , "more" : true , "extra" : {"x": [1]} }  ')
    parsed = parse_feed_page(page, peer="p")
    assert [item.raw for item in parsed.items] == ITEMS
    assert [item.value for item in parsed.items] == [json.loads(i) for i in ITEMS]
    assert (parsed.cursor, parsed.more) == ("MTo5", True)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10)


@given(st.lists(json_values, max_size=5), st.sampled_from([None, 1, 2]), st.booleans())
def test_any_items_round_trip(values: list[object], indent: int | None, ascii_: bool) -> None:
    raws = [json.dumps(v, indent=indent, ensure_ascii=ascii_).encode() for v in values]
    page = b'{"items":[' + b",".join(raws) + b'],"cursor":"c","more":false}'
    parsed = parse_feed_page(page, peer="p")
    assert [item.raw for item in parsed.items] == raws
    assert [item.value for item in parsed.items] == values


@pytest.mark.parametrize("body", [
    b'{"items":[{"a":1},',
    b'{"items":[{"a":1}],"cursor":"c","more":fal',
    b'{"items":[NaN],"cursor":"c","more":false}',
    b'{"items":[],"cursor":"c","more":false} trailing',
    b'{"items":[],"items":[],"cursor":"c","more":false}',
    b'{"items":{},"cursor":"c","more":false}',
    b'{"items":[],"cursor":"","more":false}',
    b'{"items":[],"cursor":"c"}',
    b'{"items":[],"cursor":"c","more":"no"}',
    b'["items"]',
    b"\xff\xfe{}",
    b"",
    b"[" * 100_000,
])
def test_bad_pages_are_typed_errors(body: bytes) -> None:
    with pytest.raises(BadResponse) as info:
        parse_feed_page(body, peer="https://peer.example")
    assert info.value.code == "bad_response" and info.value.peer == "https://peer.example"


# -- the fast path: split at each '},{"@context":' and parse the pieces with orjson ---------------

object_values = st.builds(lambda rest, first: {"@context": first, **rest},
                          st.dictionaries(st.text(), json_values, max_size=4), json_values)
TRICKY = ['},{"@context":', '},{', '],"cursor":"', '"},{"',
          '\\', '\\"},{\\"', ']', '{', '\ud800', '\x00', 'ü']


def compact(value: object) -> bytes:
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
    except UnicodeEncodeError:  # a lone surrogate: written as an escape
        return json.dumps(value, separators=(",", ":")).encode()


def test_the_fast_path_splits_a_compact_page() -> None:
    raws = [compact({"@context": "c", "id": f"r{n}", "text": "Grüße 🌍", "n": [n, None, True],
                     "partners": [{"a": 1}, {"b": 2}]}) for n in range(3)]
    page = b'{"items":[' + b",".join(raws) + b'],"cursor":"MTo5","more":true}'
    fast = _split(page)
    assert fast is not None
    assert [item.raw for item in fast.items] == raws
    assert fast == _walk(page, "p")
    assert _split(b'{"items":[],"cursor":"c","more":false}') == _walk(
        b'{"items":[],"cursor":"c","more":false}', "p")


@given(st.lists(st.one_of(object_values,
                          st.fixed_dictionaries({t: st.sampled_from(TRICKY) for t in TRICKY}),
                          st.just({"a": [1], "cursor": "x"}),
                          st.just({"@context": 1, "proof": [{"@context": 2}, {"@context": 3}]}),
                          st.just({"big": 2**64, "neg": -(2**63) - 1, "n": 10**30}),
                          st.just({"f": 1.5e300, "g": -0.0, "h": 12345678901234567.0})),
                max_size=5),
       st.text(min_size=1, max_size=8))
def test_the_fast_path_agrees_with_the_walk(values: list[dict[str, object]],
                                             cursor: str) -> None:
    raws = [compact(v) for v in values]
    page = (b'{"items":[' + b",".join(raws) + b'],"cursor":' + compact(cursor)
            + b',"more":false}')
    walked = _walk(page, "p")
    assert parse_feed_page(page, peer="p") == walked
    assert [item.value for item in walked.items] == values
    fast = _split(page)
    if fast is not None:
        assert fast == walked
    assert all(type(item.value["big"]) is int for item in walked.items if "big" in item.value)


@pytest.mark.parametrize("body", [
    b'{"items":[{"a":1} ,{"b":2}],"cursor":"c","more":false}',  # whitespace: walked
    b'{"items":[{"p":[{"@context":1},{"@context":2}]}],"cursor":"c","more":false}',  # a set
    b'{"items":[{"a":1},{"b":[1],"cursor":"x"}],"more":false,"cursor":"c"}',  # member order
    b'{"items":[{"n":18446744073709551616}],"cursor":"c","more":false}',  # beyond 64 bits
    b'{"items":[{"s":"\\ud800"}],"cursor":"c","more":false}',  # a lone surrogate
    b'{"items":[1,{"a":1}],"cursor":"c","more":false}',  # an item that is no object
])
def test_pages_the_fast_path_leaves_to_the_walk(body: bytes) -> None:
    assert _split(body) is None
    assert parse_feed_page(body, peer="p") == _walk(body, "p")


def test_duplicate_members_are_refused_by_either_path() -> None:
    assert _split(b'{"items":[{"a":1}],"cursor":"c","more":false,"more":true}') is None
    with pytest.raises(BadResponse, match="appears twice"):
        parse_feed_page(b'{"items":[{"a":1}],"cursor":"c","more":false,"more":true}', peer="p")


texts = st.one_of(
    json_values.map(lambda v: json.dumps(v, ensure_ascii=False)),
    json_values.map(json.dumps),
    st.sampled_from(["18446744073709551615", "18446744073709551616", "-9223372036854775809",
                     "1E400", "1e-400", "-0", "-0.0", "[1.0,2.50,1e+30]", '"\\ud800"',
                     '{"a":1,"a":2}', "0.1", "123456789012345678901234567890.5"]),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.integers().map(str),
)


@given(texts)
def test_parse_item_is_json_loads(text: str) -> None:
    raw = text.encode("utf-8", "surrogatepass")
    try:
        expected = json.loads(raw)
    except ValueError:
        with pytest.raises(ValueError):
            parse_item(raw)
        return
    got = parse_item(raw)
    assert got == expected or (got != got and expected != expected)  # NaN from 1E400 - inf
    assert repr(got) == repr(expected)
