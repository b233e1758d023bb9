"""Feed pages split into items whose bytes are exactly the bytes that were sent."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sync import BadResponse
from sync.feedpage import parse_feed_page

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
