"""The REPL's highlighting, lexed again only from where the text changed.

prompt_toolkit's ``PygmentsLexer`` lexes the whole input again at every
key press: on a 200-clause query, several milliseconds a key. The
:class:`IncrementalHighlighter` keeps the tokens of the text it lexed last
and, for a new text, keeps the tokens before the first changed character,
back to a point where the lexer is known to start afresh, and lexes from
there on (the same :class:`cqlang.highlight.CqlangLexer`). What it shows is
exactly what ``PygmentsLexer(CqlangLexer)`` shows (tests/test_repl_speed.py
compares them over random texts and edits).

A point to start again from is the start of a token that follows a run of
blanks that the lexer's top state read, unless the token before the blanks
is ``custom`` or a ``.`` (``custom . key`` is one rule, which reads across
blanks), and unless it is a ``\\`` that does not start its line (the meta
command rule is anchored at the start of a line). Every rule of the lexer
reads at most one character past its match except that one, so the tokens
before such a point cannot change when only the text after it does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from prompt_toolkit.document import Document
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.formatted_text.utils import split_lines
from prompt_toolkit.lexers import Lexer
from prompt_toolkit.styles.pygments import pygments_token_to_classname
from pygments.token import Name, Punctuation, Whitespace, _TokenType

from ..statements import shared_end, shared_start

if TYPE_CHECKING:
    from ..highlight import CqlangLexer

__all__ = ["IncrementalHighlighter"]

_Token = tuple[int, _TokenType, str]


class IncrementalHighlighter(Lexer):
    """A prompt_toolkit lexer for cqlang input (see the module docstring)."""

    def __init__(self) -> None:
        # The Pygments lexer (its module import and its compiled rules) is
        # made on the first text to lex, not before the first prompt.
        self._lexer_: CqlangLexer | None = None
        self._styles: dict[_TokenType, str] = {}
        self._text = ""
        self._tokens: list[_Token] = []
        self._fragments: list[tuple[str, str]] = []
        self._lines: list[StyleAndTextTuples] = [[]]

    def lex_document(self, document: Document) -> Callable[[int], StyleAndTextTuples]:
        text = document.text
        if text != self._text or (not self._tokens and text):
            self._relex(text)
        lines = self._lines

        def get_line(lineno: int) -> StyleAndTextTuples:
            return lines[lineno] if 0 <= lineno < len(lines) else []

        return get_line

    def prepare(self) -> CqlangLexer:
        """The Pygments lexer, made on first use (safe from another thread:
        at worst two are made and one is kept; it holds no state)."""
        lexer = self._lexer_
        if lexer is None:
            from ..highlight import CqlangLexer

            lexer = self._lexer_ = CqlangLexer(stripnl=False, stripall=False, ensurenl=False)
        return lexer

    def _restart(self, changed: int) -> int:
        """The index of the last token to lex again from: one at a point
        to start afresh (module docstring) before offset ``changed``."""
        tokens = self._tokens
        k = len(tokens) - 1
        while k > 0 and tokens[k][0] >= changed:
            k -= 1
        while k >= 2:
            if tokens[k][0] < changed and _fresh(
                tokens[k - 2], tokens[k - 1], tokens[k][0], self._text
            ):
                return k
            k -= 1
        return 0

    def _relex(self, text: str) -> None:
        old, old_tokens, old_fragments = self._text, self._tokens, self._fragments
        changed = shared_start(old, text)
        keep = self._restart(changed) if old_tokens else 0
        tokens = old_tokens[:keep]
        fragments = old_fragments[:keep]
        offset = tokens[-1][0] + len(tokens[-1][2]) if tokens else 0
        # The tokens after the change are the old ones, moved by `delta`,
        # from the first point to start afresh that both texts share within
        # their common end (from there on, both lexers read the same text).
        delta = len(text) - len(old)
        same_end = shared_end(old, text, min(len(old), len(text)) - changed)
        limit = len(text) - same_end
        starts = {t[0]: j for j, t in enumerate(old_tokens)} if same_end else {}
        styles = self._styles
        for pos, kind, value in self.prepare().get_tokens_unprocessed(text[offset:]):
            at = pos + offset
            if at > limit:
                j = starts.get(at - delta)
                if (
                    j is not None
                    and j >= 2
                    and len(tokens) >= 2
                    and _fresh(tokens[-2], tokens[-1], at, text)
                    and _fresh(old_tokens[j - 2], old_tokens[j - 1], at - delta, old)
                ):
                    tokens.extend((p + delta, k, v) for p, k, v in old_tokens[j:])
                    fragments.extend(old_fragments[j:])
                    break
            tokens.append((at, kind, value))
            style = styles.get(kind)
            if style is None:
                style = styles[kind] = "class:" + pygments_token_to_classname(kind)
            fragments.append((style, value))
        self._text, self._tokens, self._fragments = text, tokens, fragments
        if "\n" in text:
            self._lines = list(split_lines(fragments))
        else:
            self._lines = [list(fragments)]


def _fresh(before: _Token, blank: _Token, start: int, text: str) -> bool:
    """Whether the lexer starts afresh at offset ``start`` of ``text``, after
    the tokens ``before`` and ``blank``: see the module docstring."""
    return (
        blank[1] is Whitespace
        and before[1] is not Name.Builtin
        and not (before[1] is Punctuation and before[2] == ".")
        and (text[start] != "\\" or text[start - 1] == "\n")
    )
