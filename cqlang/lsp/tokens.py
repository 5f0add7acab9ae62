"""Semantic tokens, from the Pygments lexer (cqlang/highlight.py), so that
an editor colours a query as ``pygmentize -l cqlang`` and the REPL do.

Pygments token type -> semantic token type (modifier):

* ``Keyword`` -> ``keyword``; ``Keyword.Constant`` (null, now, today,
  yesterday) -> ``keyword`` (``defaultLibrary``);
* ``Name.Attribute`` (a property, a custom key) -> ``property``;
  ``Name.Builtin`` (``custom``) -> ``namespace``; ``Name.Constant`` (an enum
  value) -> ``enumMember``; ``Name`` (another word) -> ``variable``;
  ``Name.Variable`` (``$param``) -> ``parameter``; ``Name.Label``
  (``@query``) -> ``macro``;
* ``String`` -> ``string`` (``String.Escape``: ``string``, ``escape``);
  ``Number`` -> ``number``; ``Literal.Date`` -> ``number`` (``date``);
* ``Operator`` -> ``operator``; ``Comment`` -> ``comment``;
* punctuation, blanks and ``Error`` are not tokens.

In a config file only the query strings are tokenised; a token the TOML
text writes over several lines is sent line by line. A document past the
size limit (cqlang.lsp.documents.Document.too_large) has no tokens. Each
token's position costs O(log n) (cqlang.lsp.documents.LineIndex), so that a
long line takes time in proportion to its length.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types
from pygments.token import (
    Comment,
    Keyword,
    Literal,
    Name,
    Number,
    Operator,
    String,
    _TokenType,
)

from ..highlight import CqlangLexer
from .server import CqlangServer

TYPES = [
    "keyword",
    "property",
    "namespace",
    "enumMember",
    "variable",
    "parameter",
    "macro",
    "string",
    "number",
    "operator",
    "comment",
]
MODIFIERS = ["defaultLibrary", "escape", "date"]
LEGEND = types.SemanticTokensLegend(token_types=TYPES, token_modifiers=MODIFIERS)

# Most specific first: the first Pygments type a token is a subtype of wins.
_MAP: list[tuple[_TokenType, str, int]] = [
    (Keyword.Pseudo, "", 0),
    (Keyword.Constant, "keyword", 1),
    (Keyword, "keyword", 0),
    (Name.Attribute, "property", 0),
    (Name.Builtin, "namespace", 0),
    (Name.Constant, "enumMember", 0),
    (Name.Variable, "parameter", 0),
    (Name.Label, "macro", 0),
    (Name, "variable", 0),
    (String.Escape, "string", 2),
    (String, "string", 0),
    (Literal.Date, "number", 4),
    (Number, "number", 0),
    (Operator, "operator", 0),
    (Comment, "comment", 0),
]
_LEXER = CqlangLexer()


_CLASSES: dict[_TokenType, tuple[int, int] | None] = {}


def classify(kind: _TokenType) -> tuple[int, int] | None:
    """The semantic type (index in TYPES) and modifier bits of a Pygments
    token type; None for a token not sent."""
    if kind in _CLASSES:
        return _CLASSES[kind]
    got = None
    for parent, name, bits in _MAP:
        if kind is parent or kind[: len(parent)] == parent:
            got = (TYPES.index(name), bits) if name else None
            break
    _CLASSES[kind] = got
    return got


def semantic_tokens(ls: CqlangServer, params: types.SemanticTokensParams) -> types.SemanticTokens:
    doc = ls.document(params.text_document.uri)
    index = ls.index(doc)
    spans: list[tuple[int, int, int, int]] = []  # file start, end, type, modifiers
    for region in doc.regions:
        for pos, kind, value in _LEXER.get_tokens_unprocessed(region.text):
            got = classify(kind)
            if got is None or not value.strip():
                continue
            start, end = region.to_file(pos), region.to_file(pos + len(value))
            spans.append((start, end, *got))
    data: list[int] = []
    line = char = 0
    for start, end, typ, bits in sorted(spans):
        first = index.position(start)
        last = index.position(end)
        pieces = [(first, last)] if first.line == last.line else _lines(index, start, end)
        for a, b in pieces:
            length = b.character - a.character
            if length <= 0:
                continue
            delta_line = a.line - line
            delta_char = a.character - char if delta_line == 0 else a.character
            data.extend((delta_line, delta_char, length, typ, bits))
            line, char = a.line, a.character
    return types.SemanticTokens(data=data)


def _lines(index: Any, start: int, end: int) -> list[tuple[types.Position, types.Position]]:
    """A span over several lines, cut at each line's end."""
    out = []
    at = start
    while at < end:
        a = index.position(at)
        stop = index.offset(types.Position(line=a.line, character=2**31 - 1))
        b = index.position(min(stop, end))
        out.append((a, b))
        nxt = index.offset(types.Position(line=a.line + 1, character=0))
        if nxt <= at:
            break
        at = nxt
    return out


FEATURES: list[tuple[str, Any, Any]] = [
    (
        types.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL,
        LEGEND,
        semantic_tokens,
    ),
]
