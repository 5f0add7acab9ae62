"""The completion engine: what may come at the cursor, as plain strings.

A pure function of the text, the cursor and what is known around the query
(the schema, named queries, parameters, custom keys seen in records). It
imports no user-interface library; the REPL wraps it in a prompt_toolkit
completer (cqlang/repl/completer.py).

How it works:

1. The word being typed is the run of name characters before the cursor
   (with a leading ``$`` or ``@``), or a run of operator characters
   (``!``, ``<``, ``>``, ``=``). Candidates replace it.
2. The text before that word is scanned by the grammar's LALR
   parser (:func:`cqlang.parser.scan_prefix`): its tokens and the terminals
   it accepts next. Nothing is offered where the text is not the start of a
   query, inside a string or inside a comment.
3. The accepted terminals are joined with the schema: where a field may
   start, the properties, ``custom.KEY`` and ``not``; after a field, the
   operators of its type (:data:`cqlang.schema.LANGUAGE_OPERATORS`) and
   ``is [not] null``; where a value may come, the values of the field before
   the operator (enum values, ``now``/``today``/``yesterday`` for datetimes);
   after ``custom.``, declared and seen custom keys; after ``@``, named
   queries; after ``$``, parameters; elsewhere the keywords the grammar takes
   (``and``, ``or``, ...).
4. Candidates matching the word are kept and ranked: case-insensitive prefix
   matches first, then substring, then fuzzy (the word's letters in order),
   then close spellings (``prioirty`` finds ``priority``).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .diagnostics import NAME_RE
from .parser import (
    COMPARE_SPELLINGS,
    KEYWORDS,
    EscapeError,
    custom_text,
    quote,
    scan_prefix,
    unescape,
    value_text,
)
from .schema import DEFAULT_SCHEMA, LANGUAGE_OPERATORS, Schema

__all__ = [
    "NULL_TESTS",
    "Candidate",
    "Completions",
    "complete",
    "completions",
    "rank",
    "value_literal",
]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_OP_CHARS = frozenset("!<>=")
#: Every spelling of a comparison the lexer takes (``==``, ``<>``...).
_COMPLETE_OPS = frozenset(COMPARE_SPELLINGS)
# Keyword terminals and how they are written (the lexer's keywords).
_KEYWORD_TERMINALS = {word.upper(): word for word in KEYWORDS}
_VALUE_TERMINALS = frozenset({"STRING", "INT", "DATETIME", "PARAM"})
_FIELD_TERMINALS = frozenset({"CUSTOM", "QUERYREF"})
_OPERATOR_TERMINALS = frozenset({"CMP_OP", "IN", "BETWEEN", "IS"})
_ALL_OPERATORS = LANGUAGE_OPERATORS["integer"]
#: The tests every field takes, whatever its type.
NULL_TESTS = ("is null", "is not null")
_RELATIVE = ("now", "today", "yesterday")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One completion: the ``text`` that replaces the word, and its ``kind``
    (property, custom, operator, value, keyword, query, param). ``field``
    names the property an operator or value is for, or a custom key's
    field (``state``, ``custom.region``), where it is known. ``label`` is
    what a menu shows when it differs from ``text`` (an enum value as
    declared, ``Lower Silesia``, whose ``text`` is the quoted literal);
    :attr:`shown` gives either."""

    text: str
    kind: str
    meta: str = ""
    field: str = ""
    label: str = ""

    @property
    def shown(self) -> str:
        """What a menu shows: the label, else the text."""
        return self.label or self.text


@dataclass(frozen=True, slots=True)
class Completions:
    """The candidates for the word that spans ``start``..cursor."""

    start: int
    word: str
    items: tuple[Candidate, ...]


def complete(
    text: str,
    cursor: int,
    *,
    schema: Schema | None = None,
    queries: Iterable[str] | Mapping[str, object] = (),
    params: Iterable[str] | Mapping[str, object] = (),
    custom_keys: Iterable[str] = (),
) -> list[str]:
    """The completions at ``cursor`` in ``text``, best first; each replaces
    the word before the cursor (see :func:`completions` for its span)."""
    found = completions(
        text, cursor, schema=schema, queries=queries, params=params, custom_keys=custom_keys
    )
    return [c.text for c in found.items]


