"""The filter parameter on the wire: compact JSON, encodeURIComponent."""

from __future__ import annotations

import json
import string
from urllib.parse import parse_qs, quote, unquote, unquote_plus, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang.client.urls import request_urls
from cqlang.encoding import encode, encode_exclude, percent_encode, to_json

UNRESERVED = string.ascii_letters + string.digits + "-_.!~*'()"


def test_compact_json_no_spaces_utf8_kept() -> None:
    filters = [{"property": "custom_fields", "key": "miasto", "value": "Łódź"}]
    assert to_json(filters) == '[{"property":"custom_fields","key":"miasto","value":"Łódź"}]'


def test_spec_example_encoded() -> None:
    filters = cqlang.compile('state = OPEN and priority >= 3 and custom.region = "PL"')
    assert encode(filters) == (
        "%5B%7B%22property%22%3A%22state%22%2C%22value%22%3A%5B%22OPEN%22%5D%7D%2C"
        "%7B%22property%22%3A%22priority%22%2C%22operator%22%3A%22gte%22%2C%22value%22%3A3%7D%2C"
        "%7B%22property%22%3A%22custom_fields%22%2C%22key%22%3A%22region%22%2C"
        "%22value%22%3A%22PL%22%7D%5D"
    )


@pytest.mark.parametrize("ch", list(UNRESERVED))
def test_unreserved_characters_stay(ch: str) -> None:
    assert percent_encode(ch) == ch


@pytest.mark.parametrize(
    ("ch", "encoded"),
    [
        (" ", "%20"),
        ("&", "%26"),
        ("#", "%23"),
        ("+", "%2B"),
        ("%", "%25"),
        ("=", "%3D"),
        ("?", "%3F"),
        ("/", "%2F"),
        (":", "%3A"),
        (",", "%2C"),
        (";", "%3B"),
        ("@", "%40"),
        ("$", "%24"),
        ('"', "%22"),
        ("\\", "%5C"),
        ("ł", "%C5%82"),
        ("😀", "%F0%9F%98%80"),
        ("\n", "%0A"),
    ],
)
def test_every_other_byte_is_escaped_like_encode_uri_component(ch: str, encoded: str) -> None:
    assert percent_encode(ch) == encoded


def test_all_of_ascii_matches_encode_uri_component() -> None:
    for code in range(128):
        ch = chr(code)
        expected = ch if ch in UNRESERVED else f"%{code:02X}"
        assert percent_encode(ch) == expected, ch


NASTY = ["a&b=c", "#hash", "1+1", "100%", "a?b", 'q"u\'o', "back\\slash", "zażółć gęślą jaźń",
         "😀🇵🇱", "tab\there", "new\nline", "%20", "+%2B", "filter=[]"]  # fmt: skip


@pytest.mark.parametrize("value", NASTY)
def test_standard_decoders_give_back_the_exact_json(value: str) -> None:
    filters = [
        {"property": "custom_fields", "key": value, "value": value},
        {"property": "close_reason", "value": [value, "x"]},
    ]
    compact = to_json(filters)
    encoded = encode(filters)
    assert set(encoded) <= set(UNRESERVED + "%0123456789ABCDEF")
    assert unquote(encoded) == compact
    assert unquote_plus(encoded) == compact
    assert parse_qs(f"limit=10&filter={encoded}&offset=0")["filter"] == [compact]
    assert json.loads(unquote(encoded)) == filters


def test_exclude_and_the_request_url() -> None:
    assert encode_exclude(["history", "call_history", "dialogs"]) == (
        "%5B%22history%22%2C%22call_history%22%2C%22dialogs%22%5D"
    )
    plan = cqlang.plan('custom.x = "a&b"')
    (url,) = request_urls(plan, base_url="http://h", campaign="c", exclude=["dialogs"])
    parsed = parse_qs(urlsplit(url).query)
    assert parsed["limit"] == ["1000"] and parsed["offset"] == ["0"]
    assert parsed["filter"] == ['[{"property":"custom_fields","key":"x","value":"a&b"}]']
    assert parsed["exclude"] == ['["dialogs"]']
    (bare,) = request_urls(plan, base_url="http://h", campaign="c")
    assert "exclude" not in bare


def test_empty_filter_list_is_a_list() -> None:
    assert encode([]) == "%5B%5D"


# The percent-encoder is a translate table (issue 15): the same output as
# urllib's quote with encodeURIComponent's safe characters, on any text.
_QUOTE_SAFE = "-_.!~*'()"


@settings(max_examples=400)
@given(st.text())
def test_percent_encode_is_quote_on_any_text(text: str) -> None:
    try:
        expected = quote(text, safe=_QUOTE_SAFE)
    except UnicodeEncodeError:  # a lone surrogate: no UTF-8 for it
        with pytest.raises(UnicodeEncodeError):
            percent_encode(text)
        return
    assert percent_encode(text) == expected


@settings(max_examples=200)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F)))
def test_percent_encode_is_quote_on_ascii(text: str) -> None:
    assert percent_encode(text) == quote(text, safe=_QUOTE_SAFE)


# The replace path (JSON punctuation and blanks the only bytes to escape)
# and the edges around it: a `%`, another escaped character, among them.
@settings(max_examples=300)
@given(st.text(alphabet="aZ09-_.!~*'()" + '"[]{}:, ' + "%/\t\n#"))
def test_percent_encode_is_quote_on_json_like_text(text: str) -> None:
    assert percent_encode(text) == quote(text, safe=_QUOTE_SAFE)


@settings(max_examples=200)
@given(
    st.lists(
        st.fixed_dictionaries(
            {"property": st.text(max_size=8), "value": st.text() | st.integers()},
            optional={"key": st.text(max_size=8)},
        ),
        max_size=5,
    )
)
def test_encode_is_quote_of_compact_json(filters: list[dict[str, object]]) -> None:
    compact = json.dumps(filters, ensure_ascii=False, separators=(",", ":"))
    assert encode(filters) == quote(compact, safe=_QUOTE_SAFE)


@pytest.mark.parametrize("ch", ["\ud800", "\udfff", "a\udc80b"])
def test_percent_encode_refuses_lone_surrogates_like_quote(ch: str) -> None:
    with pytest.raises(UnicodeEncodeError):
        quote(ch, safe=_QUOTE_SAFE)
    with pytest.raises(UnicodeEncodeError):
        percent_encode(ch)
