"""Shared hypothesis strategies for the core-language tests.

* :data:`CENTRAL_EXAMPLES`: the example count of the central
  plan-versus-evaluator property, larger under ``HYPOTHESIS_PROFILE=deep``
  (the profiles themselves are in conftest.py).
* :func:`queries`: well-typed cqlang ASTs over every operator and property
  kind of the default schema, with small value pools so that predicates
  collide, and :func:`rendered` turning an AST into query text with random
  keyword case, spacing, comments, operator spellings and redundant
  parentheses (parsing the text gives back the same AST).
* :func:`records`: records with nulls, missing fields, boundary datetimes
  (and text the calendar lacks, :data:`CALENDAR_GAPS`) and ``custom`` as a
  JSON string (or object, or garbage) with keys missing.
* :func:`filter_lists`: filter lists the API accepts, for the decompiler and
  the encoder.
"""

from __future__ import annotations

import json
import os
import string
from datetime import UTC, datetime
from functools import cache
from typing import Any

from hypothesis import strategies as st

from cqlang import ast, timeexpr
from cqlang.schema import MAX_INT

# ------------------------------------------------------------------ profiles
# Registered and loaded for every test by conftest.py.

PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")

DEEP = PROFILE == "deep"
#: Examples of the central property (plan semantics == evaluator semantics).
CENTRAL_EXAMPLES = 20_000 if DEEP else 3000


def examples(n: int) -> int:
    """``n`` examples under ``ci``, twenty times as many under ``deep``."""
    return n * 20 if DEEP else n


# --------------------------------------------------------------- the schema

#: The injected clock of every generated query.
NOW = datetime(2021, 8, 10, 14, 30, 30, tzinfo=UTC)
ZONES = (None, "Europe/Warsaw")

DATE_PROPS = ("created_date", "closed_date", "process_not_before")
ENUM_PROPS = {
    "state": ("OPEN", "PROCESSING", "CLOSED"),
    "application_state": ("NEW", "RECALL", "RETRY", "CLOSED"),
}
RANGE_INT_PROPS = ("priority", "consultant_try", "contact_try")
MEMBER_INT_PROPS = ("tenant_user_id", "assigned_tenant_user_id")
OPEN_STR_PROPS = ("close_reason",)
EQ_STR_PROPS = ("contact_number", "dialing_method")
CUSTOM_KEYS = ("region", "lead source", "Region")

PROPERTY_KIND: dict[str, str] = {}
PROPERTY_KIND.update(dict.fromkeys(DATE_PROPS, "datetime"))
PROPERTY_KIND.update(dict.fromkeys(ENUM_PROPS, "enum"))
PROPERTY_KIND.update(dict.fromkeys(RANGE_INT_PROPS, "integer"))
PROPERTY_KIND.update(dict.fromkeys(MEMBER_INT_PROPS, "integer"))
PROPERTY_KIND.update(dict.fromkeys(OPEN_STR_PROPS, "string"))
PROPERTY_KIND.update(dict.fromkeys(EQ_STR_PROPS, "string"))

#: Fields a query may name: properties and custom keys.
FIELDS: tuple[tuple[str, str | None], ...] = tuple((p, None) for p in PROPERTY_KIND) + tuple(
    ("custom", k) for k in CUSTOM_KEYS
)

INT_POOL = tuple(range(-2, 7))
MEMBER_INT_POOL = (1, 2, 3, 4)
STRING_POOLS: dict[str, tuple[str, ...]] = {
    "close_reason": ("done", "busy", "Done", "no answer"),
    "contact_number": ("48123", "0048123", "x 1"),
    "dialing_method": ("PREDICTIVE", "manual", "Manual"),
    "custom": ("PL", "pl", "DE", "5", "", 'a"b\\c'),
}

#: Bare datetime literals (AST DateTime) and quoted ones (AST Str).
BARE_DATETIMES = (
    "2021-08-10",
    "2021-08-09",
    "2021-08-11",
    "2021-08-10T14:30",
    "2021-08-10T14:30:05Z",
    "2021-08-10t23:59:59",
    "2021-08-10T00:00:00+02:00",
    "2021-03-28",
    "2021-10-31",
    "2021-02-28",
    "2021-03-01",
)
QUOTED_DATETIMES = (
    "2021-08-10 14:30",
    "2021-08-10 14:30:59",
    "2021-08-10 00:00:00",
    "2021-03-28 02:30",
)
RELATIVE_TIMES: tuple[tuple[str, tuple[tuple[int, str], ...]], ...] = (
    ("now", ()),
    ("today", ()),
    ("yesterday", ()),
    ("today", ((-1, "d"),)),
    ("now", ((-90, "m"),)),
    ("now", ((30, "s"), (-1, "h"))),
    ("yesterday", ((1, "w"), (-7, "d"))),
    ("today", ((-1, "mo"),)),
    ("now", ((-1, "y"), (2, "mo"))),
)