def completions(
    text: str,
    cursor: int,
    *,
    schema: Schema | None = None,
    queries: Iterable[str] | Mapping[str, object] = (),
    params: Iterable[str] | Mapping[str, object] = (),
    custom_keys: Iterable[str] = (),
) -> Completions:
    """Like :func:`complete`, with the word's span and each candidate's kind."""
    cursor = max(0, min(cursor, len(text)))
    start = _word_start(text, cursor)
    word = text[start:cursor]
    if word in _COMPLETE_OPS and word not in ("<", ">"):
        # `state=` is finished: what follows the operator is wanted.
        start, word = cursor, ""
    scan = scan_prefix(text[:start])
    if scan.error is not None and text[start - 1 : start] == '"':
        return _in_open_string(text, start - 1, cursor, word, schema, custom_keys)
    if scan.error is not None or _in_comment(text, start, scan.tokens):
        return Completions(start, word, ())
    ctx = _Context(
        schema or DEFAULT_SCHEMA,
        tuple(queries),
        tuple(params),
        tuple(custom_keys),
    )
    cands = ctx.candidates(scan.tokens, scan.accepts, word)
    return Completions(start, word, tuple(rank(word, cands)))


def _in_open_string(
    text: str,
    quote_at: int,
    cursor: int,
    word: str,
    schema: Schema | None,
    custom_keys: Iterable[str],
) -> Completions:
    """The values for a string opened where a value goes (``custom.region
    = "Lo``): each replaces the string from its opening quote, written as
    a string (``"Lower Silesia"``); when the quote that closes it already
    follows the cursor (an editor that pairs quotes), without its closing
    quote. Nothing where the text before the quote does not read."""
    scan = scan_prefix(text[:quote_at])
    if scan.error is not None or _in_comment(text, quote_at, scan.tokens):
        return Completions(cursor, word, ())
    ctx = _Context(schema or DEFAULT_SCHEMA, (), (), tuple(custom_keys))
    closed = text[cursor : cursor + 1] == '"'
    found = []
    for c in ctx.candidates(scan.tokens, scan.accepts, word):
        if c.kind != "value":
            continue
        literal = quote(c.shown)
        written = literal[:-1] if closed else literal
        found.append(Candidate(written, c.kind, c.meta, c.field, c.shown))
    return Completions(quote_at, text[quote_at:cursor], tuple(rank(word, found)))


# ------------------------------------------------------------------ words


def _word_start(text: str, cursor: int) -> int:
    i = cursor
    while i > 0 and text[i - 1] in _NAME_CHARS:
        i -= 1
    if i > 0 and text[i - 1] in "$@":
        return i - 1
    if i == cursor:
        while i > 0 and text[i - 1] in _OP_CHARS:
            i -= 1
    return i


def _in_comment(text: str, start: int, tokens: tuple[tuple[str, str, int, int], ...]) -> bool:
    """Whether ``start`` is inside a ``#`` comment (what follows the last
    token is only blanks and comments, since the scan succeeded)."""
    tail_from = tokens[-1][3] if tokens else 0
    hash_at = text.rfind("#", tail_from, start)
    rest = text[hash_at:start]
    return hash_at >= 0 and "\n" not in rest and "\r" not in rest  # a comment ends at either


# ------------------------------------------------------------- candidates


