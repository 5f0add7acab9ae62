"""Scans that build nothing: the start of a query as the completion engine
sees it (:func:`scan_prefix`), and the tokens and comments of a query for
the formatter (:func:`trivia`)."""

from __future__ import annotations

import re
from functools import lru_cache

from ..node import Node
from .lalr import _parser
from .lexer import COMMENT, _EscapeError, _LexError

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

_COMMENT_RE = re.compile(COMMENT)


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
