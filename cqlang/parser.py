"""Text to AST: the lexer, the LALR driver and the syntax diagnostics.

The grammar (grammar/cqlang.lark) is an LALR(1) grammar. Lark computes its
tables; a small driver here runs them, with the :class:`_Builder` callbacks
fused into it, so the parser builds the typed AST of :mod:`cqlang.ast` as it
reduces, with no intermediate parse tree. Spans come from tokens (which
always know their offsets); a node's span is that of its first and last
token, so no position propagation is paid for.

The tables come from one of two places (cqlang/_tablegen.py makes both):

* ``cqlang._parse_tables``: a module of plain data that the wheel's build
  hook (hatch_build.py) generates. It loads without importing Lark, which
  keeps the command line's cold start short.
* in an editable install (which has no generated module), Lark itself,
  reading grammar/cqlang.lark from the source tree at the first start,
  after which cqlang/_tablecache.py reads the tables back from a file kept
  under the grammar's hash.

The driver is the hot path of every compile (docs/performance.md): the
lexer is inlined in its loop, tokens are tuples, and a reduction goes
straight past the ``?rule``s of one child that would follow it.

The REPL's completion engine scans prefixes (:func:`scan_prefix`) with the
same lexer and tables, building nothing. :func:`lark_parser` gives a plain
Lark parser of the grammar, for grammar fuzzing and differential tests.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from . import ast
from .diagnostics import Diagnostic, make, suggest
from .errors import CqlSyntaxError
from .node import Node

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    from .types import CompareOp

    _Reduce = tuple[str, int, Callable[[list[Any]], Any] | None]

#: Largest query accepted, in characters.
MAX_QUERY_CHARS = 1_000_000
#: Deepest nesting of parentheses and ``not`` accepted.
MAX_DEPTH = 100
#: Longest integer literal kept as a number (longer ones are out of range).
_MAX_INT_DIGITS = 30

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

_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "/": "/"}
_SURROGATE = re.compile("[\ud800-\udfff]")

# What a terminal is called in an error message.
TERMINAL_NAMES: dict[str, str] = {
    "AND": "'and'",
    "OR": "'or'",
    "NOT": "'not'",
    "IN": "'in'",
    "BETWEEN": "'between'",
    "IS": "'is'",
    "NULL": "'null'",
    "NOW": "'now'",
    "TODAY": "'today'",
    "YESTERDAY": "'yesterday'",
    "CUSTOM": "'custom'",
    "LPAR": "'('",
    "RPAR": "')'",
    "LSQB": "'['",
    "RSQB": "']'",
    "COMMA": "','",
    "DOT": "'.'",
    "PLUS": "'+'",
    "MINUS": "'-'",
    "CMP_OP": "a comparison operator (= != < <= > >=)",
    "WORD": "a name",
    "STRING": "a quoted string",
    "INT": "an integer",
    "DATETIME": "a datetime",
    "DURATION": "a duration such as 7d, 90m or 1mo",
    "PARAM": "a parameter such as $name",
    "QUERYREF": "a named query such as @name",
    "$END": "the end of the query",
}

KEYWORDS = ("and", "or", "not", "in", "between", "is", "null", "now", "today", "yesterday")


class _EscapeError(Exception):
    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start, self.end, self.message = start, end, message


def unescape(raw: str, offset: int) -> str:
    """Decode a quoted string token (quotes included); ``offset`` is its start."""
    body = raw[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < n else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt == "u":
            digits = body[i + 2 : i + 6]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                code = int(digits, 16)
                i += 6
                if 0xD800 <= code <= 0xDFFF:
                    # UTF-16 surrogates: a high one followed by a low one is
                    # one character (as in JSON); a lone one is no character.
                    low = body[i + 2 : i + 6] if body[i : i + 2] == "\\u" else ""
                    if (
                        code <= 0xDBFF
                        and len(low) == 4
                        and all(c in "0123456789abcdefABCDEF" for c in low)
                        and 0xDC00 <= int(low, 16) <= 0xDFFF
                    ):
                        code = 0x10000 + ((code - 0xD800) << 10) + (int(low, 16) - 0xDC00)
                        i += 6
                    else:
                        pos = offset + 1 + i - 6
                        message = f"\\u{digits} is half of a surrogate pair, not a character"
                        raise _EscapeError(pos, pos + 6, message)
                out.append(chr(code))
            else:
                pos = offset + 1 + i
                raise _EscapeError(pos, pos + 2 + len(digits), "\\u needs four hex digits")
        else:
            pos = offset + 1 + i
            raise _EscapeError(pos, pos + 2, f"unknown escape '\\{nxt}' in a string")
    return "".join(out)


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
        digits = len(text) - (text[0] == "-")
        value = int(text) if digits <= _MAX_INT_DIGITS else (-1 if text[0] == "-" else 1) * 10**31
        return ast.Int(value, text, start, end)

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
        text = dur[1]
        unit = text.lstrip("0123456789")
        digits = text[: len(text) - len(unit)]
        amount = int(digits) if len(digits) <= _MAX_INT_DIGITS else 10**31
        if sign[1] == "-":
            amount = -amount
        return (amount, unit), (dur[3] - len(unit), dur[3])


# ------------------------------------------------------------------- lexer

# One pass over the text with one regular expression. Lark's contextual lexer
# tries, in each parser state, only the terminals that state accepts; this
# lexer keeps that behaviour where it matters (a word that spells a keyword
# is the keyword only where the parser accepts it; `-` is a minus after
# `now`; `7d` is a duration only after `+`/`-`) by asking the parser state,
# and otherwise matches the same terminals as grammar/cqlang.lark, reading
# whole words (`notin` is a name: Lark's contextual lexer would split it).
# tests/test_parser_lexer.py checks it against Lark's own lexer.
# The blanks and comments before a token are one atomic group: a comment is
# never taken back to let a token start inside it.
# The alternatives are tried in order; those that start with different
# characters are in the order of how often they come (a word first), those
# that may start alike in the grammar's order of priority (a datetime
# before an integer, an integer before a minus).
_TOKEN_RE = re.compile(
    r"""(?>(?:[ \t\r\n\f]+|\#[^\n]*)*)(?:
     (?P<WORD>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<CMP_OP>==|!=|<>|<=|>=|=|<|>)
    |(?P<LPAR>\()|(?P<RPAR>\))|(?P<COMMA>,)|(?P<DOT>\.)
    |(?P<STRING>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<DATETIME>[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[tT][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?"""
    r"""(?:[zZ]|[+-][0-9]{2}:?[0-9]{2})?(?![0-9a-zA-Z_]))
    |(?P<DURATION>[0-9]+[a-zA-Z]+(?![0-9a-zA-Z_]))
    |(?P<INT>-?[0-9]+)
    |(?P<PARAM>\$[A-Za-z_][A-Za-z0-9_]*)
    |(?P<QUERYREF>@[A-Za-z_][A-Za-z0-9_]*)
    |(?P<LSQB>\[)|(?P<RSQB>\])|(?P<PLUS>\+)|(?P<MINUS>-)
    |(?P<END>\Z))""",
    re.VERBOSE,
)
_KEYWORD_TYPES = {k: k.upper() for k in KEYWORDS}
_KEYWORD_TYPES["custom"] = "CUSTOM"


class _LexToken:
    """A token: its terminal, text and offsets. The parser reads ``type``
    and hands the token to the rule callbacks, which read the rest."""

    __slots__ = ("end_pos", "start_pos", "type", "value")

    def __init__(self, type_: str, value: str, start: int, end: int) -> None:
        self.type = type_
        self.value = value
        self.start_pos = start
        self.end_pos = end

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


class _LexError(Exception):
    def __init__(self, pos: int, allowed: set[str]) -> None:
        super().__init__(pos)
        self.pos = pos
        self.allowed = allowed


#: How many tokens apart the parse notes where it is (_ParseError.resume).
_RESUME_EVERY = 64


class _ParseError(Exception):
    """The parser met a token that no rule accepts there; ``resume`` is a
    point the parse passed before it, to look back from (see
    :meth:`_Parser.stack_before`)."""

    def __init__(self, token: _LexToken, resume: tuple[int, list[int]] | None = None) -> None:
        super().__init__(token.type)
        self.token = token
        self.resume = resume


_SKIP_RE = re.compile(r"(?:[ \t\r\n\f]+|#[^\n]*)*")


def skip_trivia(text: str, pos: int = 0) -> int:
    """Where the blanks and ``#`` comments that start at ``pos`` end: what
    the lexer skips between two tokens."""
    match = _SKIP_RE.match(text, pos)
    return match.end() if match is not None else pos


# ------------------------------------------------------------------- parser
# A small LALR driver over the tables Lark computes from grammar/cqlang.lark
# (cqlang/_tablegen.py says how they are laid out). In a wheel the tables are
# a module generated at build time, which loads without importing Lark; in an
# editable install they are computed at the first parse. Lexing and parsing
# run in one loop: the lexer reads the parser's current state to decide the
# context-dependent cases, as Lark's contextual lexer would.


def _reducer(
    callback: Callable[[list[Any]], Any],
    expand1: bool,
    include: tuple[tuple[int, bool], ...] | None,
) -> Callable[[list[Any]], Any]:
    """The function that turns one reduction's children into its value, the
    way Lark's tree builder would hand them to ``callback``."""
    f = callback
    if expand1:  # a ?rule with one child left is that child

        def f(c: list[Any], build: Callable[[list[Any]], Any] = callback) -> Any:
            return c[0] if len(c) == 1 else build(c)

    if include is None:
        return f
    inner = f
    plain = [i for i, inline in include if not inline]
    spliced = [i for i, inline in include if inline]
    if len(spliced) == 1 and include[0] == (spliced[0], True):
        # A left-recursive helper (`(AND not_expr)*`): its own list grows.
        first, rest = spliced[0], tuple(plain)

        def f(c: list[Any]) -> Any:
            kept: list[Any] = c[first]
            kept.extend([c[i] for i in rest])
            return inner(kept)

    elif len(spliced) == 1 and include[-1] == (spliced[0], True):
        # A rule and its helper's list (`not_expr (AND not_expr)*`).
        last, head = spliced[0], tuple(plain)

        def f(c: list[Any]) -> Any:
            kept = [c[i] for i in head]
            kept += c[last]
            return inner(kept)

    else:  # drop children, splice in helper rules' lists

        def f(c: list[Any]) -> Any:
            kept: list[Any] = []
            for i, inline in include:
                if not inline:
                    kept.append(c[i])
                elif kept:
                    kept += c[i]
                else:  # the left-recursive helper's own list grows
                    kept = c[i]
            return inner(kept)

    return f


def _keep(c: list[Any]) -> list[Any]:
    """A helper rule (``(OR and_expr)*``): its children, for its parent."""
    return c


class _Parser:
    """The LALR(1) driver: ``tables`` as cqlang/_tablegen.py lays them out,
    ``builder``'s methods as the rule callbacks, ``source`` naming where the
    tables came from."""

    def __init__(self, tables: dict[str, Any], builder: _Builder, source: str) -> None:
        self.source = source
        self.states: tuple[dict[str, int], ...] = tables["STATES"]
        self.start: int = tables["START"]
        self.end: int = tables["END"]
        reducers: list[_Reduce] = []
        for origin, size, name, expand1, include in tables["RULES"]:
            callback = getattr(builder, name, None)
            unit = expand1 and size == 1 and include is None
            if callback is None:
                # Only helper rules and ``?rule: child`` alternatives (whose
                # value is always their one child) need no callback.
                if not (name.startswith("_") or unit):
                    raise RuntimeError(f"no callback for the grammar rule {name!r}")
                callback = _keep
            # A ``?rule`` of one child is that child: the driver only moves
            # to the rule's state (``None``: no call, no list of children).
            reduce = None if unit else _reducer(callback, expand1, include)
            reducers.append((origin, size, reduce))
        self.reducers = tuple(reducers)
        # Where a reduction leads, by the state under it, the rule's name and
        # the lookahead, past the ``?rule``s of one child that reduce next
        # (`comparison` to `atom` to `not_expr`...): filled in as met.
        self.gotos: tuple[dict[tuple[str, str], int], ...] = tuple({} for _ in self.states)

    def _goto(self, below: int, origin: str, kind: str) -> int:
        """The state that reducing to ``origin`` over state ``below``, with
        ``kind`` next, leads to once the ``?rule``s of one child that then
        reduce are passed (they only rename the value); remembered."""
        states = self.states
        goto = states[below][origin]
        while goto != self.end:
            act = states[goto].get(kind)
            if act is None or act >= 0 or self.reducers[~act][2] is not None:
                break
            goto = states[below][self.reducers[~act][0]]  # one child: back on `below`
        self.gotos[below][(origin, kind)] = goto
        return goto

    def tokens(self, text: str, pos: int, stack: list[int]) -> Iterator[_LexToken]:
        """The tokens of ``text`` from ``pos``. The parser's state on top of
        ``stack``, read as each token is lexed (after the previous one was
        fed), decides the context-dependent cases. Raises _LexError."""
        states = self.states
        match = _TOKEN_RE.match
        keywords = _KEYWORD_TYPES
        while True:
            m = match(text, pos)
            if m is None:
                raise self._lex_error(text, pos, stack)
            kind = m.lastgroup or "END"
            if kind == "END":
                return
            start = m.start(kind)
            end = m.end()
            value = m.group(kind)
            if kind == "WORD":
                kw = keywords.get(value.lower())
                if kw is not None and kw in states[stack[-1]]:
                    kind = kw
            elif kind == "INT":
                if value[0] == "-" and "INT" not in states[stack[-1]]:
                    kind, value, end = "MINUS", "-", start + 1
            elif kind == "DURATION" and "DURATION" not in states[stack[-1]]:
                kind, value = "INT", value[: len(value) - len(value.lstrip("0123456789"))]
                end = start + len(value)
            yield _LexToken(kind, value, start, end)
            pos = end

    def _lex_error(self, text: str, pos: int, stack: list[int]) -> _LexError:
        skip = _SKIP_RE.match(text, pos)
        at = skip.end() if skip else pos
        return _LexError(at, self.accepts(stack) or self.expected(stack))

    def parse(self, text: str) -> Any:
        """The value of the ``start`` rule for ``text``; raises _LexError,
        _ParseError or _EscapeError.

        The lexer of :meth:`tokens` and the LALR loop in one: this is the
        hot path of every compile, so the token is a tuple, the parser's
        state row is kept at hand, and a ``?rule`` of one child is only a
        move to the rule's state."""
        states = self.states
        reducers = self.reducers
        gotos = self.gotos
        end_state = self.end
        match = _TOKEN_RE.match
        keywords = _KEYWORD_TYPES
        row = states[self.start]
        stack = [self.start]
        values: list[Any] = []
        pos = 0
        # Every so many tokens, where the parse is (the offset, the stack
        # before the next token): a syntax error's "expected ..." is asked of
        # the stack before the bad token, found again from the last one.
        resume: tuple[int, list[int]] | None = None
        countdown = _RESUME_EVERY
        while True:
            countdown -= 1
            if not countdown:
                resume, countdown = (pos, stack[:]), _RESUME_EVERY
            m = match(text, pos)
            if m is None:
                raise self._lex_error(text, pos, stack)
            kind: str = m.lastgroup  # type: ignore[assignment]  # a group always matches
            if kind == "END":
                kind = "$END"
                tok: tuple[str, str, int, int] = (kind, "", len(text), len(text))
            else:
                value = m.group(kind)
                end = m.end()
                start = end - len(value)  # every token ends where the match does
                if kind == "WORD":
                    kw = keywords.get(value.lower())
                    if kw is not None and kw in row:
                        kind = kw
                elif kind == "INT":
                    if value[0] == "-" and "INT" not in row:
                        kind, value, end = "MINUS", "-", start + 1
                elif kind == "DURATION" and "DURATION" not in row:
                    kind, value = "INT", value[: len(value) - len(value.lstrip("0123456789"))]
                    end = start + len(value)
                tok = (kind, value, start, end)
                pos = end
            while True:
                act = row.get(kind)
                if act is None:
                    raise _ParseError(_LexToken(*tok), resume)
                if act >= 0:  # shift
                    if kind == "$END":  # pragma: no cover - the tables never shift it
                        raise _ParseError(_LexToken(*tok), resume)
                    stack.append(act)
                    values.append(tok)
                    row = states[act]
                    break
                origin, size, reduce = reducers[~act]
                if size == 1:  # a token's rule, mostly: its value in place
                    if reduce is not None:  # (None: a ?rule, which _goto passes)
                        values[-1] = reduce([values[-1]])
                    del stack[-1]
                elif size:
                    children = values[-size:]
                    del values[-size:]
                    del stack[-size:]
                    values.append(reduce(children))  # type: ignore[misc]
                else:
                    values.append(reduce([]))  # type: ignore[misc]
                below = stack[-1]
                goto = gotos[below].get((origin, kind))
                if goto is None:
                    goto = self._goto(below, origin, kind)
                if goto == end_state:  # only $END gets here: the query is whole
                    return values[-1]
                stack.append(goto)
                row = states[goto]

    def stack_before(
        self, text: str, until: int, resume: tuple[int, list[int]] | None = None
    ) -> list[int]:
        """The parser's state stack just before the token that starts at
        offset ``until`` (or at the end of the text), building nothing:
        what a syntax error's "expected ..." is asked of. The lexer of
        :meth:`parse`, inline, and the tables alone (a long query that
        ends too early is the common case while typing), from ``resume``
        (an offset before ``until`` and the stack there) when given."""
        states = self.states
        reducers = self.reducers
        gotos = self.gotos
        match = _TOKEN_RE.match
        keywords = _KEYWORD_TYPES
        pos, stack = (0, [self.start]) if resume is None else (resume[0], resume[1][:])
        row = states[stack[-1]]
        while True:
            m = match(text, pos)
            if m is None or m.lastgroup == "END":
                return stack
            kind: str = m.lastgroup  # type: ignore[assignment]
            value = m.group(kind)
            end = m.end()
            start = end - len(value)
            if start == until:
                return stack
            if kind == "WORD":
                kw = keywords.get(value.lower())
                if kw is not None and kw in row:
                    kind = kw
            elif kind == "INT":
                if value[0] == "-" and "INT" not in row:
                    kind, end = "MINUS", start + 1
            elif kind == "DURATION" and "DURATION" not in row:
                kind, end = "INT", start + len(value) - len(value.lstrip("0123456789"))
            pos = end
            while True:
                act = row.get(kind)
                if act is None:
                    return stack
                if act >= 0:
                    stack.append(act)
                    row = states[act]
                    break
                origin, size, _ = reducers[~act]
                if size:
                    del stack[-size:]
                below = stack[-1]
                goto = gotos[below].get((origin, kind))
                if goto is None:
                    goto = self._goto(below, origin, kind)
                stack.append(goto)
                row = states[goto]

    def expected(self, stack: list[int]) -> set[str]:
        """The terminals that the state on top of ``stack`` has an action for."""
        return {t for t in self.states[stack[-1]] if t.isupper()}

    def accepts(self, stack: list[int]) -> set[str]:
        """The terminals that the parser, in ``stack``, would really shift:
        LALR tables reduce on some lookaheads that fail a step later."""
        return {t for t in self.expected(stack) if self.feed(list(stack), t)}

    def feed(self, stack: list[int], terminal: str) -> bool:
        """Feed one terminal to the parser in ``stack`` (changed in place),
        building nothing; false if the grammar does not allow it there."""
        states = self.states
        while True:
            act = states[stack[-1]].get(terminal)
            if act is None:
                return False
            if act >= 0:
                stack.append(act)
                return True
            origin, size, _ = self.reducers[~act]
            if size:
                del stack[-size:]
            goto = states[stack[-1]][origin]
            if goto == self.end:
                return terminal == "$END"
            stack.append(goto)


@lru_cache(maxsize=1)
def _parser() -> _Parser:
    try:
        from . import _parse_tables
    except ImportError:  # an editable install: no tables were generated
        pass
    else:
        return _Parser(dict(vars(_parse_tables)), _Builder(), "cqlang._parse_tables")
    from . import _tablecache  # an editable install: made from Lark once, then cached

    tables, source = _tablecache.load()
    return _Parser(tables, _Builder(), source)


def backend_name() -> str:
    """Where the parser's tables come from: ``cqlang._parse_tables`` (made at
    build time, in a wheel), ``cache`` (an editable install's, made from
    Lark once: cqlang/_tablecache.py) or ``lark`` (computed just now)."""
    return _parser().source


# ----------------------------------------------------------------- grammar


def grammar_path() -> Path:
    """The grammar file: inside the package (wheel) or in the source tree.
    Only an editable install's parser and tools read it."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    packaged = here / "grammar" / "cqlang.lark"
    if packaged.is_file():
        return packaged
    return here.parent / "grammar" / "cqlang.lark"


def grammar_text() -> str:
    return grammar_path().read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def lark_parser() -> Any:
    """A plain Lark LALR parser of the grammar (trees, no AST), for tools such
    as grammar fuzzers (tests/test_properties.py) and differential tests."""
    import lark

    # No grammar cache here: a Lark object loaded from the cache has no
    # ``.grammar``, which grammar fuzzers (hypothesis.extra.lark) read.
    return lark.Lark(grammar_text(), parser="lalr", lexer="contextual")


# -------------------------------------------------------------- completion
# The completion engine (cqlang/completion.py) asks what the grammar accepts
# after the text before the cursor; it gets plain data. A scan runs the same
# lexer and tables as parsing, building nothing. It resumes from the
# checkpoints of the previous scan (the parser's state stack after each token
# that a blank follows) that the new text shares, so typing at the end of a
# long query does not lex and parse all of it again.


class Scan(Node):
    """What the grammar makes of the start of a query: its tokens as
    ``(terminal, text, start, end)``, the terminals it accepts next, and the
    offset where it stops being the start of any query (``None``: it is one;
    otherwise ``tokens`` are those before that offset)."""

    tokens: tuple[tuple[str, str, int, int], ...]
    accepts: frozenset[str]
    error: int | None = None


_Tok = tuple[str, str, int, int]
_Checkpoint = tuple[int, int, tuple[int, ...]]  # offset, tokens before it, state stack
# The previous scan: its text, tokens and checkpoints.
_last_scan: tuple[str, tuple[_Tok, ...], tuple[_Checkpoint, ...]] = ("", (), ())


@lru_cache(maxsize=256)
def scan_prefix(text: str) -> Scan:
    """Lex and parse ``text`` as the start of a query (see :class:`Scan`)."""
    global _last_scan
    p = _parser()
    old, old_tokens, old_points = _last_scan
    points = [c for c in old_points if c[0] <= len(text) and text.startswith(old[: c[0]])]
    tokens: list[_Tok] = []
    if points:
        pos, count, saved = points[-1]
        tokens.extend(old_tokens[:count])
        stack = list(saved)
    else:
        pos, stack = 0, [p.start]
    error: int | None = None

    def checkpoint() -> None:
        end = tokens[-1][3] if tokens else -1
        fresh = not points or points[-1][0] <= end
        if fresh and 0 <= end < len(text) and text[end] in " \t\r\n\f":
            points.append((end + 1, len(tokens), tuple(stack)))

    try:
        for tok in p.tokens(text, pos, stack):
            checkpoint()
            if not p.feed(stack, tok.type):
                error = tok.start_pos
                break
            tokens.append((tok.type, tok.value, tok.start_pos, tok.end_pos))
        else:
            checkpoint()
    except _LexError as exc:
        error = exc.pos
    _last_scan = (text, tuple(tokens), tuple(points))
    accepts = frozenset() if error is not None else frozenset(p.accepts(stack))
    return Scan(tuple(tokens), accepts, error)


# ------------------------------------------------------------------ trivia
# The parser skips blanks and comments; the formatter needs to know where the
# comments are and which tokens they sit between. Asked for separately (the
# parse itself never pays for it): the same lexer and tables run over the
# text again, and each comment is found in the gap between two tokens, which
# by the lexer's own definition holds nothing but blanks and comments.

_COMMENT_RE = re.compile(r"#[^\n]*")


class Trivia(Node):
    """The tokens of a query as ``(terminal, start, end)`` and its comments
    as ``(start, end)`` spans (``#`` to the end of its line), in text order."""

    tokens: tuple[tuple[str, int, int], ...]
    comments: tuple[tuple[int, int], ...]


def trivia(text: str) -> Trivia:
    """The tokens and comments of ``text``; for a text that is not a query,
    those before the first mistake."""
    p = _parser()
    stack = [p.start]
    tokens: list[tuple[str, int, int]] = []
    comments: list[tuple[int, int]] = []
    pos = 0
    try:
        for tok in p.tokens(text, 0, stack):
            if tok.start_pos > pos:
                comments.extend(m.span() for m in _COMMENT_RE.finditer(text, pos, tok.start_pos))
            if not p.feed(stack, tok.type):
                return Trivia(tuple(tokens), tuple(comments))
            tokens.append((tok.type, tok.start_pos, tok.end_pos))
            pos = tok.end_pos
    except (_LexError, _EscapeError):
        return Trivia(tuple(tokens), tuple(comments))
    comments.extend(m.span() for m in _COMMENT_RE.finditer(text, pos))
    return Trivia(tuple(tokens), tuple(comments))


# ------------------------------------------------------------------ errors


def describe_expected(expected: set[str] | frozenset[str]) -> str:
    names = sorted({TERMINAL_NAMES.get(t, t) for t in expected if not t.startswith("__")})
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return "one of " + ", ".join(names)


def _syntax_diagnostic(err: _ParseError, text: str, parser: _Parser) -> Diagnostic:
    tok = err.token
    # What could have stood there: asked of the parser as it was before this
    # token, since LALR tables may reduce on a token before finding it wrong
    # (in `state = OPEN)` the `)` would otherwise leave only "the end of the
    # query" to suggest, not 'and' and 'or').
    before = parser.stack_before(text, tok.start_pos, err.resume)
    expected_set = parser.accepts(before) or parser.expected(before)
    expected = describe_expected(expected_set)
    if tok.type == "$END":
        pos = len(text.rstrip())
        return make(
            text,
            "CQL004",
            "the query ends too early",
            pos,
            pos,
            hint=f"expected {expected}" if expected else None,
        )
    shown = tok.value
    hint = f"expected {expected}" if expected else None
    kw = [TERMINAL_NAMES[t].strip("'") for t in expected_set if t in TERMINAL_NAMES]
    kw = [k for k in kw if k.isalpha()]
    low = shown.lower()
    # `notin`, `isnull`: two keywords run together (keywords are whole words).
    close = next(
        (f"{k} {low[len(k) :]}" for k in kw if low.startswith(k) and low[len(k) :] in KEYWORDS),
        None,
    )
    if close is None and (tok.type == "WORD" or shown.isalpha()):
        close = suggest(shown, kw)
    fix = None
    if close and close.lower() != shown.lower():
        hint = f"did you mean '{close}'? ({hint})" if hint else f"did you mean '{close}'?"
        fix = close
    return make(
        text,
        "CQL001",
        f"unexpected {shown!r}",
        tok.start_pos,
        tok.end_pos,
        hint=hint,
        suggestion=fix,
    )


def _lex_diagnostic(text: str, pos: int, allowed: set[str]) -> Diagnostic:
    ch = text[pos] if pos < len(text) else ""
    if ch in "\"'":
        return make(
            text,
            "CQL003",
            "this string is never closed",
            pos,
            pos + 1,
            hint=f"add the closing {ch}",
        )
    expected = describe_expected(allowed)
    hint = f"expected {expected}" if expected else None
    return make(text, "CQL002", f"unexpected character {ch!r}", pos, pos + 1, hint=hint)


def _depth(expr: ast.Expr) -> tuple[int, Any]:
    """Nesting depth of connectives, computed without recursion, and the
    first node (in text order) that lies deeper than :data:`MAX_DEPTH`."""
    best = 0
    first: Any = None
    stack: list[tuple[Any, int]] = [(expr, 1)]
    while stack:
        node, d = stack.pop()
        if d > best:
            best = d
        if d == MAX_DEPTH + 1 and (first is None or node.start < first.start):
            first = node
        if isinstance(node, ast.And | ast.Or):
            stack.extend((x, d + 1) for x in node.items)
        elif isinstance(node, ast.Not):
            stack.append((node.expr, d + 1))
    return best, first


def parse_diagnostics(text: str) -> tuple[ast.Query | None, list[Diagnostic]]:
    """Parse ``text``; return the query, or ``None`` and one syntax diagnostic."""
    if len(text) > MAX_QUERY_CHARS:
        return None, [
            make(
                text,
                "CQL006",
                f"the query is {len(text)} characters long; the limit is {MAX_QUERY_CHARS}",
                MAX_QUERY_CHARS,
                len(text),
            )
        ]
    bad = _SURROGATE.search(text)
    if bad is not None:
        # Not Unicode text (e.g. undecodable bytes from a command line): it
        # could never be sent as UTF-8.
        pos = bad.start()
        code = ord(text[pos])
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            message = f"byte 0x{code - 0xDC00:02X} is not UTF-8 text"
            hint = "queries are read as UTF-8: save or convert the text as UTF-8"
        else:
            message, hint = f"unexpected character U+{code:04X}", None
        return None, [make(text, "CQL002", message, pos, pos + 1, hint=hint)]
    parser = _parser()
    try:
        expr = parser.parse(text)
    except _EscapeError as exc:
        return None, [make(text, "CQL005", exc.message, exc.start, exc.end)]
    except _LexError as exc:
        return None, [_lex_diagnostic(text, exc.pos, exc.allowed)]
    except _ParseError as exc:
        return None, [_syntax_diagnostic(exc, text, parser)]
    # Without parentheses a query nests at most 3 levels (or, and, the
    # predicate) plus one per `not`; each parenthesis adds at most 2 (or, and).
    nots = text.lower().count("not")
    if expr is not None and 2 * text.count("(") + nots + 3 > MAX_DEPTH:
        depth, deeper = _depth(expr)
        if depth > MAX_DEPTH:
            # The caret goes under the first word of the first part too deep.
            word = re.compile(r"\w+|\S").match(text, deeper.start)
            end = word.end() if word else deeper.start + 1
            return None, [
                make(
                    text,
                    "CQL007",
                    f"the query nests {depth} levels deep; the limit is {MAX_DEPTH}",
                    deeper.start,
                    end,
                    hint=f"this is level {MAX_DEPTH + 1}; flatten it: a chain of and/or "
                    "needs no parentheses",
                )
            ]
    return ast.Query(expr, text), []


@lru_cache(maxsize=512)
def _parse_cached(text: str) -> tuple[ast.Query | None, tuple[Diagnostic, ...]]:
    query, diags = parse_diagnostics(text)
    return query, tuple(diags)


def parse(text: str) -> ast.Query:
    """Parse a query; raise :class:`CqlSyntaxError` if it is not one."""
    if not isinstance(text, str):
        raise TypeError(f"a query is a str, not {type(text).__name__}")
    query, diags = _parse_cached(text)
    if query is None:
        raise CqlSyntaxError(diags[0].message, diags, text)
    return query