class _Context:
    def __init__(
        self,
        schema: Schema,
        queries: tuple[str, ...],
        params: tuple[str, ...],
        custom_keys: tuple[str, ...],
    ) -> None:
        self.schema = schema
        self.queries = queries
        self.params = params
        keys = dict.fromkeys(schema.custom_fields)
        keys.update(dict.fromkeys(custom_keys))
        self.custom_keys = tuple(keys)

    def candidates(
        self, tokens: tuple[tuple[str, str, int, int], ...], accepts: frozenset[str], word: str
    ) -> list[Candidate]:
        last = tokens[-1][0] if tokens else ""
        if word.startswith("$"):
            if "PARAM" not in accepts:
                return []
            return [Candidate("$" + p, "param", "parameter") for p in self.params]
        if word.startswith("@"):
            if "QUERYREF" not in accepts:
                return []
            return [Candidate("@" + q, "query", "named query") for q in self.queries]
        if last == "DOT" and len(tokens) >= 2 and tokens[-2][0] == "CUSTOM":
            keys = [k for k in self.custom_keys if NAME_RE.match(k)]
            return [Candidate(k, "custom", self._custom_meta(k), f"custom.{k}") for k in keys]
        if last == "LSQB" and "STRING" in accepts:
            return [
                Candidate(quote(k) + "]", "custom", self._custom_meta(k), f"custom.{k}")
                for k in self.custom_keys
            ]
        if accepts & _FIELD_TERMINALS:
            return self._fields(accepts)
        if last == "IS" or (last == "NOT" and len(tokens) >= 2 and tokens[-2][0] == "IS"):
            tests = ["null"] if last == "NOT" else ["null", "not null"]
            return [Candidate(t, "keyword") for t in tests if _terminal_of(t) in accepts]
        if accepts & _OPERATOR_TERMINALS or (last == "NOT" and accepts & {"IN", "BETWEEN"}):
            return self._operators(tokens, accepts)
        if accepts & _VALUE_TERMINALS:
            return self._values(tokens, accepts)
        return self._keywords(tokens, accepts)

    # -------------------------------------------------------------- fields
    def _fields(self, accepts: frozenset[str]) -> list[Candidate]:
        out: list[Candidate] = []
        if "WORD" in accepts:
            for prop in self.schema.properties.values():
                if not prop.keyed:
                    out.append(Candidate(prop.name, "property", _prop_meta(prop.type, prop.values)))
        if "CUSTOM" in accepts and self.schema.keyed is not None:
            out.append(Candidate("custom.", "custom", "a custom field"))
            for k in self.custom_keys:
                shown = custom_text(k)
                out.append(Candidate(shown, "custom", self._custom_meta(k), f"custom.{k}"))
        if "NOT" in accepts:
            out.append(Candidate("not", "keyword"))
        return out

    def _custom_meta(self, key: str) -> str:
        declared = self.schema.custom_field(key)
        if declared is None:
            return "custom field (seen)"
        return f"custom field: {_prop_meta(declared.type, declared.values)}"

    # ----------------------------------------------------------- operators
    def _operators(
        self, tokens: tuple[tuple[str, str, int, int], ...], accepts: frozenset[str]
    ) -> list[Candidate]:
        negated = bool(tokens) and tokens[-1][0] == "NOT"
        end = len(tokens) - (1 if negated else 0)
        field, typ, _values = self._field_type(tokens, end)
        ops = LANGUAGE_OPERATORS.get(typ, _ALL_OPERATORS) if typ else _ALL_OPERATORS
        names = [op[4:] for op in ops if op.startswith("not ")] if negated else [*ops, *NULL_TESTS]
        return [Candidate(op, "operator", "", field) for op in names if _terminal_of(op) in accepts]

    # -------------------------------------------------------------- values
    def _values(
        self, tokens: tuple[tuple[str, str, int, int], ...], accepts: frozenset[str]
    ) -> list[Candidate]:
        op_at = _operator_index(tokens)
        if op_at is None:
            return []
        end = op_at - 1 if op_at > 0 and tokens[op_at - 1][0] == "NOT" else op_at
        field, typ, values = self._field_type(tokens, end)
        out: list[Candidate] = []
        if values and "WORD" in accepts:
            # Enum values match case-insensitively (cqlang.checkvalues), so
            # a value is listed already whatever its case or quotes.
            listed = {_token_value(t).casefold() for t in tokens[op_at:]}
            for v in values:
                if v.casefold() not in listed:
                    text = value_literal(v)
                    out.append(Candidate(text, "value", "", field, "" if text == v else v))
        if typ in ("datetime", None) and "NOW" in accepts:
            out.extend(Candidate(r, "keyword", "relative time") for r in _RELATIVE)
        return out

    def _field_type(
        self, tokens: tuple[tuple[str, str, int, int], ...], end: int
    ) -> tuple[str, str | None, tuple[str, ...]]:
        """The name (``state``, ``custom.KEY``; ``""`` when unknown), type
        and enum values of the field whose tokens end at ``end``
        (exclusive); the type ``None`` when the field is unknown."""
        if end <= 0:
            return "", None, ()
        kind, value = tokens[end - 1][0], tokens[end - 1][1]
        key: str | None = None
        if kind == "WORD" and end >= 3 and tokens[end - 2][0] == "DOT":
            key = value
        elif kind == "RSQB" and end >= 2 and tokens[end - 2][0] == "STRING":
            try:
                key = unescape(tokens[end - 2][1], tokens[end - 2][2])
            except EscapeError:
                return "", None, ()
        elif kind == "WORD":
            prop = self.schema.lookup(value)
            if prop is None or prop.keyed:
                return "", None, ()
            return prop.name, prop.type, prop.values
        else:
            return "", None, ()
        declared = self.schema.custom_field(key)
        if declared is None:
            return f"custom.{key}", "string", ()
        return f"custom.{key}", declared.type, declared.values

    # ------------------------------------------------------------ keywords
    def _keywords(
        self, tokens: tuple[tuple[str, str, int, int], ...], accepts: frozenset[str]
    ) -> list[Candidate]:
        order = ("AND", "OR", "NOT", "IN", "BETWEEN", "IS", "NULL")
        return [Candidate(_KEYWORD_TERMINALS[t], "keyword") for t in order if t in accepts]