def _datetime_pool() -> tuple[str, ...]:
    """Record datetimes: every literal's interval edges, one second either
    side, in each zone the queries use."""
    seconds: set[int] = set()
    for zone_name in ZONES:
        tz = timeexpr.zone(zone_name)
        intervals = [timeexpr.literal_interval(t, tz) for t in BARE_DATETIMES + QUOTED_DATETIMES]
        intervals += [timeexpr.relative_interval(b, s, tz, NOW) for b, s in RELATIVE_TIMES]
        for lo, hi in intervals:
            seconds.update((lo - 1, lo, hi, hi + 1))
    return tuple(timeexpr.format_utc(s) for s in sorted(seconds))


RECORD_DATETIMES = _datetime_pool()

#: Text in the API's shape of a datetime that names no second of the
#: calendar: compared as text, each lies between two seconds, next to the
#: edges of the queries' literals (a day's end, a minute's end, now).
CALENDAR_GAPS = (
    "2021-02-30 10:00:00",
    "2021-02-28 24:00:00",
    "2021-08-09 24:00:00",
    "2021-08-10 24:00:00",
    "2021-08-10 23:59:5a",
    "2021-08-10 14:29:5a",
    "2021-08-10 14:30:5a",
    "2021-08-10 14:30:3a",
    "2021-08-10 13:00:60",
    "2021-03-28 24:00:00",
    "2021-10-31 24:00:00",
    "2026-02-30 10:00:00",
    "2026-02-28 24:00:00",
    "2026-10-01 10:00:5a",
)

# -------------------------------------------------------------- AST values


BOOL = st.booleans()


@cache
def _sampled(options: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    return st.sampled_from(options)


def pick(draw: st.DrawFn, options: Any) -> Any:
    """One of ``options`` (strategies are built once per option tuple)."""
    return draw(_sampled(tuple(options)))


@cache
def cased(word: str) -> st.SearchStrategy[str]:
    """``word`` in lower, upper, capitalised or its own case."""
    return st.sampled_from(sorted({word, word.lower(), word.upper(), word.capitalize()}))


def int_value(pool: tuple[int, ...]) -> st.SearchStrategy[ast.Int]:
    def make(v: int, padded: bool) -> ast.Int:
        text = f"{v:03d}" if padded and v >= 0 else str(v)
        return ast.Int(v, text)

    return st.builds(make, st.sampled_from(pool), st.booleans())


def datetime_value() -> st.SearchStrategy[ast.Value]:
    return st.one_of(
        st.sampled_from(BARE_DATETIMES).map(ast.DateTime),
        st.sampled_from(QUOTED_DATETIMES).map(lambda t: ast.Str(t, True)),
        st.sampled_from(RELATIVE_TIMES).map(lambda r: ast.RelTime(r[0], r[1])),
    )


def enum_value(values: tuple[str, ...]) -> st.SearchStrategy[ast.Value]:
    return st.builds(
        lambda word, quoted: ast.Str(word, quoted),
        st.sampled_from(values).flatmap(cased),
        st.booleans(),
    )


def string_value(name: str) -> st.SearchStrategy[ast.Value]:
    pool = STRING_POOLS[name]
    options = [st.sampled_from(pool).map(lambda s: ast.Str(s, True))]
    bare = [s for s in pool if s.isidentifier()]
    if bare:
        options.append(st.sampled_from(bare).map(lambda s: ast.Str(s, False)))
    digits = [s for s in pool if s.isdigit()]
    if digits:
        options.append(st.sampled_from(digits).map(lambda s: ast.Int(int(s), s)))
    return st.one_of(options)


@cache
def value_for(name: str, key: str | None) -> st.SearchStrategy[ast.Value]:
    if key is not None:
        return string_value("custom")
    kind = PROPERTY_KIND[name]
    if kind == "datetime":
        return datetime_value()
    if kind == "enum":
        return enum_value(ENUM_PROPS[name])
    if kind == "integer":
        return int_value(MEMBER_INT_POOL if name in MEMBER_INT_PROPS else INT_POOL)
    return string_value(name)


# ------------------------------------------------------------ predicates


#: The few fields one generated query names, shared by all its predicates
#: (drawn once per example) so that predicates on one field meet, merge and
#: contradict.
query_fields = st.shared(
    st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True).map(tuple),
    key="cqlang-query-fields",
)


