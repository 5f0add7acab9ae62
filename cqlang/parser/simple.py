"""The parser's fast path: a query that is a chain of simple predicates.

Most queries are predicates joined by ``and`` and ``or``, with no
parentheses, ``not`` before a predicate, named query or relative time:
``priority >= 5 and state in (OPEN, PROCESSING) and custom.region = "PL"``.
:func:`parse_simple` reads such a text with a few regular expressions, one
per predicate's field and operator and one per value (with whatever follows
it: ``and``, ``or``, ``,``, ``)``, the end), and builds the same tree the
LALR driver (:mod:`.lalr`) would build, spans included. It knows nothing of
the LALR tables.

At the first thing it does not read (a parenthesis that groups, ``not``
before a predicate, a relative time, an empty list, a word that spells a
keyword where a field or value goes, an integer run into a word, a bad
string escape, any mistake) it declines: it returns ``None`` and the LALR
driver parses the text as before, so every error, caret and message is the
driver's. tests/test_parser_simple.py checks, on texts generated to reach
the fast path and on any text, that it builds what the driver builds or
declines.
"""

from __future__ import annotations

import re

from .. import ast
from .builder import _CANONICAL_OP, int_value
from .lexer import KEYWORDS, _EscapeError, unescape

# The blanks and comments between tokens, as the lexer skips them.
_BL = r"(?>(?:[ \t\r\n\f]+|\#[^\n]*)*)"
# A word is read whole, as the lexer reads it (no backtracking into it).
_WORD = r"[A-Za-z_][A-Za-z0-9_]*(?![A-Za-z0-9_])"
_STRING = r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'"""
# A keyword ends where a word would (the lexer reads whole words).
_KW_END = r"(?![A-Za-z0-9_])"

# A predicate up to its first value: the field, then the operator
# (`= < ...`, `[not] in (`, `[not] in $p`, `[not] between`, `is [not] null`).
_HEAD = re.compile(
    _BL
    + rf"""(?:
     (?P<custom>(?i:custom)){_KW_END}{_BL}
       (?:\.{_BL}(?P<key>{_WORD})|\[{_BL}(?P<qkey>{_STRING}){_BL}(?P<rsqb>\]))
    |(?P<prop>{_WORD}))
    {_BL}(?:
     (?P<op>==|!=|<>|<=|>=|=|<|>)
    |(?P<not>(?i:not){_KW_END}{_BL})?
     (?:(?P<in>(?i:in){_KW_END}{_BL}(?:\(|(?P<param>\${_WORD})))
       |(?P<between>(?i:between){_KW_END}))
    |(?i:is){_KW_END}{_BL}(?P<isnot>(?i:not){_KW_END}{_BL})?(?P<null>(?i:null){_KW_END})
    )""",
    re.VERBOSE,
)

# One value and what follows it: `and`, `or`, a comma, a closing
# parenthesis (then `and`, `or` or the end), or the end of the text. A
# number is never run into a word or a duration's unit (`5d`): declined.
_VALUE = re.compile(
    _BL
    + rf"""(?P<v>(?>{_STRING}
     |[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}(?:[tT][0-9]{{2}}:[0-9]{{2}}(?::[0-9]{{2}})?)?
      (?:[zZ]|[+-][0-9]{{2}}:?[0-9]{{2}})?(?![0-9a-zA-Z_])
     |-?[0-9]+(?![A-Za-z0-9_])
     |\$?{_WORD}))
    {_BL}(?:
     (?P<a>(?i:and){_KW_END})
    |(?P<o>(?i:or){_KW_END})
    |(?P<c>,)
    |(?P<ra>\){_BL}(?i:and){_KW_END})
    |(?P<ro>\){_BL}(?i:or){_KW_END})
    |(?P<re>\){_BL}\Z)
    |(?P<e>\Z))""",
    re.VERBOSE,
)

# What follows `is null` or `in $p`: `and`, `or` or the end of the text.
_JOIN = re.compile(_BL + rf"(?:(?P<a>(?i:and){_KW_END})|(?P<o>(?i:or){_KW_END})|(?P<e>\Z))")

# Words that are (or may be, in some state) a keyword: never read as a field
# or a bare value here (`custom`, `not`, `now` start other rules there).
_KEYWORDS = frozenset((*KEYWORDS, "custom"))

_Str = ast.Str
_Compare = ast.Compare


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
    if t.lower() in _KEYWORDS:
        return None
    return _Str(t, False, start, end)


def parse_simple(text: str) -> ast.Expr | None:
    """The expression of ``text`` if it is a chain of simple predicates
    joined by ``and`` and ``or`` (module docstring), exactly as the LALR
    driver builds it; else ``None``: the driver must parse it."""
    head = _HEAD.match
    value = _VALUE.match
    keywords = _KEYWORDS
    ors: list[ast.Expr] = []  # the finished operands of `or`
    ands: list[ast.Expr] = []  # the operands of the current `and` chain
    pos = 0
    while True:
        m = head(text, pos)
        if m is None:
            return None
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
            v = value(text, m.end())
            if v is None:
                return None
            vs, ve = v.span("v")
            val = _value(text, vs, ve)
            if val is None:
                return None
            node: ast.Expr = _Compare(field, _CANONICAL_OP[op], val, fs, ve)
            tail = v.lastgroup
            pos = v.end()
        elif m["in"] is not None:
            negated = m["not"] is not None
            param = m["param"]
            if param is not None:
                ps, pe = m.span("param")
                node = ast.In(field, ast.Param(param[1:], ps, pe), negated, fs, pe)
                j = _JOIN.match(text, pe)
                if j is None:
                    return None
                tail = j.lastgroup
                pos = j.end()
            else:
                values: list[ast.Value] = []
                pos = m.end()
                while True:
                    v = value(text, pos)
                    if v is None:
                        return None
                    vs, ve = v.span("v")
                    val = _value(text, vs, ve)
                    if val is None:
                        return None
                    values.append(val)
                    tail = v.lastgroup
                    pos = v.end()
                    if tail != "c":
                        break
                if tail == "ra":
                    end = v.start("ra") + 1
                    tail = "a"
                elif tail == "ro":
                    end = v.start("ro") + 1
                    tail = "o"
                elif tail == "re":
                    end = v.start("re") + 1
                    tail = "e"
                else:
                    return None
                node = ast.In(field, tuple(values), negated, fs, end)
        elif m["between"] is not None:
            v = value(text, m.end())
            if v is None or v.lastgroup != "a":
                return None
            low = _value(text, *v.span("v"))
            if low is None:
                return None
            v = value(text, v.end())
            if v is None:
                return None
            vs, ve = v.span("v")
            high = _value(text, vs, ve)
            if high is None:
                return None
            node = ast.Between(field, low, high, m["not"] is not None, fs, ve)
            tail = v.lastgroup
            pos = v.end()
        else:  # is [not] null
            ne = m.end("null")
            node = ast.IsNull(field, m["isnot"] is not None, fs, ne)
            j = _JOIN.match(text, ne)
            if j is None:
                return None
            tail = j.lastgroup
            pos = j.end()
        ands.append(node)
        if tail == "a":
            continue
        if tail == "c":  # a comma after a single value
            return None
        if tail not in ("o", "e"):  # pragma: no cover - the patterns allow no other
            return None
        if len(ands) == 1:
            ors.append(ands[0])
        else:
            ors.append(ast.And(tuple(ands), ands[0].start, ands[-1].end))
        if tail == "e":
            break
        ands = []
    if len(ors) == 1:
        return ors[0]
    return ast.Or(tuple(ors), ors[0].start, ors[-1].end)


__all__ = ["parse_simple"]