#: How a value is written as a value: a plain word bare, anything else
#: quoted (``cqlang.parser.value_text``, the one rule: hints use it too).
value_literal = value_text


def _token_value(token: tuple[str, str, int, int]) -> str:
    """The value a token of a value list stands for (a string unquoted)."""
    kind, text, start, _ = token
    if kind == "STRING":
        try:
            return unescape(text, start)
        except EscapeError:
            return text
    return text


def _operator_index(tokens: tuple[tuple[str, str, int, int], ...]) -> int | None:
    """Index of the operator of the predicate whose value is being typed: the
    last comparison, ``in`` or ``between`` (a value position only ever follows
    its own predicate's operator)."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i][0] in ("CMP_OP", "IN", "BETWEEN"):
            return i
    return None


def _terminal_of(op: str) -> str:
    first = op.split(" ", 1)[0]
    if first in ("in", "between", "is", "not", "null"):
        return first.upper()
    return "CMP_OP"


def _prop_meta(typ: str, values: tuple[str, ...]) -> str:
    return f"enum: {', '.join(values)}" if typ == "enum" and values else typ


# ---------------------------------------------------------------- ranking


def rank(word: str, cands: list[Candidate]) -> list[Candidate]:
    """Keep the candidates that match ``word`` (case-insensitive), best
    first: prefix, substring, in-order letters; close spellings only when
    nothing else matches (a one-letter word matches prefixes only). A
    candidate is matched by what a menu shows of it (``Lower Silesia``,
    not ``"Lower Silesia"``). The candidates' own order breaks ties."""
    first: dict[str, Candidate] = {}
    for c in cands:
        first.setdefault(c.text, c)
    unique = list(first.values())
    if not word:
        return unique
    w = word.lower()
    tiers: list[list[Candidate]] = [[], [], [], []]
    for c in unique:
        t = c.shown.lower()
        if t.startswith(w):
            tiers[0].append(c)
        elif len(w) < 2:  # one letter: prefixes only
            continue
        elif w in t:
            tiers[1].append(c)
        elif _subsequence(w, t):
            tiers[2].append(c)
        elif len(w) >= 3 and difflib.SequenceMatcher(None, w, t[: len(w) + 2]).ratio() >= 0.75:
            tiers[3].append(c)
    if tiers[0] or tiers[1] or tiers[2]:
        return [*tiers[0], *tiers[1], *tiers[2]]
    return tiers[3]


def _subsequence(word: str, text: str) -> bool:
    """The letters of ``word`` in order in ``text``, the first one starting
    ``text`` or one of its parts (``cdate`` finds ``created_date``)."""
    first = word[0]
    for i, ch in enumerate(text):
        if ch == first and (i == 0 or text[i - 1] in '_.[" '):
            it = iter(text[i + 1 :])
            if all(c in it for c in word[1:]):
                return True
    return False
