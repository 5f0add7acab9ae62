"""The parser's fast path: a query of simple predicates.

Most queries are predicates joined by ``and`` and ``or``, perhaps with
``not``, parentheses and named queries: ``priority >= 5 and state in
(OPEN, PROCESSING) and (custom.region = "PL" or created_date >= today -
7d)``. :func:`parse_simple` reads such a text with a few regular
expressions, one per predicate's field and operator (with the ``not`` and
``(`` before it) and one per value (with what follows it: ``and``, ``or``,
``,``, ``)``, the end), and builds the same tree the LALR driver
(:mod:`.lalr`) would build, spans included, with no recursion
(parentheses are a stack). It knows nothing of the LALR tables.

At the first thing it does not read (an empty list, a word that spells a
keyword where a field or a bare value goes, an integer run into a word, a
bad string escape, any mistake) it declines: it returns ``None`` and the
LALR driver parses the text as before, so every error, caret and message
is the driver's. tests/test_parser_simple.py checks, on texts generated to
reach the fast path and on any text, that it builds what the driver builds
or declines.
"""

from __future__ import annotations

import re

from .. import ast
from ..timeexpr import shift_amount
from .builder import _CANONICAL_OP, _flatten, int_value
from .lexer import COMMENT, KEYWORDS, _EscapeError, unescape

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    _Frame = tuple[list[ast.Expr], list[ast.Expr], list[int]]

# ASCII: without it, `(?i:in)` would also match `ın` (a dotless i) and
# `(?i:custom)` `cuſtom` (a long s), which the lexer reads as no token.
_FLAGS = re.VERBOSE | re.ASCII

# The blanks and comments between tokens, as the lexer skips them.
_BL = r"(?>(?:[ \t\r\n\f]+|" + COMMENT + r")*)"
# A keyword ends where a word would (the lexer reads whole words).
_KW_END = r"(?![A-Za-z0-9_])"
# A word is read whole, as the lexer reads it (no backtracking into it).
_WORD = r"[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])"
_STRING = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""

# A predicate up to its first value: the field, then the operator
# (`= < ...`, `[not] in (`, `[not] in $p`, `[not] between`,
# `is [not] null`).
_PREDICATE = rf"""(?:
     (?P<custom>(?i:custom)){_KW_END}{_BL}
       (?:\.{_BL}(?P<key>{_WORD})|\[{_BL}(?P<qkey>{_STRING}){_BL}(?P<rsqb>\]))
    |(?P<prop>{_WORD}))
    {_BL}(?:
     (?P<op>==|!=|<>|<=|>=|=|<|>)
    |(?P<not>(?i:not){_KW_END}{_BL})?
     (?:(?P<in>(?i:in){_KW_END}{_BL}(?:\(|(?P<param>\${_WORD})))
       |(?P<between>(?i:between){_KW_END}))
    |(?i:is){_KW_END}{_BL}(?P<isnot>(?i:not){_KW_END}{_BL})?(?P<null>(?i:null){_KW_END})
    )"""
_HEAD = re.compile(_BL + _PREDICATE, _FLAGS)
# The same after `not`s and `(`s, or a named query (`@hot`): tried only
# where _HEAD finds no predicate (a `not` it would read as a field's name
# is a keyword it declines), so that the common case does not pay for them.
_HEAD_AFTER = re.compile(
    _BL
    + rf"(?P<pre>(?:(?:(?i:not){_KW_END}|\(){_BL})+)?"
    + rf"(?:(?P<ref>@[A-Za-z_][A-Za-z0-9_]*)|{_PREDICATE})",
    _FLAGS,
)

# One of the `not`s and `(`s before a predicate (_HEAD_AFTER's `pre`).
_PRE = re.compile(rf"(?:(?P<n>(?i:not))|\(){_BL}", re.ASCII)

# What may follow a value, `is null`, `in $p` or a `)`: `and`, `or`, a
# comma, a `)`, or the end of the text (as the group's name: a o c r e).
# A `)` followed by `and`, `or` or the end is read with them (ra ro re):
# one match less for a list of values.
_FOLLOW = rf"""{_BL}(?:
     (?P<a>(?i:and){_KW_END})
    |(?P<o>(?i:or){_KW_END})
    |(?P<c>,)
    |(?P<r>\))(?:{_BL}(?:(?P<ra>(?i:and){_KW_END})|(?P<ro>(?i:or){_KW_END})|(?P<re>\Z)))?
    |(?P<e>\Z))"""
#: What a `)` read with what follows it (_FOLLOW) leaves to read next.
_AFTER_PAREN = {"ra": "a", "ro": "o", "re": "e"}

