"""Canonical query text, from an AST or from the IR.

The canonical form: keywords in lower case, one space around operators,
``==``/``<>`` written ``=``/``!=``, the fewest parentheses that keep the
meaning, strings in double quotes, bare words quoted except where they are
the values of an enum property, and names, digits and datetimes as typed.
Parsing the formatted text gives the same AST (spans aside), so formatting
is idempotent. Writing is iterative, so deep or long queries cannot overflow
the stack.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import ast
from .ir import Atom, IAnd, IExpr, INot, IOr
from .schema import DEFAULT_SCHEMA, Schema
from .timeexpr import format_utc

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_PREC_OR, _PREC_AND, _PREC_NOT, _PREC_ATOM = 1, 2, 3, 4


def quote(s: str) -> str:
    """A string as a double-quoted cqlang literal."""
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ch in "\x7f\u2028\u2029":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def field_text(name: str, key: str | None) -> str:
    if key is None:
        return name
    if _IDENT.match(key):
        return f"custom.{key}"
    return f"custom[{quote(key)}]"


def _connective(
    node: Any,
    children: Callable[[Any], tuple[int, tuple[Any, ...]] | None],
    leaf: Callable[[Any], str],
) -> str:
    """Shared iterative writer: ``children(node)`` gives (precedence, items)
    for and/or/not nodes (not: one item) and ``None`` for leaves."""
    out: list[tuple[str, int]] = []
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        n, done = stack.pop()
        kids = children(n)
        if kids is None:
            out.append((leaf(n), _PREC_ATOM))
            continue
        prec, items = kids
        if not done:
            stack.append((n, True))
            stack.extend((x, False) for x in reversed(items))
            continue
        k = len(items)
        parts = out[-k:]
        del out[-k:]
        if prec == _PREC_NOT:
            text, p = parts[0]
            out.append(("not " + (text if p >= _PREC_NOT else f"({text})"), _PREC_NOT))
            continue
        joiner = " and " if prec == _PREC_AND else " or "
        # An operand of lower precedence needs parentheses; so does one of
        # equal precedence (a nested chain would otherwise parse flattened).
        texts = [t if p > prec else f"({t})" for t, p in parts]
        out.append((joiner.join(texts), prec))
    return out[0][0]


# ------------------------------------------------------------------- AST


class _AstWriter:
    def __init__(self, schema: Schema) -> None:
        self.schema = schema

    def children(self, n: ast.Expr) -> tuple[int, tuple[Any, ...]] | None:
        if isinstance(n, ast.Or):
            return _PREC_OR, n.items
        if isinstance(n, ast.And):
            return _PREC_AND, n.items
        if isinstance(n, ast.Not):
            return _PREC_NOT, (n.expr,)
        return None

    def is_enum(self, f: ast.Field) -> bool:
        if f.key is not None:
            declared = self.schema.custom_field(f.key)
            return declared is not None and declared.type == "enum"
        prop = self.schema.lookup(f.name)
        return prop is None or prop.type == "enum"

    def value(self, v: ast.Value, enum: bool) -> str:
        if isinstance(v, ast.Str):
            # A bare word stays bare where it is an enum value; `null` stays
            # bare so that the checker still says what to write instead.
            if not v.quoted and (enum or v.value.lower() == "null"):
                return v.value
            return quote(v.value)
        if isinstance(v, ast.Int):
            return v.text
        if isinstance(v, ast.DateTime):
            return v.text
        if isinstance(v, ast.Param):
            return f"${v.name}"
        shifts = "".join(
            f" {'-' if amount < 0 else '+'} {abs(amount)}{unit}" for amount, unit in v.shifts
        )
        return v.base + shifts

    def leaf(self, n: ast.Expr) -> str:
        if isinstance(n, ast.Ref):
            return f"@{n.name}"
        assert isinstance(n, ast.Compare | ast.In | ast.Between | ast.IsNull)
        f = n.field
        name = field_text(f.name, f.key)
        enum = self.is_enum(f)
        if isinstance(n, ast.Compare):
            return f"{name} {n.op} {self.value(n.value, enum)}"
        if isinstance(n, ast.IsNull):
            return f"{name} is {'not ' if n.negated else ''}null"
        neg = "not " if n.negated else ""
        if isinstance(n, ast.Between):
            low, high = self.value(n.low, enum), self.value(n.high, enum)
            return f"{name} {neg}between {low} and {high}"
        if isinstance(n.values, ast.Param):
            return f"{name} {neg}in ${n.values.name}"
        inner = ", ".join(self.value(v, enum) for v in n.values)
        return f"{name} {neg}in ({inner})"


def format_query(query: ast.Query, schema: Schema | None = None) -> str:
    """The canonical text of a parsed query."""
    if query.expr is None:
        return ""
    w = _AstWriter(schema or DEFAULT_SCHEMA)
    return _connective(query.expr, w.children, w.leaf)


# -------------------------------------------------------------------- IR

_IR_OPS = {"eq": "=", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def _ir_value(a: Atom, v: Any) -> str:
    t = a.field.type
    if t == "datetime":
        return format_utc(v).replace(" ", "T") + "Z"
    if t == "integer":
        return str(v)
    if t == "enum":
        return str(v)
    return quote(str(v))


def _ir_children(n: IExpr) -> tuple[int, tuple[Any, ...]] | None:
    if isinstance(n, IOr):
        return _PREC_OR, n.items
    if isinstance(n, IAnd):
        return _PREC_AND, n.items
    if isinstance(n, INot):
        return _PREC_NOT, (n.item,)
    return None


def _ir_leaf(a: Atom) -> str:
    name = field_text("custom" if a.field.key is not None else a.field.prop, a.field.key)
    op = a.op
    if op == "null":
        return f"{name} is null"
    if op == "notnull":
        return f"{name} is not null"
    if op in ("in", "nin"):
        values = a.value if isinstance(a.value, tuple) else ()
        if len(values) == 1:
            return f"{name} {'!=' if op == 'nin' else '='} {_ir_value(a, values[0])}"
        inner = ", ".join(_ir_value(a, v) for v in values)
        return f"{name} {'not ' if op == 'nin' else ''}in ({inner})"
    return f"{name} {_IR_OPS[op]} {_ir_value(a, a.value)}"


def format_ir(expr: IExpr) -> str:
    """Query text for a checked expression (datetimes in UTC, with ``Z``)."""
    if isinstance(expr, IAnd) and not expr.items:
        return ""  # the empty query: everything
    return _connective(expr, _ir_children, _ir_leaf)
