"""A hint or suggestion shows a value or a custom field as the user would
type it, written by the language's own quoting (`cqlang.parser.quote`, with
`value_text` and `custom_text` beside it), so that the text suggested,
pasted back, parses to the value meant. The checker used to quote by hand
(`checkvalues._quoted`, `checker._custom_text`): a character outside the
Basic Multilingual Plane that is not printable came out as `\\u` with five
hex digits (read back as four digits and a character), and a declared enum
value that is no plain word (`Lower Silesia`, `null`) was offered bare."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

import cqlang
from cqlang import ast
from cqlang.errors import SchemaError
from cqlang.parser import custom_text, quote, value_text
from cqlang.schema import DEFAULT_SCHEMA

texts = st.text(min_size=1, max_size=12).filter(lambda s: bool(s.strip()))
words = st.text(alphabet=st.sampled_from("abcNULnul_19 é-'\"\\"), min_size=1, max_size=6)


def _compare(text: str) -> ast.Compare:
    query = cqlang.parse(text)
    assert isinstance(query.expr, ast.Compare)
    return query.expr


@given(texts)
def test_the_helpers_round_trip(s: str) -> None:
    field = _compare(f"{custom_text(s)} = 1").field
    assert field.key == s
    value = _compare(f"custom.x = {quote(s)}").value
    assert isinstance(value, ast.Str) and value.value == s
    bare = _compare(f"custom.x = {value_text(s)}").value
    assert isinstance(bare, ast.Str) and bare.value == s


def _pasted(text: str, d: cqlang.Diagnostic) -> str:
    assert d.suggestion is not None
    return text[: d.start] + d.suggestion + text[d.end :]


@given(texts | st.sampled_from(["\U000e0001ab", "a\u200bb", "a\nb", "lead source"]))
def test_a_custom_keys_suggestion_parses_to_the_declared_key(key: str) -> None:
    try:
        schema = DEFAULT_SCHEMA.with_custom_fields({key: "string"})
    except SchemaError:
        assume(False)
    text = f"{custom_text(key + 'x')} = 1"
    (d,) = [d for d in cqlang.check(text, schema=schema) if d.code == "CQL102"]
    assert _compare(_pasted(text, d)).field.key == key
    assert d.hint == f"did you mean '{d.suggestion}'?"


@given(texts | words | st.sampled_from(["null", "Lower Silesia", "\U000e0001", "OPEN"]))
def test_an_enum_values_suggestion_parses_to_the_declared_value(value: str) -> None:
    try:
        schema = DEFAULT_SCHEMA.with_custom_fields({"f": {"type": "enum", "values": [value]}})
    except SchemaError:
        assume(False)
    typed = value + "x"
    forms = [quote(typed)] + ([typed] if value_text(typed) == typed else [])
    for form in forms:
        text = f"custom.f = {form}"
        found = [d for d in cqlang.check(text, schema=schema) if d.code == "CQL105"]
        assume(found)  # not close enough for a suggestion
        (d,) = found
        pasted = _pasted(text, d)
        assert cqlang.check(pasted, schema=schema) == [], pasted
        got = _compare(pasted).value
        assert isinstance(got, ast.Str) and got.value == value
        # The hint shows the text to type between its single quotes.
        assert d.hint == f"did you mean '{value_text(value)}'?"