# One value and what follows it. A number is never run into a word or a
# duration's unit (`5d`): declined. A relative time is one value, its
# shifts included (`today - 7d + 2h`).
_VALUE = re.compile(
    _BL
    + rf"""(?P<v>(?>{_STRING}
     |[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:[tT][0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?
      (?:[zZ]|[+-][0-9]{{2}}:?[0-9]{{2}})?(?![0-9a-zA-Z_])
     |-?[0-9]+(?![A-Za-z0-9_])
     |(?i:now|today|yesterday){_KW_END}
      (?:{_BL}[+-]{_BL}[0-9]+[a-zA-Z]+(?![0-9a-zA-Z_]))*
     |\$?{_WORD}))"""
    + _FOLLOW,
    _FLAGS,
)

# What follows `is null`, `in $p`, a list's or a group's `)`.
_JOIN = re.compile(_FOLLOW, _FLAGS)

# Words that are (or may be, in some state) a keyword: never read as a field
# or a bare value here (`custom`, `not`, `now` start other rules there).
_KEYWORDS = frozenset((*KEYWORDS, "custom"))

_Str = ast.Str
_Compare = ast.Compare
_Not = ast.Not


def _value_at(text: str, pos: int) -> tuple[ast.Value, re.Match[str]] | None:
    """The value that starts at ``pos`` (blanks before it skipped) and the
    match of :data:`_VALUE` that read it with what follows it; ``None``
    declines."""
    v = _VALUE.match(text, pos)
    if v is None:
        return None
    node = _value(text, *v.span("v"))
    return None if node is None else (node, v)


def _joined(text: str, pos: int) -> tuple[str | None, int] | None:
    """What follows at ``pos`` (:data:`_FOLLOW`'s group name) and where it
    ends; ``None`` declines."""
    j = _JOIN.match(text, pos)
    return None if j is None else (j.lastgroup, j.end())


def _value(text: str, start: int, end: int) -> ast.Value | None:
    """The value node of the token ``text[start:end]``; ``None`` declines."""
    t = text[start:end]
    c = t[0]
    if c == '"' or c == "'":
        if "\\" not in t:
            return _Str(t[1:-1], True, start, end)
        try:
            return _Str(unescape(t, start), True, start, end)
        except _EscapeError:
            return None
    if c == "$":
        return ast.Param(t[1:], start, end)
    if c <= "9":  # a digit or a minus
        if "-" in t[1:]:
            return ast.DateTime(t, start, end)
        return ast.Int(int_value(t), t, start, end)
    lower = t.lower()
    if lower in _KEYWORDS or not t.isidentifier():
        return _reltime(t, lower, start)
    return _Str(t, False, start, end)


# A relative time's shift, as _VALUE reads it: the sign, the amount, the unit.
_SHIFT = re.compile(_BL + rf"([+-]){_BL}([0-9]+)([a-zA-Z]+)", re.ASCII)
_BASES = frozenset(("now", "today", "yesterday"))


def _reltime(t: str, lower: str, start: int) -> ast.RelTime | None:
    """The relative time ``t`` (``today - 7d``, read by _VALUE) at offset
    ``start``; ``None`` for a keyword that starts none (``and``)."""
    size = len(lower) - len(lower.lstrip("abcdefghijklmnopqrstuvwxyz"))
    base = lower[:size]
    if base not in _BASES:
        return None
    shifts: list[tuple[int, str]] = []
    units: list[tuple[int, int]] = []
    p = size
    while p < len(t):
        m = _SHIFT.match(t, p)
        if m is None:  # pragma: no cover - _VALUE matched these
            return None
        sign, digits, unit = m.groups()
        shifts.append((shift_amount(sign, digits), unit))
        units.append((start + m.start(3), start + m.end(3)))
        p = m.end()
    end = units[-1][1] if units else start + size
    return ast.RelTime(base, tuple(shifts), start, end, tuple(units))


def _chain(items: list[ast.Expr], cls: type[ast.And] | type[ast.Or]) -> ast.Expr:
    """The operands of one `and` (or `or`) chain as the driver reduces
    them: one operand is itself; a parenthesised chain of the same
    connective joins it, the span running from the first operand to the
    last as written."""
    if len(items) == 1:
        return items[0]
    return cls(_flatten(items, cls), items[0].start, items[-1].end)


