"""The rule callbacks that build the typed AST (:mod:`cqlang.ast`) as the
LALR driver (:mod:`.lalr`) reduces: each gets the children of one reduction
and returns a node, with no intermediate parse tree."""

from __future__ import annotations

from .. import ast
from ..timeexpr import duration
from .lexer import unescape

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from ..types import CompareOp

#: Longest integer literal kept as a number (longer ones are out of range).
_MAX_INT_DIGITS = 30

#: Every spelling of a comparison (the grammar's ``CMP_OP``) and the
#: canonical operator it stands for (``types.CompareOp``).
_CANONICAL_OP: dict[str, CompareOp] = {
    "==": "=",
    "<>": "!=",
    "=": "=",
    "!=": "!=",
    "<": "<",
    "<=": "<=",
    ">": ">",
    ">=": ">=",
}
COMPARE_SPELLINGS = _CANONICAL_OP


def int_value(text: str) -> int:
    """The value of an integer literal as typed (``-?[0-9]+``), leading
    zeros aside (``007`` is 7, as a parameter's ``"007"`` is); one of more
    significant digits than can be kept is out of range, ``10**31`` with
    its sign."""
    negative = text[0] == "-"
    significant = text[negative:].lstrip("0")
    if len(significant) > _MAX_INT_DIGITS:
        return (-1 if negative else 1) * 10**31
    value = int(significant) if significant else 0
    return -value if negative else value


# Tokens reach the rule callbacks as plain tuples ``(terminal, text, start,
# end)``: a tuple display costs a fraction of an object's ``__init__``, and a
# query is mostly tokens. Nodes are never tuples; the few callbacks that get
# either tell them apart by that.


def _flatten(items: list[Any], cls: type[ast.And] | type[ast.Or]) -> tuple[Any, ...]:
    """``a or (b or c)`` is one chain: a parenthesised chain of the same
    connective joins its parent, so equal queries have equal trees."""
    if cls not in map(type, items):
        return tuple(items)
    out: list[Any] = []
    for x in items:
        if type(x) is cls:
            out.extend(x.items)
        else:
            out.append(x)
    return tuple(out)


class _Builder:
    """The rule callbacks fused into the LALR parser. Each gets the children
    of one reduction (tokens, as tuples, and already-built nodes) and
    returns a node."""

    # --------------------------------------------------------- top level
    def start(self, c: list[Any]) -> ast.Expr | None:
        return c[0] if c else None

    def or_expr(self, c: list[Any]) -> ast.Or:
        items = _flatten(c[::2], ast.Or)
        return ast.Or(items, c[0].start, c[-1].end)

    def and_expr(self, c: list[Any]) -> ast.And:
        items = _flatten(c[::2], ast.And)
        return ast.And(items, c[0].start, c[-1].end)

    def negation(self, c: list[Any]) -> ast.Not:
        return ast.Not(c[1], c[0][2], c[1].end)

    def group(self, c: list[Any]) -> ast.Expr:
        # Parentheses only group: the node keeps its own span.
        return c[1]  # type: ignore[no-any-return]

    def queryref(self, c: list[Any]) -> ast.Ref:
        _, text, start, end = c[0]
        return ast.Ref(text[1:], start, end)

    # -------------------------------------------------------- predicates
    def comparison(self, c: list[Any]) -> ast.Compare:
        field, op, value = c
        return ast.Compare(field, _CANONICAL_OP[op[1]], value, field.start, value.end)

    def membership(self, c: list[Any]) -> ast.In:
        field = c[0]
        negated = c[1][0] == "NOT"
        last = c[-1]
        values: tuple[ast.Value, ...] | ast.Param
        if last[0] == "PARAM":  # a token, or value_list's (values, end)
            values = ast.Param(last[1][1:], last[2], last[3])
            end = last[3]
        else:
            values, end = last
        return ast.In(field, values, negated, field.start, end)

    def value_list(self, c: list[Any]) -> tuple[tuple[ast.Value, ...], int]:
        values = tuple(x for x in c if type(x) is not tuple)
        return values, c[-1][3]

    def range(self, c: list[Any]) -> ast.Between:
        field = c[0]
        negated = c[1][0] == "NOT"
        low, high = c[-3], c[-1]
        return ast.Between(field, low, high, negated, field.start, high.end)

    def nullness(self, c: list[Any]) -> ast.IsNull:
        field = c[0]
        negated = len(c) == 4
        return ast.IsNull(field, negated, field.start, c[-1][3])

    # ------------------------------------------------------------ fields
    def property(self, c: list[Any]) -> ast.Field:
        _, text, start, end = c[0]
        return ast.Field(text, None, start, end)

    def custom_dotted(self, c: list[Any]) -> ast.Field:
        return ast.Field("custom", c[2][1], c[0][2], c[2][3])

    def custom_bracketed(self, c: list[Any]) -> ast.Field:
        key = unescape(c[2][1], c[2][2])
        return ast.Field("custom", key, c[0][2], c[3][3])

    # ------------------------------------------------------------ values
    def string(self, c: list[Any]) -> ast.Str:
        _, text, start, end = c[0]
        return ast.Str(unescape(text, start), True, start, end)

    def word(self, c: list[Any]) -> ast.Str:
        _, text, start, end = c[0]
        return ast.Str(text, False, start, end)

    def integer(self, c: list[Any]) -> ast.Int:
        _, text, start, end = c[0]
        return ast.Int(int_value(text), text, start, end)

    def datetime(self, c: list[Any]) -> ast.DateTime:
        _, text, start, end = c[0]
        return ast.DateTime(text, start, end)

    def param(self, c: list[Any]) -> ast.Param:
        _, text, start, end = c[0]
        return ast.Param(text[1:], start, end)

    def reltime(self, c: list[Any]) -> ast.RelTime:
        base = c[0]
        shifts = tuple(s for s, _ in c[1:])
        units = tuple(span for _, span in c[1:])
        end = units[-1][1] if units else base[3]
        return ast.RelTime(base[1].lower(), shifts, base[2], end, units)

    def shift(self, c: list[Any]) -> tuple[tuple[int, str], tuple[int, int]]:
        # The unit is kept as written: the checker knows the units (and
        # names a wrong one, such as `M`, with the one meant).
        sign, dur = c
        amount, unit = duration(sign[1], dur[1])
        return (amount, unit), (dur[3] - len(unit), dur[3])
