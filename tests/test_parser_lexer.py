"""The one-pass lexer in cqlang/parser/lexer.py must read text exactly as Lark's
contextual lexer reads the grammar: same trees, same accepted texts."""

from __future__ import annotations

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqlang import parser

CORPUS = [
    'state in (OPEN, CLOSED) and priority >= 3 and custom.region = "PL"',
    "application_state = RETRY and contact_try < 5",
    "created_date >= today - 7d and state != CLOSED",
    "not (priority between 1 and 3) or custom[\"lead source\"] = 'web'",
    "created_date = 2021-08-10 and assigned_tenant_user_id in (12, 14)",
    "x = now-7d",
    "x = now -90m + 1h",
    "x = -5 and y = 5",
    "custom.and = 1",
    "custom.now = today",
    "a = 2021-08-10T14:30:05+02:00 # comment\n and b is not null",
    "x = 7d",
    "x = 2021-08-10x",
    "x in $list and y not in () and @name",
    "NOT x IS NULL OR y Between 1 AnD 2",
    "x = yesterday+1w-3s",
    "in = 1",
    "x = and",
    "x == 1 and y <> 2",
    "",
    "   # only a comment",
    'x = "a\\"b"',
]


class _FromLarkTokens:
    """The parser's rule callbacks, handed Lark's tokens as the tuples
    ``(terminal, text, start, end)`` that cqlang's driver gives them."""

    def __init__(self) -> None:
        self.builder = parser._Builder()

    def __getattr__(self, name: str) -> object:
        callback = getattr(self.builder, name)

        def call(children: list[object]) -> object:
            return callback(
                [
                    (t.type, str(t), t.start_pos, t.end_pos) if isinstance(t, lark.Token) else t
                    for t in children
                ]
            )

        return call


@pytest.fixture(scope="module")
def reference() -> lark.Lark:
    return lark.Lark(
        parser.grammar_text(),
        parser="lalr",
        lexer="contextual",
        transformer=_FromLarkTokens(),
        maybe_placeholders=False,
    )


def outcome(p: lark.Lark, text: str) -> object:
    try:
        return ("ok", p.parse(text))
    except (lark.exceptions.UnexpectedInput, parser._EscapeError):
        return ("error",)


def ours(text: str) -> object:
    query, _ = parser.parse_diagnostics(text)
    return ("ok", query.expr) if query is not None else ("error",)


@pytest.mark.parametrize("text", CORPUS)
def test_same_reading_as_lark(reference: lark.Lark, text: str) -> None:
    assert ours(text) == outcome(reference, text)


PIECES = st.sampled_from(
    [
        "x",
        "state",
        "custom",
        ".",
        "[",
        "]",
        "(",
        ")",
        ",",
        "=",
        "!=",
        "<",
        ">=",
        "and",
        "or",
        "not",
        "in",
        "between",
        "is",
        "null",
        "now",
        "today",
        "-",
        "+",
        "7d",
        "90m",
        "5",
        "-5",
        "2021-08-10",
        "2021-08-10T10:00Z",
        '"s"',
        "'t'",
        "$p",
        "@q",
        " ",
        "  ",
        "\n",
        "#c\n",
        "OPEN",
    ]
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=12).map(" ".join))
def test_random_token_soup(reference: lark.Lark, text: str) -> None:
    assert ours(text) == outcome(reference, text)


# --------------------------------------------------- syntax errors, tables


def lark_error(p: lark.Lark, text: str) -> object:
    """Where Lark's parser stops, and what its interactive parser accepts
    just before the token it stops at (before any reduction that token
    triggers)."""
    try:
        p.parse(text)
    except lark.exceptions.UnexpectedToken as exc:
        pos = len(text) if exc.token.type == "$END" else exc.token.start_pos
    except (lark.exceptions.UnexpectedInput, parser._EscapeError):
        return "other"
    else:
        return None
    ip = p.parse_interactive(text)
    try:
        for tok in ip.iter_parse():  # each token is fed after this body
            if tok.start_pos == pos:
                break
    except lark.exceptions.UnexpectedToken:
        pass  # Lark's contextual lexer refused the token itself: not yet fed
    return pos, frozenset(ip.accepts())


def our_error(text: str) -> object:
    query, diags = parser.parse_diagnostics(text)
    if query is not None:
        return None
    d = diags[0]
    if d.code not in ("CQL001", "CQL004"):
        return "other"
    p = parser._parser()
    return d.start if d.code == "CQL001" else len(text), frozenset(
        p.accepts(p.stack_before(text, d.start if d.code == "CQL001" else len(text)))
    )


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(PIECES, max_size=12).map(" ".join))
def test_syntax_errors_stop_where_lark_stops(reference: lark.Lark, text: str) -> None:
    # The driver's error position and "expected ..." set are Lark's own.
    assert our_error(text) == lark_error(reference, text)


@pytest.mark.parametrize("text", CORPUS)
def test_syntax_errors_of_the_corpus(reference: lark.Lark, text: str) -> None:
    for cut in range(len(text) + 1):
        assert our_error(text[:cut]) == lark_error(reference, text[:cut]), text[:cut]


def test_generated_table_module_parses_the_same() -> None:
    # What the wheel's build hook writes (hatch_build.py calls
    # module_source) is what an editable install computes at run time.
    from cqlang import _tablegen

    namespace: dict[str, object] = {}
    exec(_tablegen.module_source(parser.grammar_text()), namespace)
    built = parser._Parser(namespace, parser._Builder(), "generated")
    live = parser._parser()
    assert namespace["STATES"] == live.states and namespace["END"] == live.end
    for text in CORPUS:
        try:
            result: object = built.parse(text)
        except (parser._ParseError, parser._LexError, parser._EscapeError) as exc:
            result = type(exc)
        assert result == outcome_of(live, text)


def outcome_of(p: parser._Parser, text: str) -> object:
    try:
        return p.parse(text)
    except (parser._ParseError, parser._LexError, parser._EscapeError) as exc:
        return type(exc)