@st.composite
def predicates(draw: st.DrawFn) -> ast.Expr:
    """One well-typed predicate on one of the example's fields."""
    name, key = pick(draw, draw(query_fields))
    typed = name if key is not None else draw(cased(name))
    field = ast.Field(typed, key)
    kind = "string" if key is not None else PROPERTY_KIND[name]
    ordered = kind in ("integer", "datetime")
    shapes = ["cmp_eq", "in", "null"] + (["cmp_ord", "between"] if ordered else [])
    shape = pick(draw, shapes)
    values = value_for(name, key)
    if shape == "null":
        return ast.IsNull(field, draw(BOOL))
    if shape == "cmp_eq":
        return ast.Compare(field, pick(draw, ["=", "!="]), draw(values))
    if shape == "cmp_ord":
        return ast.Compare(field, pick(draw, ["<", "<=", ">", ">="]), draw(values))
    if shape == "between":
        return ast.Between(field, draw(values), draw(values), draw(BOOL))
    items = draw(_lists_of(values))
    return ast.In(field, tuple(items), draw(BOOL))


@cache
def _lists_of(values: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.lists(values, min_size=1, max_size=4)


def _flat(cls: type[ast.And] | type[ast.Or], items: list[ast.Expr]) -> ast.Expr:
    out: list[ast.Expr] = []
    for x in items:
        if type(x) is cls:
            out.extend(x.items)
        else:
            out.append(x)
    return cls(tuple(out))


@cache
def queries(max_leaves: int = 8) -> st.SearchStrategy[ast.Expr]:
    """A well-typed expression, flattened the way the parser flattens."""
    return st.recursive(
        predicates(),
        lambda kids: st.one_of(
            kids.map(ast.Not),
            st.lists(kids, min_size=2, max_size=3).map(lambda xs: _flat(ast.And, xs)),
            st.lists(kids, min_size=2, max_size=3).map(lambda xs: _flat(ast.Or, xs)),
        ),
        max_leaves=max_leaves,
    )


# --------------------------------------------------------------- rendering

_IDENT_CHARS = string.ascii_letters + string.digits + "_"


def _is_ident(key: str) -> bool:
    return bool(key) and (key[0].isalpha() or key[0] == "_") and all(c in _IDENT_CHARS for c in key)


def quote_literal(draw: st.DrawFn, value: str) -> str:
    """``value`` as a cqlang string literal, quote style and escapes drawn."""
    q = pick(draw, ['"', "'"])
    out = [q]
    for ch in value:
        if ch == q or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append(pick(draw, ["\\t", "\\u0009"]))
        elif ord(ch) < 0x20 or ch in "\x7f\u2028\u2029":
            out.append(f"\\u{ord(ch):04X}")
        elif ch in "\"'" and draw(BOOL):
            out.append("\\" + ch)  # an escape that is not needed
        elif ord(ch) < 0x10000 and ch.isalpha() and pick(draw, range(10)) == 0:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append(q)
    return "".join(out)


def _kw(draw: st.DrawFn, word: str) -> str:
    return draw(cased(word))


def _gap(draw: st.DrawFn) -> str:
    return pick(draw, [" ", " ", " ", "  ", "\n", "\t", " # note (\n", " #\n  "])


def _render_value(draw: st.DrawFn, v: ast.Value) -> str:
    if isinstance(v, ast.Str):
        return v.value if not v.quoted else quote_literal(draw, v.value)
    if isinstance(v, ast.Int):
        return v.text
    if isinstance(v, ast.DateTime):
        return v.text
    if isinstance(v, ast.Param):
        return f"${v.name}"
    parts = [_kw(draw, v.base)]
    for amount, unit in v.shifts:
        sign = "-" if amount < 0 else "+"
        sep = pick(draw, ["", " "])
        parts.append(f"{sep}{sign}{sep}{abs(amount)}{unit}")  # units are lower case only
    return "".join(parts)


def _render_field(draw: st.DrawFn, f: ast.Field) -> str:
    if f.key is None:
        return f.name
    custom = _kw(draw, "custom")
    if _is_ident(f.key) and draw(BOOL):
        return f"{custom}.{f.key}"
    return f"{custom}[{quote_literal(draw, f.key)}]"


def render(draw: st.DrawFn, node: ast.Expr, depth: int = 0) -> str:
    """Query text for ``node`` (recursive: generated trees are small)."""
    g = _gap(draw) if depth else " "

    def paren(text: str) -> str:
        return f"({text})"

    if isinstance(node, ast.Or | ast.And):
        word = "or" if isinstance(node, ast.Or) else "and"
        parts = []
        for item in node.items:
            text = render(draw, item, depth + 1)
            needs = isinstance(node, ast.And) and isinstance(item, ast.Or)
            if needs or (isinstance(item, ast.And | ast.Or | ast.Not) and draw(BOOL)):
                text = paren(text)
            parts.append(text)
        return (g + _kw(draw, word) + " ").join(parts)
    if isinstance(node, ast.Not):
        inner = render(draw, node.expr, depth + 1)
        if isinstance(node.expr, ast.And | ast.Or) or pick(draw, range(4)) == 0:
            inner = paren(inner)
        return f"{_kw(draw, 'not')} {inner}"
    if isinstance(node, ast.Ref):
        return f"@{node.name}"
    field = _render_field(draw, node.field)
    if isinstance(node, ast.IsNull):
        neg = f"{_kw(draw, 'not')} " if node.negated else ""
        return f"{field} {_kw(draw, 'is')} {neg}{_kw(draw, 'null')}"
    if isinstance(node, ast.Compare):
        spelled = {"=": ["=", "=="], "!=": ["!=", "<>"]}.get(node.op, [node.op])
        op = pick(draw, spelled)
        before, after = pick(draw, ["", " "]), pick(draw, ["", " "])
        return f"{field}{before}{op}{after}{_render_value(draw, node.value)}"
    neg = f"{_kw(draw, 'not')} " if node.negated else ""
    if isinstance(node, ast.Between):
        low = _render_value(draw, node.low)
        high = _render_value(draw, node.high)
        return f"{field} {neg}{_kw(draw, 'between')} {low} {_kw(draw, 'and')} {high}"
    assert isinstance(node, ast.In)
    if isinstance(node.values, ast.Param):
        return f"{field} {neg}{_kw(draw, 'in')} ${node.values.name}"
    sep = pick(draw, [", ", ",", " , "])
    inner = sep.join(_render_value(draw, v) for v in node.values)
    return f"{field} {neg}{_kw(draw, 'in')} ({inner})"


@st.composite
def rendered(draw: st.DrawFn, expr: ast.Expr) -> str:
    """Text for ``expr``, sometimes with a leading or trailing comment."""
    text = render(draw, expr)
    lead = pick(draw, ["", "", "  ", "# saved query\n", "\n"])
    tail = pick(draw, ["", "", " ", "  # done", "\n"])
    return lead + text + tail


@st.composite
def query_texts(draw: st.DrawFn, max_leaves: int = 8) -> tuple[ast.Expr, str]:
    expr = draw(queries(max_leaves=max_leaves))
    return expr, draw(rendered(expr))


# ----------------------------------------------------------------- records


_CUSTOM_KEY_SETS = st.lists(st.sampled_from([*CUSTOM_KEYS, "other"]), unique=True, max_size=4)
_CUSTOM_VALUES = st.one_of(
    st.sampled_from(STRING_POOLS["custom"]), st.none(), st.sampled_from([5, 0, True])
)


@st.composite
def custom_field_values(draw: st.DrawFn) -> Any:
    """``custom``: mostly a JSON object string with some keys, sometimes a
    plain object, a list or garbage (no custom fields at all)."""
    obj = {k: draw(_CUSTOM_VALUES) for k in draw(_CUSTOM_KEY_SETS)}
    form = pick(draw, ["json", "json", "json", "dict", "garbage", "list"])
    if form == "json":
        return json.dumps(obj, ensure_ascii=draw(BOOL))
    if form == "dict":
        return obj
    if form == "garbage":
        return pick(draw, ["{", "", "null", "[1]", '"x"'])
    return [obj]


def _record_pools() -> dict[str, st.SearchStrategy[Any]]:
    pools: dict[str, st.SearchStrategy[Any]] = {}
    for p in DATE_PROPS:
        # Now and then text the calendar lacks, between two seconds.
        seconds = st.sampled_from(RECORD_DATETIMES)
        pools[p] = st.one_of(seconds, seconds, seconds, st.sampled_from(CALENDAR_GAPS))
    for p, values in ENUM_PROPS.items():
        pools[p] = st.sampled_from(values)
    for p in RANGE_INT_PROPS:
        pools[p] = st.sampled_from(INT_POOL)
    for p in MEMBER_INT_PROPS:
        pools[p] = st.sampled_from(MEMBER_INT_POOL)
    for p in (*OPEN_STR_PROPS, *EQ_STR_PROPS):
        pool = STRING_POOLS[p]
        numbers = [int(s) for s in pool if s.isdigit()]
        pools[p] = (
            st.sampled_from(pool) | st.sampled_from(numbers) if numbers else st.sampled_from(pool)
        )
    pools["custom"] = custom_field_values()
    # Each field is present (sometimes null) or missing.
    return {name: st.one_of(s, s, s, st.none()) for name, s in pools.items()}


_records = st.fixed_dictionaries({"id": st.integers(1, 10**6)}, optional=_record_pools())


def records() -> st.SearchStrategy[dict[str, Any]]:
    """One record: every field present, null or missing."""
    return _records


_gap_pools = _record_pools()
for _p in DATE_PROPS:
    _gap_pools[_p] = st.sampled_from(CALENDAR_GAPS) | st.sampled_from(RECORD_DATETIMES)
_gap_records = st.fixed_dictionaries({"id": st.integers(1, 10**6)}, optional=_gap_pools)


def gap_records() -> st.SearchStrategy[dict[str, Any]]:
    """Records as :func:`records`, their datetimes often text the calendar
    lacks (:data:`CALENDAR_GAPS`)."""
    return _gap_records


# ------------------------------------------------------------ filter lists

#: Text for values: Unicode (no surrogates), with the characters that break
#: hand-made encoders, Polish letters and emoji well represented.
NASTY = "&#+%=?\"'\\/ ,:;@$[]{}\n\tąćęłńóśźżĄĆĘŁŃÓŚŹŻ😀🇵🇱\u00a0\u200b"
unicode_text = st.text(
    alphabet=st.one_of(st.sampled_from(NASTY), st.characters(exclude_categories=("Cs",))),
    max_size=12,
)


def _datetime_strings() -> st.SearchStrategy[str]:
    return st.integers(1_600_000_000, 1_700_000_000).map(timeexpr.format_utc) | st.sampled_from(
        RECORD_DATETIMES
    )


@st.composite
def filter_objects(draw: st.DrawFn, values: st.SearchStrategy[str] | None = None) -> dict[str, Any]:
    """One filter object the API accepts (the evaluator's reading)."""
    text = values if values is not None else st.sampled_from(STRING_POOLS["close_reason"])
    name = pick(draw, [*PROPERTY_KIND, "custom_fields"])
    if name in DATE_PROPS:
        op = pick(draw, ["gte", "lte"])
        return {"property": name, "operator": op, "value": draw(_datetime_strings())}
    if name in RANGE_INT_PROPS:
        op = pick(draw, ["gt", "gte", "lte", "lt", "eq", "ne"])
        return {"property": name, "operator": op, "value": draw(st.sampled_from(INT_POOL))}
    if name in ENUM_PROPS:
        vals = draw(st.lists(st.sampled_from(ENUM_PROPS[name]), min_size=1, max_size=4))
        return {"property": name, "value": vals}
    if name in MEMBER_INT_PROPS:
        vals = draw(st.lists(st.sampled_from(MEMBER_INT_POOL), min_size=1, max_size=4))
        return {"property": name, "value": vals}
    if name == "close_reason":
        return {"property": name, "value": draw(st.lists(text, min_size=1, max_size=3))}
    if name == "custom_fields":
        keys = values.filter(lambda k: bool(k.strip())) if values is not None else st.nothing()
        key = draw(st.sampled_from(CUSTOM_KEYS) | keys)  # a key is never empty (CQL119)
        return {"property": name, "key": key, "value": draw(text)}
    return {"property": name, "value": draw(text)}


def filter_lists(values: st.SearchStrategy[str] | None = None) -> st.SearchStrategy[Any]:
    return st.lists(filter_objects(values), max_size=5)


# ------------------------------------------------------------ other values

safe_ints = st.integers(-MAX_INT, MAX_INT)


# ----------------------------------------------------------------- comments


def comment_texts(text: str) -> list[str]:
    """The comments of a query text, in order, trailing blanks dropped."""
    from cqlang.parser import trivia

    return [text[a:b].rstrip() for a, b in trivia(text).comments]


@st.composite
def commented(draw: st.DrawFn, text: str) -> str:
    """``text`` (a query) with comments put between random tokens: on the
    line of the token before, or on lines of their own."""
    from cqlang.parser import trivia

    ends = [0] + [end for _, _, end in trivia(text).tokens]
    spots = draw(st.lists(st.sampled_from(ends), max_size=5))
    out = text
    for k, at in enumerate(sorted(spots, reverse=True)):
        word = pick(draw, ["note", "why (", "and or", "# nested", "zażółć 😀", ""])
        form = pick(draw, [" # {}\n", "\n# {}\n", "  #{}\n", "\n  # {}\n"])
        out = out[:at] + form.format(f"{word} {k}".strip()) + out[at:]
    return out
