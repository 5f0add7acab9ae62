"""The lexer: one regular expression over the text, the keywords, string
escapes, and the blanks and comments skipped between tokens.

The LALR driver (:mod:`.lalr`) runs it inline and asks its own state for the
context-dependent cases; cqlang/statements.py reuses its token and blank
patterns to find where statements end.
"""

from __future__ import annotations

import re

from ..visible import NAMED

_ESCAPES = {"\\": "\\", '"': '"', "'": "'", "n": "\n", "t": "\t", "/": "/"}

KEYWORDS = ("and", "or", "not", "in", "between", "is", "null", "now", "today", "yesterday")


class EscapeError(Exception):
    """A string token with an escape the language lacks (:func:`unescape`);
    the parser turns it into CQL005, other readers catch it by name."""

    def __init__(self, start: int, end: int, message: str) -> None:
        super().__init__(message)
        self.start, self.end, self.message = start, end, message


_EscapeError = EscapeError  # the parser's name for it


#: Written as ``\\uXXXX`` in a string (besides ``\\n`` and ``\\t``): the
#: C0 controls, DEL, and what :func:`cqlang.visible.visible` names (the C1
#: and bidirectional controls, the line and paragraph separators), so that
#: query text printed anywhere (``fmt``, ``explain``'s client-side check,
#: ``decompile``) means the same and cannot act on a terminal.
_ESCAPED = frozenset(chr(c) for c in (*range(0x20), 0x7F, *NAMED))


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
        elif ch in _ESCAPED:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


#: Words a value is never written bare as: the keywords (``null`` bare
#: would mean null), ``custom``, and ``true``/``false`` (no booleans).
_NOT_BARE = frozenset((*KEYWORDS, "custom", "true", "false"))


def _is_name(word: str) -> bool:
    # diagnostics.NAME_RE ([A-Za-z_][A-Za-z0-9_]*), told without importing it.
    return word.isascii() and word.isidentifier()


def value_text(value: str) -> str:
    """How the value ``value`` is written in a query: a plain word bare
    (``OPEN``, ``web``), anything else as :func:`quote` writes it
    (``"Lower Silesia"``, ``"it's"``, a keyword: ``"null"``). Completion,
    hints and suggestions write values with it (or with :func:`quote`,
    where the value was quoted), so the text offered parses back to it."""
    if _is_name(value) and value.lower() not in _NOT_BARE:
        return value
    return quote(value)


def custom_text(key: str) -> str:
    """The custom field with key ``key`` as a query writes it:
    ``custom.region`` for a name, ``custom["lead source"]`` (:func:`quote`)
    for any other key."""
    return f"custom.{key}" if _is_name(key) else f"custom[{quote(key)}]"


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


# ------------------------------------------------------------------- lexer

#: Where a ``#`` comment starts, and what it holds: only where no word can
#: end (the start of the text, after a blank, a ``;``, a bracket, a comma
#: or a closing quote), to the end of the line (``\n``, ``\r\n`` or a lone
#: ``\r``: the line breaks editors and the LSP count). The one statement of the
#: rule (docs/language.md): the lexer, the fast path (``simple``), the
#: trivia scan (``scan``) and the highlighter build theirs from it, and the
#: grammar's ``COMMENT`` is held equal to it by a test. ``\#`` reads the
#: same with and without ``re.VERBOSE``.
COMMENT = r"""(?<![^ \t\r\n\f;(),"'])\#[^\r\n]*"""

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
    r"(?>(?:[ \t\r\n\f]+|" + COMMENT + r")*)"
    r"""(?:
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


def token_before(text: str, pos: int) -> tuple[str, str] | None:
    """The terminal and text of the last token that ends at or before
    ``pos`` (blanks and comments skipped, as the lexer skips them), read
    from the start of the text; None when there is none. For error
    messages only: the words and signs outside a parse's context."""
    last: tuple[str, str] | None = None
    at = 0
    while at < pos:
        m = _TOKEN_RE.match(text, at)
        if m is None or m.lastgroup in (None, "END") or m.end() > pos or m.end() == at:
            break
        last = (str(m.lastgroup), m.group(m.lastgroup))
        at = m.end()
    return last


def first_token(text: str) -> tuple[str, str] | None:
    """The terminal and text of the first token of ``text`` (blanks and
    comments skipped), as the lexer reads it; None when there is none. The
    REPL asks it whether a line goes on with the query before it."""
    m = _TOKEN_RE.match(text)
    if m is None or m.lastgroup in (None, "END"):
        return None
    return (str(m.lastgroup), m.group(m.lastgroup))


_SKIP_RE = re.compile(r"(?:[ \t\r\n\f]+|" + COMMENT + r")*")


def skip_trivia(text: str, pos: int = 0) -> int:
    """Where the blanks and ``#`` comments that start at ``pos`` end: what
    the lexer skips between two tokens."""
    match = _SKIP_RE.match(text, pos)
    return match.end() if match is not None else pos
