"""The Pygments lexer (cqlang.highlight.CqlangLexer)."""

from __future__ import annotations

import pygments
import pygments.lexers
import pytest
from pygments.formatters import NullFormatter
from pygments.token import Error, Keyword, Literal, Name, Number, Operator, String

from cqlang.highlight import CqlangLexer

EXAMPLES = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    "created_date >= today - 7d and state != CLOSED",
    "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'",
    "created_date = 2021-08-10 and assigned_tenant_user_id in (12, 14)",
    "closed_date is not null and @hot or priority in $levels  # a comment",
    'custom.note = "tab\\there \\u0041" and created_date > "2021-08-10 14:30"',
]


def tokens(text: str) -> list[tuple[object, str]]:
    return [(t, v) for t, v in CqlangLexer().get_tokens(text) if v.strip()]


def test_registered_with_pygments() -> None:
    lexer = pygments.lexers.get_lexer_by_name("cqlang")
    assert isinstance(lexer, CqlangLexer)
    assert pygments.lexers.find_lexer_class_by_name("cqlang") is CqlangLexer


def test_token_types() -> None:
    got = dict(
        (v, t) for t, v in tokens('STATE in (open) AND priority >= 3 and custom.region = "PL"')
    )
    assert got["STATE"] is Name.Attribute
    assert got["in"] is Keyword and got["AND"] is Keyword
    assert got["open"] is Name.Constant
    assert got[">="] is Operator
    assert got["3"] is Number.Integer
    assert got["custom"] is Name.Builtin and got["region"] is Name.Attribute
    assert got['"'] is String.Double


def test_values_and_references() -> None:
    got = dict(
        (v, t)
        for t, v in tokens("created_date > 2021-08-10T10:00Z and x < now - 90m and $p and @q")
    )
    assert got["2021-08-10T10:00Z"] is Literal.Date
    assert got["now"] is Keyword.Constant
    assert got["90m"] is Number
    assert got["$p"] is Name.Variable
    assert got["@q"] is Name.Label
    assert got["x"] is Name


def test_durations_know_the_units_in_lower_case_only() -> None:
    got = dict((v, t) for t, v in tokens("x < now - 1mo + 2y - 3d and y > today - 1M - 5min"))
    assert got["1mo"] is Number and got["2y"] is Number and got["3d"] is Number
    assert got["1M"] is Error and got["5min"] is Error


@pytest.mark.parametrize("text", EXAMPLES)
def test_valid_queries_have_no_error_tokens(text: str) -> None:
    toks = list(CqlangLexer().get_tokens(text))
    assert all(t is not Error for t, _ in toks)
    assert "".join(v for _, v in toks) == text + "\n"


def test_escapes_and_errors() -> None:
    toks = tokens('x = "a\\"b" and y = "bad \\q" and z ! 1')
    assert (String.Escape, '\\"') in toks
    assert (Error, "\\q") in toks
    assert (Error, "!") in toks


def test_meta_command_line() -> None:
    toks = tokens("\\fetch 10")
    assert toks[0] == (Keyword.Pseudo, "\\fetch")


def test_pygments_highlight_never_fails_on_garbage() -> None:
    out = pygments.highlight("state = \"open\n\x00 ~~ ''' ", CqlangLexer(), NullFormatter())
    assert "state" in out
