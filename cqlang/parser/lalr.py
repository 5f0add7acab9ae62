"""The LALR(1) driver, and the tables it runs.

The tables are those Lark computes from grammar/cqlang.lark, laid out by
cqlang/_tablegen.py. They come from one of two places:

* ``cqlang._parse_tables``: a module of plain data that the wheel's build
  hook (hatch_build.py) generates. It loads without importing Lark, which
  keeps the command line's cold start short.
* in an editable install (which has no generated module), Lark itself,
  reading grammar/cqlang.lark from the source tree at the first start,
  after which cqlang/_tablecache.py reads the tables back from a file kept
  under the grammar's hash.

The driver is the hot path of every compile (docs/performance.md): the
lexer (:mod:`.lexer`) is inlined in its loop, tokens are tuples, the rule
callbacks of :mod:`.builder` are fused into it, and a reduction goes
straight past the ``?rule``s of one child that would follow it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from functools import lru_cache

from .builder import _Builder
from .lexer import _KEYWORD_TYPES, _SKIP_RE, _TOKEN_RE, _LexError, _LexToken

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    _Reduce = tuple[str, int, Callable[[list[Any]], Any] | None]

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
                value = m[kind]
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
    # Imported by name: the module exists only in a wheel, and in the source
    # tree import-graph tools (grimp, import-linter) would read
    # `from .. import _parse_tables` as an import of the package cqlang
    # itself, which imports this module: a cycle that is not there.
    generated = "cqlang._parse_tables"
    try:
        __import__(generated)
    except ImportError:  # an editable install: no tables were generated
        pass
    else:
        return _Parser(dict(vars(sys.modules[generated])), _Builder(), generated)
    from .. import _tablecache  # an editable install: made from Lark once, then cached

    tables, source = _tablecache.load()
    return _Parser(tables, _Builder(), source)


def backend_name() -> str:
    """Where the parser's tables come from: ``cqlang._parse_tables`` (made at
    build time, in a wheel), ``cache`` (an editable install's, made from
    Lark once: cqlang/_tablecache.py) or ``lark`` (computed just now)."""
    return _parser().source
