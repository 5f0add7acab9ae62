"""The Pygments lexer for cqlang, for ``pygmentize -l cqlang`` and the REPL.

Registered as the ``pygments.lexers`` entry point ``cqlang`` (see
pyproject.toml), so ``pygments.lexers.get_lexer_by_name("cqlang")`` finds it
once cqlang is installed. Property names and enum values come from the
schema (:data:`cqlang.schema.DEFAULT_SCHEMA`), keywords from the grammar's
keyword list (:data:`cqlang.parser.lexer.KEYWORDS`). Files ``*.cql`` (the
query files of ``cqlang fmt`` and the editors) and ``*.cqlang``.
Highlighting never fails: a character the language does not know is an
``Error`` token.

Token types: keywords ``Keyword``; ``null``, ``now``, ``today``,
``yesterday`` ``Keyword.Constant``; properties ``Name.Attribute``; ``custom``
``Name.Builtin`` (its key ``Name.Attribute``); enum values
``Name.Constant``; other bare words ``Name``; strings ``String`` (escapes
``String.Escape``); integers ``Number.Integer``; durations ``Number``;
datetimes ``Literal.Date``; ``$param`` ``Name.Variable``; ``@query``
``Name.Label``; comparison operators ``Operator``; ``( ) [ ] , . + -``
``Punctuation``; ``#`` comments ``Comment.Single``; a REPL meta command
(``\\fetch``) ``Keyword.Pseudo``.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pygments.lexer import RegexLexer, bygroups, words
from pygments.token import (
    Comment,
    Error,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

from .parser.lexer import COMMENT, KEYWORDS
from .schema import DEFAULT_SCHEMA

__all__ = ["CONSTANTS", "OPERATOR_WORDS", "CqlangLexer"]

#: The grammar's keywords (the lexer's KEYWORDS; tests/test_highlight_keywords.py
#: holds them equal to the grammar's): the values among them
#: (``Keyword.Constant``), and the rest (``Keyword``).
CONSTANTS = ("null", "now", "today", "yesterday")
OPERATOR_WORDS = tuple(k for k in KEYWORDS if k not in CONSTANTS)

_PROPERTIES = tuple(sorted((p.name for p in DEFAULT_SCHEMA.properties.values()), key=len)[::-1])
_ENUM_VALUES = tuple(
    sorted({v for p in DEFAULT_SCHEMA.properties.values() for v in p.values}, key=len)[::-1]
)
_DATETIME = (
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[tT][0-9]{2}:[0-9]{2}(?::[0-9]{2})?)?"
    r"(?:[zZ]|[+-][0-9]{2}:?[0-9]{2})?(?![0-9a-zA-Z_])"
)


def _groups(*types: _TokenType) -> Any:
    return bygroups(*types)  # type: ignore[no-untyped-call]


def _string(quote: str, token: _TokenType) -> list[Any]:
    return [
        (r"\\(?:u[0-9a-fA-F]{4}|[\\\"'nt/])", String.Escape),
        (r"\\.", Error),
        (rf"[^{quote}\\\n]+", token),
        (quote, token, "#pop"),
        (r"\n", Error, "#pop"),
    ]


class CqlangLexer(RegexLexer):
    """Pygments lexer for cqlang queries."""

    name = "cqlang"
    aliases: ClassVar[list[str]] = ["cqlang"]
    filenames: ClassVar[list[str]] = ["*.cql", "*.cqlang"]
    mimetypes: ClassVar[list[str]] = ["text/x-cqlang"]
    # Pygments' Cassandra lexer claims *.cql too: installed, cqlang's wins.
    priority = 0.5
    url = "https://github.com/conpeek/cqlang"
    flags = re.IGNORECASE | re.MULTILINE

    tokens = {  # noqa: RUF012 - Pygments reads this class attribute
        "root": [
            (r"[ \t\r\n\f]+", Whitespace),
            (COMMENT, Comment.Single),
            (r"^(\\[a-z]+)([^\r\n]*)", _groups(Keyword.Pseudo, Text)),
            (r'"', String.Double, "dq"),
            (r"'", String.Single, "sq"),
            (_DATETIME, Literal.Date),
            # Durations: the units are lower case only (the lexer ignores
            # case elsewhere); a word after the digits that is no unit is an
            # error, as the checker says (CQL118).
            (r"[0-9]+(?-i:mo|[smhdwy])(?![0-9a-z_])", Number),
            (r"[0-9]+[a-z]+(?![0-9a-z_])", Error),
            (r"-?[0-9]+(?![0-9a-z_])", Number.Integer),
            (r"\$[a-z_][a-z0-9_]*", Name.Variable),
            (r"@[a-z_][a-z0-9_]*", Name.Label),
            (
                r"(custom)([ \t]*)(\.)([ \t]*)([a-z_][a-z0-9_]*)",
                _groups(Name.Builtin, Whitespace, Punctuation, Whitespace, Name.Attribute),
            ),
            (words(("custom",), suffix=r"\b"), Name.Builtin),
            (words(CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(OPERATOR_WORDS, suffix=r"\b"), Keyword),
            (words(_PROPERTIES, suffix=r"\b"), Name.Attribute),
            (words(_ENUM_VALUES, suffix=r"\b"), Name.Constant),
            (r"[a-z_][a-z0-9_]*", Name),
            (r"==|!=|<>|<=|>=|=|<|>", Operator),
            (r"[()\[\],.+;-]", Punctuation),
            (r".", Error),
        ],
        "dq": _string('"', String.Double),
        "sq": _string("'", String.Single),
    }
