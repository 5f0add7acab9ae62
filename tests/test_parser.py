"""Text to AST: grammar, precedence, tokens, spans and syntax errors."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cqlang
from cqlang import ast
from cqlang.ast import And, Compare, DateTime, Field, In, Int, IsNull, Not, Or, Param, RelTime, Str


def expr(text: str) -> ast.Expr | None:
    return cqlang.parse(text).expr


def cmp(name: str, op: str, value: ast.Value) -> Compare:
    return Compare(Field(name), op, value)


P1 = cmp("priority", "=", Int(1, "1"))
P2 = cmp("priority", "=", Int(2, "2"))
P3 = cmp("priority", "=", Int(3, "3"))


def syntax_error(text: str) -> cqlang.Diagnostic:
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.parse(text)
    (diag,) = info.value.diagnostics
    assert diag.severity == "error"
    return diag


# ------------------------------------------------------------ precedence


def test_or_binds_loosest_and_tighter_not_tightest() -> None:
    assert expr("priority = 1 or priority = 2 and priority = 3") == Or((P1, And((P2, P3))))
    assert expr("priority = 1 and priority = 2 or priority = 3") == Or((And((P1, P2)), P3))
    assert expr("not priority = 1 and priority = 2") == And((Not(P1), P2))
    assert expr("not priority = 1 or priority = 2") == Or((Not(P1), P2))
    assert expr("not (priority = 1 or priority = 2)") == Not(Or((P1, P2)))


def test_parentheses_group_and_chains_are_flat() -> None:
    assert expr("(priority = 1 or priority = 2) and priority = 3") == And((Or((P1, P2)), P3))
    assert expr("priority = 1 or (priority = 2 or priority = 3)") == Or((P1, P2, P3))
    assert expr("((priority = 1))") == P1
    assert expr("not not priority = 1") == Not(Not(P1))
    chain = expr(" and ".join(["priority = 1"] * 50))
    assert isinstance(chain, And) and len(chain.items) == 50


@pytest.mark.parametrize(
    "text",
    [
        "priority = 1 AND priority = 2 OR NOT priority = 3",
        "priority = 1 And priority = 2 oR nOt priority = 3",
        "priority = 1 and priority = 2 or not priority = 3",
    ],
)
def test_keywords_are_case_insensitive(text: str) -> None:
    assert expr(text) == Or((And((P1, P2)), Not(P3)))


def test_more_keywords_in_any_case() -> None:
    assert expr("x IS NOT NULL") == expr("x is not null") == IsNull(Field("x"), True)
    assert expr("x NOT IN (1)") == In(Field("x"), (Int(1, "1"),), True)
    assert expr("x NOT BETWEEN 1 AND 2") == expr("x not between 1 and 2")
    # Units are not keywords: they keep their case (and `D` is no unit, as
    # the checker says).
    assert expr("x = NOW - 7d") == cmp("x", "=", RelTime("now", ((-7, "d"),)))
    assert expr("x = NOW - 7D") == cmp("x", "=", RelTime("now", ((-7, "D"),)))
    assert expr("x = Today") == cmp("x", "=", RelTime("today"))
    assert expr("x = YESTERDAY + 1w") == cmp("x", "=", RelTime("yesterday", ((1, "w"),)))
    assert expr("CUSTOM.region = 1") == cmp("custom", "=", Int(1, "1")).__class__(
        Field("custom", "region"), "=", Int(1, "1")
    )


# ------------------------------------------------------------ predicates


@pytest.mark.parametrize(
    ("text", "op"),
    [
        ("=", "="),
        ("==", "="),
        ("!=", "!="),
        ("<>", "!="),
        ("<", "<"),
        ("<=", "<="),
        (">", ">"),
        (">=", ">="),
    ],
)
def test_comparison_operators_are_canonical(text: str, op: str) -> None:
    assert expr(f"priority {text} 1") == cmp("priority", op, Int(1, "1"))
    assert expr(f"priority{text}1") == cmp("priority", op, Int(1, "1"))


def test_membership_range_nullness() -> None:
    assert expr("state in (OPEN, 'CLOSED')") == In(
        Field("state"), (Str("OPEN", False), Str("CLOSED"))
    )
    assert expr("state not in (OPEN)") == In(Field("state"), (Str("OPEN"),), True)
    assert expr("priority in $ids") == In(Field("priority"), Param("ids"))
    assert expr("priority not in $ids") == In(Field("priority"), Param("ids"), True)
    assert expr("priority in ()") == In(Field("priority"), ())
    assert expr("priority between 1 and 3") == ast.Between(
        Field("priority"), Int(1, "1"), Int(3, "3")
    )
    assert expr("priority not between -1 and $hi") == ast.Between(
        Field("priority"), Int(-1, "-1"), Param("hi"), True
    )
    assert expr("closed_date is null") == IsNull(Field("closed_date"))
    assert expr("closed_date is not null") == IsNull(Field("closed_date"), True)


def test_between_inside_an_and_chain() -> None:
    assert expr("priority between 1 and 3 and state = OPEN") == And(
        (
            ast.Between(Field("priority"), Int(1, "1"), Int(3, "3")),
            cmp("state", "=", Str("OPEN")),
        )
    )


def test_custom_fields() -> None:
    assert expr('custom.region = "PL"') == Compare(Field("custom", "region"), "=", Str("PL"))
    assert expr("custom[\"lead source\"] = 'web'") == Compare(
        Field("custom", "lead source"), "=", Str("web")
    )
    assert expr("custom['a\\'b'] is null") == IsNull(Field("custom", "a'b"))
    # Keys are case-sensitive and may spell keywords.
    assert expr("custom.Region = 1") != expr("custom.region = 1")
    for key in ("and", "not", "in", "null", "custom", "now"):
        assert expr(f"custom.{key} = 1") == Compare(Field("custom", key), "=", Int(1, "1"))


def test_property_names_keep_their_spelling_in_the_tree() -> None:
    # The checker normalises; the tree keeps what was typed.
    assert expr("PRIORITY = 1") == cmp("PRIORITY", "=", Int(1, "1"))


# ---------------------------------------------------------------- values


def test_integers_keep_their_digits() -> None:
    assert expr("contact_number = 0048123") == cmp("contact_number", "=", Int(48123, "0048123"))
    assert expr("priority = -5") == cmp("priority", "=", Int(-5, "-5"))
    big = "9" * 40
    value = expr(f"priority = {big}")
    assert isinstance(value, Compare) and isinstance(value.value, Int)
    assert value.value.text == big and abs(value.value.value) > 2**53


@pytest.mark.parametrize(
    "text",
    [
        "2021-08-10",
        "2021-08-10T14:30",
        "2021-08-10T14:30:05",
        "2021-08-10t14:30:05",
        "2021-08-10T14:30:05Z",
        "2021-08-10T14:30:05+02:00",
        "2021-08-10T14:30-0130",
        "2021-08-10Z",
    ],
)
def test_bare_datetimes_are_one_token(text: str) -> None:
    assert expr(f"created_date >= {text}") == cmp("created_date", ">=", DateTime(text))


def test_quoted_datetimes_are_strings_until_checked() -> None:
    assert expr('created_date = "2021-08-10 14:30"') == cmp(
        "created_date", "=", Str("2021-08-10 14:30")
    )


def test_relative_times() -> None:
    assert expr("x >= today - 7d") == cmp("x", ">=", RelTime("today", ((-7, "d"),)))
    assert expr("x >= now-90m+30s") == cmp("x", ">=", RelTime("now", ((-90, "m"), (30, "s"))))
    assert expr("x >= now - 1h - 2w") == cmp("x", ">=", RelTime("now", ((-1, "h"), (-2, "w"))))
    # A word that only starts like a keyword is a word.
    assert expr("x = nowhere") == cmp("x", "=", Str("nowhere", False))
    assert expr("x = todays") == cmp("x", "=", Str("todays", False))


def test_parameters() -> None:
    assert expr("priority = $p") == cmp("priority", "=", Param("p"))
    assert expr("priority = $P_2") == cmp("priority", "=", Param("P_2"))


def test_bare_words_that_spell_keywords_are_words_where_a_value_goes() -> None:
    assert expr("dialing_method = and") == cmp("dialing_method", "=", Str("and", False))
    assert expr("state in (OR, IN)") == In(Field("state"), (Str("OR", False), Str("IN", False)))


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"a\\b"', "a\\b"),
        (r'"a\"b"', 'a"b'),
        (r"'a\'b'", "a'b"),
        (r'"a\'b"', "a'b"),
        (r"'a\"b'", 'a"b'),
        (r'"a\nb"', "a\nb"),
        (r'"a\tb"', "a\tb"),
        (r'"\u0105\u00F3"', "ąó"),
        (r'"\u0041BC"', "ABC"),
        ('"zażółć 😀"', "zażółć 😀"),
        ("''", ""),
        ('"it\'s"', "it's"),
        ("'say \"hi\"'", 'say "hi"'),
        ('"#not a comment"', "#not a comment"),
    ],
)
def test_string_escapes(literal: str, value: str) -> None:
    assert expr(f"close_reason = {literal}") == cmp("close_reason", "=", Str(value))


@pytest.mark.parametrize(
    ("literal", "message"),
    [(r'"\q"', "unknown escape"), (r'"\u12"', "four hex digits"), (r'"\uZZZZ"', "four hex")],
)
def test_bad_escapes_are_cql005(literal: str, message: str) -> None:
    text = f"close_reason = {literal}"
    diag = syntax_error(text)
    assert diag.code == "CQL005"
    assert message in diag.message
    assert text[diag.start : diag.end].startswith("\\")


# -------------------------------------------------------------- comments


def test_comments_run_to_the_end_of_the_line() -> None:
    text = "# saved query\nstate = OPEN # the open ones\n  and priority > 1 # high\n"
    assert expr(text) == And((cmp("state", "=", Str("OPEN")), cmp("priority", ">", Int(1, "1"))))
    assert expr("# only a comment") is None
    assert expr("") is None
    assert expr("  \n\t  ") is None


def test_comment_swallows_the_rest_of_its_line_only() -> None:
    assert expr("priority = 1 # or priority = 2") == P1


# ----------------------------------------------------------------- spans


def test_spans_are_zero_based_and_end_exclusive() -> None:
    text = "state = OPEN and  priority >= 3"
    tree = expr(text)
    assert isinstance(tree, And)
    first, second = tree.items
    assert isinstance(first, Compare) and isinstance(second, Compare)
    assert text[first.start : first.end] == "state = OPEN"
    assert text[second.start : second.end] == "priority >= 3"
    assert text[second.field.start : second.field.end] == "priority"
    assert text[second.value.start : second.value.end] == "3"
    assert (tree.start, tree.end) == (0, len(text))


def test_spans_of_other_nodes() -> None:
    text = "not custom[\"a b\"] in ('x', y) or closed_date is not null"
    tree = expr(text)
    assert isinstance(tree, Or)
    neg, null = tree.items
    assert isinstance(neg, Not) and isinstance(neg.expr, In)
    assert text[neg.start : neg.end] == "not custom[\"a b\"] in ('x', y)"
    assert text[neg.expr.field.start : neg.expr.field.end] == 'custom["a b"]'
    assert text[null.start : null.end] == "closed_date is not null"


def test_trees_are_equal_whatever_the_spacing() -> None:
    assert cqlang.parse("state=OPEN and priority>=3") == cqlang.parse(
        "  state  =  OPEN\n AND priority >= 3  # x"
    )


def test_parse_returns_a_query_with_the_text() -> None:
    query = cqlang.parse("state = OPEN")
    assert isinstance(query, ast.Query)
    assert query.text == "state = OPEN"


def test_parse_rejects_non_strings() -> None:
    with pytest.raises(TypeError):
        cqlang.parse(b"state = OPEN")  # type: ignore[arg-type]


# ---------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("text", "code", "at", "expected"),
    [
        ("state = OPEN or", "CQL004", 15, ["'(', ", "'not'", "a name"]),
        ("(state = OPEN", "CQL004", 13, ["')'"]),
        ("state = OPEN)", "CQL001", 12, ["'and'", "'or'", "the end of the query"]),
        ("state === OPEN", "CQL001", 8, ["a quoted string", "an integer"]),
        ("state OPEN", "CQL001", 6, ["a comparison operator", "'in'", "'is'"]),
        ("priority in (1, 2", "CQL004", 17, ["')'", "','"]),
        ("priority in 1", "CQL001", 12, ["'('", "a parameter"]),
        ("x is 1", "CQL001", 5, ["'null'", "'not'"]),
        ("x between 1", "CQL004", 11, ["'and'"]),
        ("x = now - 7", "CQL001", 10, ["a duration"]),
        ("x = 1.5", "CQL001", 5, ["'and'", "'or'"]),
        ("custom. = 1", "CQL001", 8, ["a name"]),
        ("custom[region] = 1", "CQL001", 7, ["a quoted string"]),
        ("= 1", "CQL001", 0, ["a name", "'not'", "'('"]),
        ("and x = 1", "CQL001", 4, ["a comparison operator"]),  # `and` is a name here
        ("x = 1 x = 2", "CQL001", 6, ["'and'", "'or'"]),
    ],
)
def test_syntax_errors_say_what_was_expected(
    text: str, code: str, at: int, expected: list[str]
) -> None:
    diag = syntax_error(text)
    assert diag.code == code
    assert diag.start == at, (diag, text[diag.start :])
    assert diag.hint is not None and diag.hint.startswith(("expected", "did you mean"))
    for word in expected:
        assert word in diag.hint, (word, diag.hint)


def test_unterminated_string() -> None:
    diag = syntax_error("close_reason = 'done")
    assert diag.code == "CQL003"
    assert diag.start == 15 and diag.end == 16
    assert "closing '" in (diag.hint or "")
    assert syntax_error('custom["a] = 1').code == "CQL003"


@pytest.mark.parametrize("ch", ["%", "&", "^", "~", "`", "|", "\\", "{", "ą", "😀"])
def test_unexpected_character(ch: str) -> None:
    text = f"priority = 1 {ch} state = OPEN"
    diag = syntax_error(text)
    assert diag.code == "CQL002"
    assert (diag.start, diag.end) == (13, 14)
    assert repr(ch) in diag.message


def test_misspelt_keyword_gets_a_suggestion() -> None:
    diag = syntax_error("state = OPEN adn priority > 3")
    assert diag.code == "CQL001"
    assert "did you mean 'and'" in (diag.hint or "")
    diag = syntax_error("closed_date iss null")
    assert "did you mean 'is'" in (diag.hint or "")
    diag = syntax_error("priority betwen 1 and 3")
    assert "did you mean 'between'" in (diag.hint or "")


def test_keywords_run_together_get_split() -> None:
    assert "did you mean 'not in'" in (syntax_error("state notin (OPEN)").hint or "")
    assert "did you mean 'is null'" in (syntax_error("closed_date isnull").hint or "")
    assert "did you mean 'is not'" in (syntax_error("closed_date isnot null").hint or "")


def test_syntax_error_location_on_a_later_line() -> None:
    text = "state = OPEN\n  and priority >\n"
    diag = syntax_error(text)
    assert diag.code == "CQL004"
    assert diag.line == 2
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.parse(text)
    rendered = str(info.value)
    assert "error[CQL004]" in rendered and "2 |" in rendered


def test_syntax_errors_are_cql_errors_with_rendering() -> None:
    with pytest.raises(cqlang.CqlError) as info:
        cqlang.parse("state = OPEN or")
    assert isinstance(info.value, cqlang.CqlSyntaxError)
    assert "error[CQL004]" in str(info.value)
    assert "1 | state = OPEN or" in str(info.value)


def test_surrogate_pair_escapes_are_one_character() -> None:
    assert expr(r'close_reason = "\ud83d\ude00"') == cmp("close_reason", "=", Str("😀"))
    assert expr(r"close_reason = '\uD83D\uDE00!'") == cmp("close_reason", "=", Str("😀!"))


@pytest.mark.parametrize(
    "literal", [r'"\ud800"', r'"\ude00"', r'"\ud83dx"', r'"\ud83d\u0041"', r'"\ude00\ud83d"']
)
def test_lone_surrogate_escapes_are_cql005(literal: str) -> None:
    text = f"close_reason = {literal}"
    diag = syntax_error(text)
    assert diag.code == "CQL005"
    assert text[diag.start : diag.end].startswith("\\u")
    assert diag.end - diag.start == 6


def test_surrogates_in_the_text_are_refused() -> None:
    # What Python makes of undecodable bytes on a command line.
    text = 'close_reason = "a\udcffb"'
    diag = syntax_error(text)
    assert diag.code == "CQL002"
    assert diag.start == 17


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("ab é😀\ud800\udbff\udc00\udcff\udfff"), max_size=12))
def test_the_first_surrogate_is_found_as_by_its_range(text: str) -> None:
    from cqlang.parser import _first_surrogate

    bad = re.search("[\ud800-\udfff]", text)
    assert _first_surrogate(text) == (bad.start() if bad else -1)


def test_a_comment_is_never_split_into_tokens() -> None:
    # When what follows a comment cannot be lexed, the error is there: the
    # lexer does not take the comment back to find tokens inside it.
    diag = syntax_error("state = OPEN # note\n ^")
    assert (diag.code, diag.start) == ("CQL002", 21)
    assert "'and'" in (diag.hint or "")
    diag = syntax_error('x = 1 #c\n"open')
    assert (diag.code, diag.start) == ("CQL003", 9)


# --------------------------------------- durations written together (7d12h)


@pytest.mark.parametrize(
    ("text", "span", "fix"),
    [
        ("created_date >= now - 7d12h", "7d12h", "7d - 12h"),
        ("created_date >= today + 1d2h30m and state = OPEN", "1d2h30m", "1d + 2h + 30m"),
        ("created_date between now - 1w2d and now", "1w2d", "1w - 2d"),
        # The sign is the token before, not the last character: here a comment's.
        ("created_date < now + # later\n 1h30m", "1h30m", "1h + 30m"),
        ("created_date < now -\n# a comment ending in +\n2d3h", "2d3h", "2d - 3h"),
    ],
)
def test_durations_written_together_are_named_with_the_fix(text: str, span: str, fix: str) -> None:
    from cqlang.checker import check_text

    (d,) = check_text(text).diagnostics
    assert d.code == "CQL001"
    assert text[d.start : d.end] == span
    assert d.suggestion == fix
    assert fix in (d.hint or "")
    fixed = text[: d.start] + fix + text[d.end :]
    assert check_text(fixed).ok


def test_a_word_after_a_duration_is_still_unexpected() -> None:
    from cqlang.checker import check_text

    (d,) = check_text("created_date >= now - 7d 12h").diagnostics
    assert d.code == "CQL001" and d.message == "unexpected '12'"


@pytest.mark.parametrize("text", ["created_date > now - 7D12H", "created_date > now - 7d12x"])
def test_durations_written_together_with_a_unit_that_is_none_get_no_fix(text: str) -> None:
    """A fix that would itself be wrong (CQL118) is not offered."""
    from cqlang.checker import check_text

    (d,) = check_text(text).diagnostics
    assert d.code == "CQL001" and "durations written together" in d.message
    assert d.suggestion is None
    assert "one of s, m, h, d, w, mo, y" in (d.hint or "")


@pytest.mark.parametrize(
    ("value", "message", "hint"),
    [
        ("now - 7d12h", "'7d12h' is 2 durations written together", "write 'now - 7d - 12h'"),
        ("today + 1d2h30m", "'1d2h30m' is 3 durations", "write 'today + 1d + 2h + 30m'"),
        ("now - 7D12H", "'7D12H' is 2 durations written together", "one of s, m, h, d, w"),
        ("now minus 7d", '"now minus 7d" is not a relative time', "as in 'today - 7d'"),
    ],
)
def test_a_parameter_with_durations_written_together_is_told_so(
    value: str, message: str, hint: str
) -> None:
    """The same mistake in a value (--param, a named query's params, the
    REPL's \\param: cqlang.timeexpr.parse_time_value) gets its own words."""
    from datetime import datetime

    (d,) = cqlang.check("created_date > $s", params={"s": value}, now=datetime(2026, 11, 28, 12))
    assert d.code == "CQL113" and message in d.message, d
    assert hint in (d.hint or ""), d
