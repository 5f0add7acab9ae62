"""The parser's fast path (cqlang/parser/simple.py) against the LALR driver.

For a chain of simple predicates (with `not` and parentheses) the fast
path must build exactly the tree the driver builds (node types, values,
spans, quoting); for anything else
it must decline (``None``), so that the driver, and its errors, decide. And
nothing downstream may tell the two apart: the checker's result, the plan,
the compiled filter list and its encoding are the same with the fast path
turned off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import strategies as S
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import cqlang
import cqlang.api
import cqlang.parser as parser_pkg
from cqlang import ast
from cqlang.checker import check_text
from cqlang.env import Env
from cqlang.errors import CqlError
from cqlang.parser.lexer import _EscapeError, _LexError
from cqlang.parser.simple import parse_simple

SETTINGS = settings(
    max_examples=S.examples(500),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def driver(text: str) -> ast.Expr | str | None:
    """What the LALR driver makes of ``text``: its expression, or "error"."""
    try:
        return parser_pkg._parser().parse(text)  # type: ignore[no-any-return]
    except (_EscapeError, _LexError, parser_pkg._ParseError):
        return "error"


@contextmanager
def lalr_only() -> Iterator[None]:
    """The LALR driver alone, for the length of the block; no cached parse
    or plan carried over either way."""
    cqlang.api._cache.clear()
    parser_pkg._parse_cached.cache_clear()
    parser_pkg._FAST_PATH = False
    try:
        yield
    finally:
        parser_pkg._FAST_PATH = True
        cqlang.api._cache.clear()
        parser_pkg._parse_cached.cache_clear()


def same_tree(a: object, b: object) -> bool:
    """Equal, and equal in every field the equality leaves out (spans,
    quoting): the reprs name every field."""
    return type(a) is type(b) and a == b and repr(a) == repr(b)


# ------------------------------------------------------------ generation

_WORDS = ("x", "foo_bar", "_p1", "Priority", "STATE", "nowhere", "andy", "order", "isx", "nulls")
_FIELD_NAMES = st.one_of(
    st.sampled_from(tuple(S.PROPERTY_KIND)).flatmap(S.cased), st.sampled_from(_WORDS)
)
# Keys of custom.KEY: any identifier, keywords included (after the dot a
# keyword is a plain word).
_DOTTED_KEYS = st.one_of(
    st.sampled_from(("region", "k2", "and", "or", "not", "in", "is", "null", "now", "custom")),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,6}", fullmatch=True),
)
_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8
)  # any character a string may hold, escapes made by quote_literal
_ENUM_WORDS = ("OPEN", "PROCESSING", "CLOSED", "NEW", "PREDICTIVE", "manual", "Ordered", "x_1")


def _blank(draw: st.DrawFn, required: bool) -> str:
    """What may separate two tokens: blanks, newlines, comments; nothing
    where two tokens need no separation."""
    options = [" ", " ", "  ", "\n", "\t", "\r\n", "\f", " # note, and (\n", "\t#\n", " #\t é\n  "]
    if not required:
        options += ["", ""]
    return S.pick(draw, options)


@st.composite
def literals(draw: st.DrawFn) -> str:
    kind = S.pick(draw, ["str", "int", "bigint", "date", "word", "param", "reltime"])
    if kind == "str":
        return S.quote_literal(draw, draw(_TEXT))
    if kind == "int":
        value = draw(st.integers(-(10**6), 10**6))
        if value >= 0 and draw(st.booleans()):
            return f"{value:05d}"
        return str(value)
    if kind == "bigint":
        return str(draw(st.integers(-(10**40), 10**40).filter(lambda v: abs(v) > 10**12)))
    if kind == "date":
        return S.pick(draw, (*S.BARE_DATETIMES, "2021-08-10T14:30-01:00", "2021-08-10T14:30+0200"))
    if kind == "word":
        return draw(S.cased(S.pick(draw, _ENUM_WORDS)))
    if kind == "param":
        return "$" + S.pick(draw, ("p", "list", "P_2"))
    base = draw(S.cased(S.pick(draw, ("now", "today", "yesterday"))))
    shifts = draw(st.lists(st.tuples(st.sampled_from("+-"), _DURATIONS), max_size=3))
    return base + "".join(
        f"{_blank(draw, False)}{sign}{_blank(draw, False)}{amount}" for sign, amount in shifts
    )


# A shift's amount and unit: the units the checker knows, in any case, and
# others (the checker names them); amounts up to past the longest kept.
_DURATIONS = st.tuples(
    st.one_of(st.integers(0, 1000), st.integers(10**29, 10**32)),
    st.sampled_from(("s", "m", "h", "d", "w", "mo", "y", "D", "M", "days", "x")),
).map(lambda pair: f"{pair[0]}{pair[1]}")


@st.composite
def fields(draw: st.DrawFn) -> str:
    shape = S.pick(draw, ["prop", "prop", "dotted", "bracketed"])
    if shape == "prop":
        return draw(_FIELD_NAMES)
    custom = draw(S.cased("custom"))
    if shape == "dotted":
        return f"{custom}{_blank(draw, False)}.{_blank(draw, False)}{draw(_DOTTED_KEYS)}"
    key = S.quote_literal(draw, draw(_TEXT))
    return f"{custom}{_blank(draw, False)}[{_blank(draw, False)}{key}{_blank(draw, False)}]"


@st.composite
def simple_predicates(draw: st.DrawFn) -> str:
    field = draw(fields())
    shape = S.pick(draw, ["cmp", "cmp", "in", "in_param", "between", "null"])
    kw = lambda word: draw(S.cased(word))  # noqa: E731
    gap = lambda: _blank(draw, True)  # noqa: E731
    maybe = lambda: _blank(draw, False)  # noqa: E731
    neg = (kw("not") + gap()) if draw(st.booleans()) else ""
    if shape == "cmp":
        op = S.pick(draw, ["=", "==", "!=", "<>", "<", "<=", ">", ">="])
        return f"{field}{maybe()}{op}{maybe()}{draw(literals())}"
    if shape == "in":
        values = draw(st.lists(literals(), min_size=1, max_size=4))
        inner = "".join((f"{maybe()},{maybe()}" if i else "") + v for i, v in enumerate(values))
        return f"{field}{gap()}{neg}{kw('in')}{maybe()}({maybe()}{inner}{maybe()})"
    if shape == "in_param":
        return f"{field}{gap()}{neg}{kw('in')}{maybe()}${S.pick(draw, ('p', 'regions'))}"
    if shape == "between":
        low, high = draw(literals()), draw(literals())
        return f"{field}{gap()}{neg}{kw('between')}{gap()}{low}{gap()}{kw('and')}{gap()}{high}"
    isnot = (kw("not") + gap()) if draw(st.booleans()) else ""
    return f"{field}{gap()}{kw('is')}{gap()}{isnot}{kw('null')}"


@st.composite
def operands(draw: st.DrawFn, depth: int) -> str:
    """A predicate or a parenthesised chain, perhaps after `not`s."""
    nots = draw(st.integers(0, 2))
    prefix = "".join(draw(S.cased("not")) + _blank(draw, True) for _ in range(nots))
    if S.pick(draw, range(12)) == 0:
        return prefix + "@" + S.pick(draw, ("hot", "Hot_2", "_q", "and"))
    if depth < 3 and S.pick(draw, range(4)) == 0:
        inner = draw(chains(depth + 1))
        return f"{prefix}({_blank(draw, False)}{inner}{_blank(draw, False)})"
    return prefix + draw(simple_predicates())


@st.composite
def chains(draw: st.DrawFn, depth: int = 0) -> str:
    """Operands joined by `and` and `or` (any case)."""
    items = draw(st.lists(operands(depth), min_size=1, max_size=5 if depth == 0 else 3))
    out = []
    for i, item in enumerate(items):
        if i:
            out.append(_blank(draw, True) + draw(S.cased(S.pick(draw, ["and", "or"]))))
            out.append(_blank(draw, True))
        out.append(item)
    return "".join(out)


@st.composite
def simple_chains(draw: st.DrawFn) -> str:
    """Simple predicates joined by `and` and `or` (any case), with `not`
    and parentheses, with blanks, newlines and comments between tokens:
    what the fast path must read."""
    lead = _blank(draw, False) if draw(st.booleans()) else ""
    tail = _blank(draw, False) if draw(st.booleans()) else ""
    return lead + draw(chains()) + tail


# Pieces that come near the fast path's edges: keywords where fields and
# values go, numbers run into words, relative times, parentheses, `not`.
_PIECES = st.sampled_from(
    [
        "x",
        "state",
        "custom",
        "Custom",
        ".",
        "[",
        "]",
        "(",
        ")",
        ",",
        "=",
        "==",
        "!=",
        "<>",
        "<",
        ">=",
        "and",
        "AND",
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
        "5and",
        "5",
        "-5",
        "007",
        "2021-08-10",
        "2021-08-10T10:00Z",
        "2021-08-10T10:00:00x",
        '"s"',
        "'t'",
        '"a\\"b"',
        '"\\q"',
        '"\\ud800"',
        "$p",
        "@q",
        " ",
        "\n",
        "#c\n",
        "OPEN",
        "OPENand",
        "\u0131n",
        "i\u017f",
        "cu\u017ftom",
        "\u212a",
        "é",
        "\x00",
    ]
)


def edits(text: str) -> Iterator[str]:
    """``text`` with one piece of it cut off, at several places."""
    for cut in range(1, len(text), max(1, len(text) // 7)):
        yield text[:cut]
        yield text[cut:]


# ----------------------------------------------------------------- tests


@SETTINGS
@given(simple_chains())
@example('priority >= 5 and state in (OPEN, PROCESSING) and custom.k2 = "v5"')
@example("a = 1 OR b is not null And c not between -1 and 2021-08-10 or custom['x \\' y'] in $p")
@example("custom . and = 5 and x in(1,'2',$p) #end")
@example("x = 2021-08-10T14:30:05+02:00\n# done")
@example("not(x=1)and(y=2 or (not z is null))or((w in (1,2)))")
@example("a = 1 and (b = 2 and c = 3) and (d = 4 or (e = 5 or f = 6))")
@example("created_date >= today - 7d and closed_date < Now+1h-30M")
@example("(@hot or x between yesterday and now) and not @Cold_2 or y in (today, now - 1y)")
@example(f"x = {'9' * 40} and y = -{'1' * 31}")
def test_fast_path_reads_simple_chains_as_the_driver_does(text: str) -> None:
    fast = parse_simple(text)
    assert fast is not None, text
    assert same_tree(fast, driver(text)), text


@SETTINGS
@given(
    st.one_of(
        st.lists(_PIECES, max_size=14).map(" ".join),
        st.lists(_PIECES, max_size=14).map("".join),
        simple_chains().flatmap(lambda t: st.sampled_from([t, *edits(t)])),
        st.text(max_size=40),
    )
)
@example("state = OPENand x = 1")
@example("prin (1)")
@example("x = 5and y = 1")
@example("x = 2021-08-10T10:00:00x")
@example("x in ()")
@example("x = now - 7d")
@example("not x = 1")
@example("(x = 1)")
@example('custom["\\q"] = 1')
@example("x = 1, 2")
@example("x in (1) y")
@example("x = and and y = 1")
def test_fast_path_builds_what_the_driver_builds_or_declines(text: str) -> None:
    fast = parse_simple(text)
    if fast is not None:
        assert same_tree(fast, driver(text)), text


@SETTINGS
@given(st.one_of(simple_chains(), S.query_texts().map(lambda case: case[1]), st.text(max_size=30)))
def test_parse_diagnostics_are_the_same_without_the_fast_path(text: str) -> None:
    with_fast = parser_pkg.parse_diagnostics(text)
    with lalr_only():
        without = parser_pkg.parse_diagnostics(text)
    assert same_tree(with_fast[0], without[0])
    assert with_fast[1] == without[1]
    assert [(d.start, d.end, d.hint) for d in with_fast[1]] == [
        (d.start, d.end, d.hint) for d in without[1]
    ]


def _everything(text: str) -> tuple[Any, ...]:
    """All a caller sees of ``text``: the check, the plan, the compiled
    filter list and its encoding (or the error), with no cache in between."""
    cqlang.api._cache.clear()
    parser_pkg._parse_cached.cache_clear()
    env = Env(now=S.NOW, params={"p": 3, "regions": ["PL", "DE"]})
    checked = check_text(text, env)
    try:
        plan: Any = cqlang.plan(text, env).to_json()
    except CqlError as exc:
        plan = ("error", type(exc).__name__, str(exc))
    try:
        filters: Any = cqlang.compile(text, env)
        encoded: Any = cqlang.encode(filters)
    except CqlError as exc:
        filters = encoded = ("error", type(exc).__name__, str(exc))
    diags = [(d.code, d.message, d.start, d.end, d.hint, d.severity) for d in checked.diagnostics]
    return checked.ir, repr(checked.ir), diags, plan, filters, encoded


@SETTINGS
@given(st.one_of(simple_chains(), S.query_texts().map(lambda case: case[1])))
@example('priority >= 5 and state in (OPEN, PROCESSING) and custom.k2 = "v5"')
@example("state = OPEN or custom.region != 'PL' and priority between 1 and $p")
def test_check_plan_compile_encode_are_the_same_without_the_fast_path(text: str) -> None:
    with_fast = _everything(text)
    with lalr_only():
        without = _everything(text)
    assert with_fast == without


def test_the_benchmark_queries_take_the_fast_path() -> None:
    """The queries of benchmarks/queries.py, at every size, are chains of
    simple predicates (the shape the fast path is for)."""
    text = (
        'priority >= 5 and state in (OPEN, PROCESSING) and custom.k2 = "v5" and '
        "created_date >= 2021-08-04 and contact_try between 1 and 9 and "
        "application_state != CLOSED and dialing_method = PREDICTIVE and custom.n7 = 12"
    )
    fast = parse_simple(text)
    assert fast is not None and same_tree(fast, driver(text))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "  # only a comment",
        "()",
        "(state = OPEN",
        "state = OPEN)",
        "(state = OPEN))",
        "not (state = OPEN and)",
        "x = now -7",
        "x = now - 7d5",
        "x = now - 2021-08-10",
        "x = now 7d",
        "x = today - 7d x",
        "@",
        "@1 and x = 1",
        "x = 1 and @hot x",
        "state in ()",
        "x = 5d",
        "state = now and",
        "and = 1",
        'custom["\\x"] = 1',
        "x = 1 and",
        "x = 'unterminated",
        # Letters that match ASCII ones only where case is ignored in Unicode
        # (a dotless i, a long s, a capital dotted I, the Kelvin sign): the
        # lexer reads no token there, so neither may the fast path.
        "x \u0131n (1)",
        "x i\u017f null",
        "cu\u017ftom.a = 1",
        "x \u0130s null",
        "x = 1 \u0130\u017f null",
        "x = now - 7\u212a",
        "x between 1 \u0430nd 2",
    ],
)
def test_the_fast_path_declines(text: str) -> None:
    """What it does not read goes to the LALR driver (which reads it or
    reports it)."""
    assert parse_simple(text) is None
