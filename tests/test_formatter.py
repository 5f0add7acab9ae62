"""The canonical text of a query (cqlang fmt) and of checked IR."""

from __future__ import annotations

import pytest

import cqlang
from cqlang.checker import check_text
from cqlang.env import Env
from cqlang.formatter import format_ir, quote
from cqlang.schema import DEFAULT_SCHEMA


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("STATE=open AND (priority>=3)", "STATE = open and priority >= 3"),
        ("x == 1 and y <> 2", "x = 1 and y != 2"),
        ("x=1 or (y=2 and (z=3 or w=4))", "x = 1 or y = 2 and (z = 3 or w = 4)"),
        ("(a = 1 or b = 2) and c = 3", "(a = 1 or b = 2) and c = 3"),
        ("a = 1 and (b = 2 and c = 3)", "a = 1 and b = 2 and c = 3"),
        ("a = 1 or (b = 2 or c = 3)", "a = 1 or b = 2 or c = 3"),
        ("not (a=1 and b=2)", "not (a = 1 and b = 2)"),
        ("not (not a = 1)", "not not a = 1"),
        ("not (a = 1)", "not a = 1"),
        ("NOT a IS NOT NULL", "not a is not null"),
        ("dialing_method = PREDICTIVE", 'dialing_method = "PREDICTIVE"'),
        ("state = open", "state = open"),
        ("state in (OPEN ,closed)", "state in (OPEN, closed)"),
        ("close_reason in (a, B)", 'close_reason in ("a", "B")'),
        ('custom["a"] = 1', "custom.a = 1"),
        ("custom['a b'] = 'x\\'y'", 'custom["a b"] = "x\'y"'),
        ('custom["a\\"b"] = x', 'custom["a\\"b"] = "x"'),
        ("created_date >= today-7d", "created_date >= today - 7d"),
        ("created_date >= NOW +1h- 30m", "created_date >= now + 1h - 30m"),
        ("created_date >= today-1mo+2y", "created_date >= today - 1mo + 2y"),
        # A unit that is not one is kept as written: `M` never becomes `m`.
        ("created_date >= now - 30M", "created_date >= now - 30M"),
        ("created_date between 2021-08-10 and '2021-08-11 10:00'",
         'created_date between 2021-08-10 and "2021-08-11 10:00"'),
        ("created_date = 2021-08-10t14:30Z", "created_date = 2021-08-10t14:30Z"),
        ("contact_number = 0048123", "contact_number = 0048123"),
        ("priority in ( 1 ,2 )", "priority in (1, 2)"),
        ("priority not in $ids", "priority not in $ids"),
        ("priority = $p", "priority = $p"),
        ("@hot and x = 1", "@hot and x = 1"),
        ("x = null", "x = null"),
        ("# saved\nstate = OPEN # open ones\n", "# saved\nstate = OPEN  # open ones"),
        ("", ""),
        ("  # only a comment", "# only a comment"),
    ],
)  # fmt: skip
def test_canonical_form(text: str, canonical: str) -> None:
    assert cqlang.format(text) == canonical
    assert cqlang.format(canonical) == canonical
    assert cqlang.parse(canonical) == cqlang.parse(text)


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("plain", '"plain"'),
        ('a"b', '"a\\"b"'),
        ("a\\b", '"a\\\\b"'),
        ("a\nb", '"a\\nb"'),
        ("a\tb", '"a\\tb"'),
        ("\x00\x1f\x7f", '"\\u0000\\u001f\\u007f"'),
        ("\u2028", '"\\u2028"'),
        ("zażółć 😀", '"zażółć 😀"'),
        ("it's", '"it\'s"'),
    ],
)
def test_quote(value: str, literal: str) -> None:
    assert quote(value) == literal
    parsed = cqlang.parse(f"close_reason = {literal}").expr
    assert parsed is not None and parsed.value.value == value  # type: ignore[union-attr]


def test_bare_words_are_quoted_except_enum_values() -> None:
    assert cqlang.format("state = OPEN and dialing_method = manual") == (
        'state = OPEN and dialing_method = "manual"'
    )
    schema = DEFAULT_SCHEMA.with_custom_fields({"tier": {"type": "enum", "values": ["gold"]}})
    assert cqlang.format("custom.tier = gold", schema=schema) == "custom.tier = gold"
    assert cqlang.format("custom.tier = gold") == 'custom.tier = "gold"'


def test_format_raises_syntax_errors() -> None:
    with pytest.raises(cqlang.CqlSyntaxError):
        cqlang.format("state = OPEN or")


def test_format_of_deep_and_long_queries() -> None:
    long = " OR ".join(f"priority = {i}" for i in range(10_000))
    assert cqlang.format(long) == long.replace(" OR ", "\nor ")
    assert cqlang.format(long, width=10**6) == long.replace(" OR ", " or ")
    deep = "(" * 95 + "a = 1" + ")" * 95
    assert cqlang.format(deep) == "a = 1"
    nots = "not " * 95 + "a = 1"
    assert cqlang.format(nots) == nots


# ------------------------------------------------------------------- IR


@pytest.mark.parametrize(
    ("text", "out"),
    [
        ("state in (open, closed)", "state in (OPEN, CLOSED)"),
        ("state = open", "state = OPEN"),
        ("priority >= 3 and custom.region != PL", 'priority >= 3 and custom.region != "PL"'),
        ("created_date >= 2021-08-10", "created_date >= 2021-08-10T00:00:00Z"),
        ("closed_date is null or contact_number = 048",
         'closed_date is null or contact_number = "048"'),
        ("not (priority = 1 or priority = 2)", "not (priority = 1 or priority = 2)"),
        ("custom['lead source'] not in (a, b)", 'custom["lead source"] not in ("a", "b")'),
        ("", ""),
    ],
)  # fmt: skip
def test_format_ir(text: str, out: str) -> None:
    checked = check_text(text)
    assert checked.ir is not None
    written = format_ir(checked.ir)
    assert written == out
    again = check_text(written, Env(tz="Asia/Tokyo"))  # zone-independent
    assert again.ir == checked.ir
