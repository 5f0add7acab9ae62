"""Text to AST: the lexer, the LALR driver and the syntax diagnostics.

The grammar (grammar/cqlang.lark) is an LALR(1) grammar. Lark computes its
tables; a small driver runs them, with the rule callbacks fused into it, so
the parser builds the typed AST of :mod:`cqlang.ast` as it reduces, with no
intermediate parse tree. Spans come from tokens (which always know their
offsets); a node's span is that of its first and last token, so no
position propagation is paid for.

This module holds the entry points (:func:`parse`, :func:`parse_diagnostics`)
and the limits; one module per job does the rest, and only this package
knows the LALR tables:

* :mod:`.lexer`: the token pattern, keywords, string escapes, blanks;
* :mod:`.simple`: the fast path, tried first: a chain of simple predicates
  read without the tables, into the tree the driver would build, or
  declined (then the driver parses the text);
* :mod:`.lalr`: the LALR driver, the hot path of every compile
  (docs/performance.md), and where its tables come from (a module
  generated into the wheel, or Lark and cqlang/_tablecache.py in an
  editable install);
* :mod:`.builder`: the rule callbacks that build the AST;
* :mod:`.syntax`: the diagnostics of a text that is not a query;
* :mod:`.scan`: scans that build nothing, for the completion engine
  (:func:`scan_prefix`) and the formatter (:func:`trivia`);
* :mod:`.grammar`: the grammar file and a plain Lark parser of it
  (:func:`lark_parser`), for grammar fuzzing and differential tests.

The last three are not needed to compile a valid query: they load on first
use.
"""

from __future__ import annotations

from functools import lru_cache

from .. import argcheck, ast
from ..diagnostics import Diagnostic, make
from ..errors import CqlSyntaxError
from .builder import _CANONICAL_OP, COMPARE_SPELLINGS, _Builder
from .lalr import _ParseError, _Parser, _parser, backend_name
from .lexer import (
    _TOKEN_RE,
    KEYWORDS,
    EscapeError,
    _EscapeError,
    _LexError,
    custom_text,
    quote,
    skip_trivia,
    unescape,
    value_text,
)
from .simple import parse_simple

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .grammar import grammar_path, grammar_text, lark_parser
    from .scan import Scan, Trivia, scan_prefix, trivia
    from .syntax import TERMINAL_NAMES, describe_expected

#: Largest query accepted, in characters.
MAX_QUERY_CHARS = 1_000_000
#: Deepest nesting of parentheses and ``not`` accepted.
MAX_DEPTH = 100

#: Whether a chain of simple predicates is read by the fast path
#: (:mod:`.simple`) before the LALR driver; the tests turn it off to compare.
_FAST_PATH = True


def _first_surrogate(text: str) -> int:
    """The offset of the first surrogate code point in ``text``, or -1.
    Surrogates are the only code points UTF-8 cannot encode, so the encoder
    finds them; a regular expression of their range would cost some 0.4 ms
    to compile at every start."""
    if text.isascii():
        return -1
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return -1


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
    pos = _first_surrogate(text)
    if pos >= 0:
        # Not Unicode text (e.g. undecodable bytes from a command line): it
        # could never be sent as UTF-8.
        code = ord(text[pos])
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            message = f"byte 0x{code - 0xDC00:02X} is not UTF-8 text"
            hint = "queries are read as UTF-8: save or convert the text as UTF-8"
        else:
            message, hint = f"unexpected character U+{code:04X}", None
        return None, [make(text, "CQL002", message, pos, pos + 1, hint=hint)]
    expr = parse_simple(text) if _FAST_PATH else None
    if expr is None:  # not a chain of simple predicates, or an empty query
        return _parse_lalr(text)
    return _checked_depth(text, expr)


def _parse_lalr(text: str) -> tuple[ast.Query | None, list[Diagnostic]]:
    """:func:`parse_diagnostics` by the LALR driver alone (the limits on
    the text's length and characters already checked)."""
    parser = _parser()
    try:
        expr = parser.parse(text)
    except _EscapeError as exc:
        return None, [make(text, "CQL005", exc.message, exc.start, exc.end)]
    except _LexError as exc:
        from .syntax import _lex_diagnostic

        return None, [_lex_diagnostic(text, exc.pos, exc.allowed)]
    except _ParseError as exc:
        from .syntax import _syntax_diagnostic

        return None, [_syntax_diagnostic(exc, text, parser)]
    return _checked_depth(text, expr)


def _checked_depth(text: str, expr: ast.Expr | None) -> tuple[ast.Query | None, list[Diagnostic]]:
    """The query of ``expr``, or CQL007 if it nests too deep."""
    # Without parentheses a query nests at most 3 levels (or, and, the
    # predicate) plus one per `not`; each parenthesis adds at most 2 (or, and).
    nots = text.lower().count("not")
    if expr is not None and 2 * text.count("(") + nots + 3 > MAX_DEPTH:
        depth, deeper = _depth(expr)
        if depth > MAX_DEPTH:
            # The caret goes under the first token of the first part too deep
            # (the lexer's own reading, not a second pattern).
            word = _TOKEN_RE.match(text, deeper.start)
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
    argcheck.query(text)
    query, diags = _parse_cached(text)
    if query is None:
        raise CqlSyntaxError(diags[0].message, diags, text)
    return query


# Not needed to compile a valid query: loaded on first use.
_LAZY = {
    "Scan": "scan",
    "Trivia": "scan",
    "scan_prefix": "scan",
    "trivia": "scan",
    "grammar_path": "grammar",
    "grammar_text": "grammar",
    "lark_parser": "grammar",
    "TERMINAL_NAMES": "syntax",
    "describe_expected": "syntax",
}


def __getattr__(name: str) -> Any:
    from .._lazy import load  # on first use: importing the package stays light

    return load(__name__, _LAZY, globals(), name)


__all__ = [
    "COMPARE_SPELLINGS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "TERMINAL_NAMES",
    "_CANONICAL_OP",
    "EscapeError",
    "Scan",
    "Trivia",
    "_Builder",
    "_EscapeError",
    "_LexError",
    "_ParseError",
    "_Parser",
    "_parser",
    "backend_name",
    "custom_text",
    "describe_expected",
    "grammar_path",
    "grammar_text",
    "lark_parser",
    "parse",
    "parse_diagnostics",
    "quote",
    "scan_prefix",
    "skip_trivia",
    "trivia",
    "unescape",
    "value_text",
]
