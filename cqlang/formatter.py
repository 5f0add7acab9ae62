"""Canonical query text, from an AST or from the IR.

The canonical form: keywords in lower case, one space around operators,
``==``/``<>`` written ``=``/``!=``, the fewest parentheses that keep the
meaning, strings in double quotes (a control character, C1 or bidirectional
control in them written as its ``\\u`` escape), bare words quoted except where they are
the values of an enum property, and names, digits and datetimes as typed.
Parsing the formatted text gives the same AST (spans aside), so formatting
is idempotent. Writing is iterative, so deep or long queries cannot overflow
the stack.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from itertools import pairwise

from . import ast
from .ir import COMPARE_TEXT, Atom, IAnd, IExpr, INot, IOr
from .parser import custom_text, quote, value_text
from .schema import DEFAULT_SCHEMA, Schema
from .timeexpr import format_utc

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

_PREC_OR, _PREC_AND, _PREC_NOT, _PREC_ATOM = 1, 2, 3, 4


def field_text(name: str, key: str | None) -> str:
    return name if key is None else custom_text(key)


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


def _ir_value(a: Atom, v: Any) -> str:
    t = a.field.type
    if t == "datetime":
        return format_utc(v).replace(" ", "T") + "Z"
    if t == "integer":
        return str(v)
    if t == "enum":
        return value_text(str(v))  # bare when a plain word, as typed
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
    return f"{name} {COMPARE_TEXT[op]} {_ir_value(a, a.value)}"


def format_ir(expr: IExpr) -> str:
    """Query text for a checked expression (datetimes in UTC, with ``Z``)."""
    if isinstance(expr, IAnd) and not expr.items:
        return ""  # the empty query: everything
    return _connective(expr, _ir_children, _ir_leaf)


# ------------------------------------------------------- layout, comments

#: The widest line the formatter writes, where it can.
DEFAULT_WIDTH = 88
_INDENT = "    "


def _breaks(gap: str) -> bool:
    """Whether ``gap`` (text between two tokens) holds a line break: a
    ``\n``, a ``\r\n`` or a lone ``\r``, where a ``#`` comment ends too."""
    return "\n" in gap or "\r" in gap


def format_text(text: str, schema: Schema | None = None, *, width: int = DEFAULT_WIDTH) -> str:
    """The formatted text of a query, its comments kept: the canonical form
    on one line when it fits in ``width``, holds no comment between its
    operands and was written on one line; otherwise one ``and``/``or``
    operand a line, the connective first, and a parenthesised group that is
    broken too opened on its own line and indented. Raises
    :class:`CqlSyntaxError` for a text that is not a query. docs/cli.md
    says where each comment goes."""
    from .parser import parse, trivia

    query = parse(text)
    return _Layout(text, query, schema or DEFAULT_SCHEMA, trivia(text), width).render()


def _core(node: ast.Expr) -> ast.Expr:
    """``node`` without the ``not``s in front of it."""
    while isinstance(node, ast.Not):
        node = node.expr
    return node


def _nots(node: ast.Expr) -> int:
    count = 0
    while isinstance(node, ast.Not):
        count += 1
        node = node.expr
    return count


class _Line:
    __slots__ = ("hi", "indent", "lead", "text", "trail")

    def __init__(self, indent: str, text: str, hi: int) -> None:
        self.indent = indent
        self.text = text
        self.hi = hi  # the source tokens before this index are written by now
        self.lead: list[str] = []
        self.trail: list[str] = []