def parse_simple(text: str) -> ast.Expr | None:
    """The expression of ``text`` if it is a chain of simple predicates
    (module docstring), exactly as the LALR driver builds it; else
    ``None``: the driver must parse it."""
    head = _HEAD.match
    keywords = _KEYWORDS
    ors: list[ast.Expr] = []  # the finished operands of the current `or`
    ands: list[ast.Expr] = []  # the operands of the current `and` chain
    nots: list[int] = []  # where the `not`s before the next operand start
    groups: list[_Frame] = []  # the chains around each open parenthesis
    pos = 0
    while True:
        ref = None
        m = head(text, pos)
        if m is None:
            m = _HEAD_AFTER.match(text, pos)
            if m is None:
                return None
            p, stop = m.span("pre")
            while p < stop:
                pm = _PRE.match(text, p)
                if pm is None:  # pragma: no cover - _HEAD_AFTER matched these
                    return None
                if pm["n"] is not None:
                    nots.append(p)
                else:
                    groups.append((ors, ands, nots))
                    ors, ands, nots = [], [], []
                p = pm.end()
            ref = m["ref"]
        if ref is not None:  # a named query: `@hot`
            rs, rend = m.span("ref")
            node: ast.Expr = ast.Ref(ref[1:], rs, rend)
            after = _joined(text, rend)
            if after is None:
                return None
            tail, pos = after
        else:
            prop = m["prop"]
            if prop is not None:
                if prop.lower() in keywords:
                    return None
                fs, fe = m.span("prop")
                field = ast.Field(prop, None, fs, fe)
            else:
                fs = m.start("custom")
                key = m["key"]
                if key is not None:
                    field = ast.Field("custom", key, fs, m.end("key"))
                else:
                    qs, qe = m.span("qkey")
                    try:
                        key = unescape(text[qs:qe], qs)
                    except _EscapeError:
                        return None
                    field = ast.Field("custom", key, fs, m.end("rsqb"))
            op = m["op"]
            if op is not None:
                read = _value_at(text, m.end())
                if read is None:
                    return None
                val, v = read
                node = _Compare(field, _CANONICAL_OP[op], val, fs, v.end("v"))
                tail = v.lastgroup
                pos = v.end()
            elif m["in"] is not None:
                negated = m["not"] is not None
                param = m["param"]
                if param is not None:
                    ps, pe = m.span("param")
                    node = ast.In(field, ast.Param(param[1:], ps, pe), negated, fs, pe)
                    after = _joined(text, pe)
                    if after is None:
                        return None
                    tail, pos = after
                else:
                    values: list[ast.Value] = []
                    pos = m.end()
                    while True:
                        read = _value_at(text, pos)
                        if read is None:
                            return None
                        val, v = read
                        values.append(val)
                        tail = v.lastgroup
                        pos = v.end()
                        if tail != "c":
                            break
                    if tail == "r":  # another `)` follows: a group closes
                        node = ast.In(field, tuple(values), negated, fs, pos)
                        after = _joined(text, pos)
                        if after is None:
                            return None
                        tail, pos = after
                    else:
                        next_tail = _AFTER_PAREN.get(tail)  # type: ignore[arg-type]
                        if next_tail is None:
                            return None
                        node = ast.In(field, tuple(values), negated, fs, v.end("r"))
                        tail = next_tail
            elif m["between"] is not None:
                read = _value_at(text, m.end())
                if read is None or read[1].lastgroup != "a":
                    return None
                low = read[0]
                read = _value_at(text, read[1].end())
                if read is None:
                    return None
                high, v = read
                node = ast.Between(field, low, high, m["not"] is not None, fs, v.end("v"))
                tail = v.lastgroup
                pos = v.end()
            else:  # is [not] null
                ne = m.end("null")
                node = ast.IsNull(field, m["isnot"] is not None, fs, ne)
                after = _joined(text, ne)
                if after is None:
                    return None
                tail, pos = after
        if nots:
            for at in reversed(nots):
                node = _Not(node, at, node.end)
            nots = []
        ands.append(node)
        while tail == "r" or tail in _AFTER_PAREN:  # a group closes: its value is its chain
            if not groups:
                return None
            ors.append(_chain(ands, ast.And))
            node = _chain(ors, ast.Or)
            ors, ands, nots = groups.pop()
            for at in reversed(nots):
                node = _Not(node, at, node.end)
            nots = []
            ands.append(node)
            if tail != "r":  # what followed the `)` was read with it
                tail = _AFTER_PAREN[tail]
                break
            after = _joined(text, pos)
            if after is None:
                return None
            tail, pos = after
        if tail == "a":
            continue
        if tail == "o":
            ors.append(_chain(ands, ast.And))
            ands = []
            continue
        if tail != "e" or groups:  # a comma after a single value, or `(` left open
            return None
        ors.append(_chain(ands, ast.And))
        return _chain(ors, ast.Or)


__all__ = ["parse_simple"]