class _Layout:
    """Lays a parsed query out in lines, then puts each comment on the line
    of the token it follows (when it was written on that token's line) or
    before the line of the token it precedes. Every output line writes a run
    of the source's tokens, in order, so comments keep their order."""

    def __init__(self, text: str, query: ast.Query, schema: Schema, triv: Any, width: int) -> None:
        self.text = text
        self.query = query
        self.width = width
        self.w = _AstWriter(schema)
        self.tokens: tuple[tuple[str, int, int], ...] = triv.tokens
        self.comments: tuple[tuple[int, int], ...] = triv.comments
        self.starts = [t[1] for t in self.tokens]
        self.ends = [t[2] for t in self.tokens]
        self.comment_starts = [c[0] for c in self.comments]
        self.match = self._parens()
        self.lines: list[_Line] = []
        self._ext: dict[int, tuple[int, int, int, int]] = {}
        self._flat: dict[int, str] = {}
        self._breaks: dict[tuple[int, int], bool] = {}
        self._authored: dict[int, bool] = {}

    # ---------------------------------------------------------- tokens
    def _parens(self) -> dict[int, int]:
        """Matching grouping parentheses, by token index (the parentheses of
        a value list, after ``in``, are matched but not grouping)."""
        match: dict[int, int] = {}
        stack: list[tuple[int, bool]] = []
        for i, (kind, _, _) in enumerate(self.tokens):
            if kind == "LPAR":
                stack.append((i, i > 0 and self.tokens[i - 1][0] == "IN"))
            elif kind == "RPAR" and stack:
                j, values = stack.pop()
                if not values:
                    match[j] = i
        return match

    def ext(self, node: ast.Expr) -> tuple[int, int, int, int]:
        """Token indices of ``node``: first and last of its content, then
        first and last with the parentheses written around it."""
        key = id(node)
        got = self._ext.get(key)
        if got is not None:
            return got
        if isinstance(node, ast.And | ast.Or):
            first, last = self.ext(node.items[0])[2], self.ext(node.items[-1])[3]
        elif isinstance(node, ast.Not):
            first = bisect_left(self.starts, node.start)
            last = self.ext(node.expr)[3]
        else:
            first = bisect_left(self.starts, node.start)
            last = bisect_left(self.ends, node.end)
        outer_first, outer_last = first, last
        while (
            outer_first > 0
            and outer_last + 1 < len(self.tokens)
            and self.match.get(outer_first - 1) == outer_last + 1
        ):
            outer_first -= 1
            outer_last += 1
        got = (first, last, outer_first, outer_last)
        self._ext[key] = got
        return got

    def breaks(self, node: ast.And | ast.Or, indent: str, width: int) -> bool:
        """Whether the chain ``node``, whose one line would be ``width``
        wide, is written one operand a line: when that line is too wide, or
        when written so a comment would stand between two of its operands.
        (A comment on the last operand's line ends up after the chain, and
        is as well written after the chain on one line.)"""
        if width > self.width or self.authored(node):
            return True
        key = (id(node), len(indent))
        got = self._breaks.get(key)
        if got is not None:
            return got
        # A comment before the chain's last token stands between two of its
        # operands or inside one: on one line it could not stay where it
        # was written (docs/cli.md), so the chain is broken.
        first, last = self.ext(node)[:2]
        got = self.comment_between(first, last)
        self._breaks[key] = got
        return got

    def comment_between(self, first: int, last: int) -> bool:
        """Whether a comment starts after token ``first`` begins and before
        token ``last`` does."""
        i = bisect_right(self.comment_starts, self.starts[first])
        return i < len(self.comment_starts) and self.comment_starts[i] < self.starts[last]

    def authored(self, node: ast.And | ast.Or) -> bool:
        """Whether the author wrote two operands of ``node``, or of a chain
        inside it, on separate lines: then it stays one operand a line."""
        key = id(node)
        got = self._authored.get(key)
        if got is None:
            got = False
            items = node.items
            for a, b in pairwise(items):
                if _breaks(self.text[self.ends[self.ext(a)[3]] : self.starts[self.ext(b)[2]]]):
                    got = True
                    break
            else:
                got = any(
                    isinstance(c, ast.And | ast.Or) and self.authored(c) for c in map(_core, items)
                )
            self._authored[key] = got
        return got

    def operand_text(self, item: ast.Expr, prefix: str, parent: ast.Expr | None) -> str:
        flat = self.flat(item)
        if isinstance(parent, ast.And) and isinstance(item, ast.Or):
            flat = f"({flat})"
        return prefix + flat

    def flat(self, node: ast.Expr) -> str:
        key = id(node)
        got = self._flat.get(key)
        if got is None:
            got = _connective(node, self.w.children, self.w.leaf)
            self._flat[key] = got
        return got

    # ---------------------------------------------------------- layout
    def line(self, indent: str, text: str, hi: int) -> None:
        self.lines.append(_Line(indent, text, hi))

    def chain(self, node: ast.And | ast.Or, indent: str) -> None:
        word = "and " if isinstance(node, ast.And) else "or "
        for k, item in enumerate(node.items):
            self.operand(item, indent, word if k else "", node)

    def operand(self, item: ast.Expr, indent: str, prefix: str, parent: ast.Expr | None) -> None:
        core = _core(item)
        text = self.operand_text(item, prefix, parent)
        last = self.ext(item)[3] + 1
        if isinstance(core, ast.And | ast.Or) and self.breaks(
            core, indent, len(indent) + len(text)
        ):
            nots = "not " * _nots(item)
            self.line(indent, prefix + nots + "(", self.ext(core.items[0])[2])
            self.chain(core, indent + _INDENT)
            self.line(indent, ")", last)
        elif not isinstance(core, ast.And | ast.Or | ast.Ref) and self.comment_between(
            self.ext(item)[2] - (1 if prefix else 0), self.ext(core)[1]
        ):
            self.broken_predicate(item, core, indent, prefix, last)
        else:
            self.line(indent, text, last)

    def broken_predicate(
        self, item: ast.Expr, core: Any, indent: str, prefix: str, last: int
    ) -> None:
        """An operand ending in a predicate with a comment inside: a line
        break after each piece (connective, ``not``, field, operator, value,
        a list's item) that a comment follows, as black and ruff break after
        a trailing comment's token; the pieces after it on a continuation
        line indented once more (a lone ``)`` at the operand's own indent).
        A comment after a token that is not written (a parenthesis left out)
        counts as after the piece before it."""
        pieces: list[tuple[str, str, int, int]] = []
        if prefix:
            at = self.ext(item)[2] - 1
            pieces.append(("", prefix.strip(), at, at))
        node = item
        while isinstance(node, ast.Not):
            at = bisect_left(self.starts, node.start)
            pieces.append((" " if pieces else "", "not", at, at))
            node = node.expr
        for k, (glue, text, first, end) in enumerate(self.pieces(core)):
            pieces.append((" " if k == 0 and pieces else glue, text, first, end))
        starts = [p[2] for p in pieces]
        cut: set[int] = set()
        lo = bisect_right(self.comment_starts, self.starts[pieces[0][2]])
        for start in self.comment_starts[lo:]:
            if start >= self.starts[self.ext(core)[1]]:
                break
            before = bisect_right(self.ends, start) - 1
            cut.add(max(0, bisect_right(starts, before) - 1))
        text, at_indent = pieces[0][1], indent
        for k in range(1, len(pieces)):
            glue, piece, _, _ = pieces[k]
            if k - 1 in cut:  # the tokens not written before this piece: that line's
                self.line(at_indent, text, pieces[k][2])
                text, at_indent = piece, indent if piece == ")" else indent + _INDENT
            else:
                text += glue + piece
        self.line(at_indent, text, last)

    def pieces(self, n: Any) -> list[tuple[str, str, int, int]]:
        """A predicate's text in pieces: (the glue before it, its text, the
        indices of its first and last source tokens); joined, the
        predicate's canonical text."""

        def last_of(node: Any) -> int:
            return bisect_left(self.ends, node.end)

        def first_of(node: Any) -> int:
            return bisect_left(self.starts, node.start)

        w = self.w
        f = n.field
        enum = w.is_enum(f)
        out = [("", field_text(f.name, f.key), first_of(f), last_of(f))]
        if isinstance(n, ast.Compare):
            out.append((" ", n.op, last_of(f) + 1, first_of(n.value) - 1))
            out.append((" ", w.value(n.value, enum), first_of(n.value), last_of(n.value)))
        elif isinstance(n, ast.IsNull):
            out.append((" ", f"is {'not ' if n.negated else ''}null", last_of(f) + 1, last_of(n)))
        elif isinstance(n, ast.Between):
            neg = "not " if n.negated else ""
            out.append((" ", f"{neg}between", last_of(f) + 1, first_of(n.low) - 1))
            out.append((" ", w.value(n.low, enum), first_of(n.low), last_of(n.low)))
            out.append((" ", "and", last_of(n.low) + 1, first_of(n.high) - 1))
            out.append((" ", w.value(n.high, enum), first_of(n.high), last_of(n.high)))
        else:
            neg = "not " if n.negated else ""
            values = n.values
            if isinstance(values, ast.Param) or not values:
                rest = w.leaf(n)[len(out[0][1]) + 1 :]
                out.append((" ", rest, last_of(f) + 1, last_of(n)))
                return out
            lpar = first_of(values[0]) - 1
            out.append((" ", f"{neg}in", last_of(f) + 1, lpar - 1))
            out.append((" ", "(", lpar, lpar))
            for k, v in enumerate(values):
                more = k + 1 < len(values)
                text = w.value(v, enum) + ("," if more else "")
                out.append(("" if k == 0 else " ", text, first_of(v), last_of(v) + more))
            out.append(("", ")", last_of(n), last_of(n)))
        return out

    def render(self) -> str:
        expr = self.query.expr
        if expr is not None:
            if isinstance(expr, ast.And | ast.Or) and self.breaks(expr, "", len(self.flat(expr))):
                self.chain(expr, "")
            else:
                self.operand(expr, "", "", None)
            self.lines[-1].hi = len(self.tokens)
        tail = self.place_comments()
        out: list[str] = []
        for i, ln in enumerate(self.lines):
            out.extend(ln.indent + c for c in ln.lead)
            first, *more = ln.trail or [""]
            out.append(ln.indent + ln.text + (f"  {first}" if first else ""))
            # A second comment cannot share the line: it goes on a line of
            # its own, where it will be read as leading the next line.
            after = self.lines[i + 1].indent if i + 1 < len(self.lines) else ""
            out.extend(after + c for c in more)
        out.extend(tail)
        return "\n".join(out)

    def place_comments(self) -> list[str]:
        """Put each comment on a line; return those after the last line."""
        owner: list[int] = []  # the line of each token
        for i, ln in enumerate(self.lines):
            owner.extend([i] * (ln.hi - len(owner)))
        tail: list[str] = []
        n = len(self.tokens)
        for start, end in self.comments:
            body = self.text[start:end].rstrip()
            before = bisect_right(self.ends, start) - 1  # the token it follows
            after = before + 1  # the token it precedes
            same_line = before >= 0 and not _breaks(self.text[self.ends[before] : start])
            if before >= 0 and (same_line or (after < n and owner[after] == owner[before])):
                self.lines[owner[before]].trail.append(body)
            elif after < n:
                self.lines[owner[after]].lead.append(body)
            else:
                tail.append(body)
        return tail
