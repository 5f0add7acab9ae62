"""The diagnostics of a text the grammar rejects (CQL001-CQL004): what was
found, what the grammar expected there, and a close keyword when a word
looks like one. Loaded only when a parse fails."""

from __future__ import annotations

from ..diagnostics import NAME_CHARS, Diagnostic, make, suggest
from .lalr import _ParseError, _Parser
from .lexer import KEYWORDS, custom_text, quote, skip_trivia

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
    if "DURATION" in expected_set:
        joined = _run_together(text, tok.start_pos) or _apart(text, tok.start_pos)
        if joined is not None:
            return joined
    if tok.type == "MINUS":
        minus = named_minus(text, tok.start_pos)
        if minus is not None:
            return minus
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
        # As typed: a string token with its own quotes, any other in ''.
        f"unexpected {shown if tok.type == 'STRING' else repr(shown)}",
        tok.start_pos,
        tok.end_pos,
        hint=hint,
        suggestion=fix,
    )


def _duration_parts(text: str, pos: int) -> list[tuple[str, str]] | None:
    """The amounts and units of durations written together at ``pos``
    (``7d12h``: ``[("7", "d"), ("12", "h")]``), or None when there are not
    two or more, each digits then letters, ending where a word would."""
    parts: list[tuple[str, str]] = []
    i, n = pos, len(text)
    while i < n and text[i].isascii() and text[i].isdigit():
        j = i
        while j < n and text[j].isascii() and text[j].isdigit():
            j += 1
        k = j
        while k < n and text[k].isascii() and text[k].isalpha():
            k += 1
        if k == j:
            return None  # digits without a unit
        parts.append((text[i:j], text[j:k]))
        i = k
    if len(parts) < 2 or (i < n and (text[i].isalnum() or text[i] == "_")):
        return None
    return parts


def _run_together(text: str, pos: int) -> Diagnostic | None:
    """CQL001 for durations written together (`now - 7d12h`) at ``pos``,
    where a duration was expected: each duration takes one unit. The fix,
    one shift per unit with the sign written before them (the lexer's
    token before ``pos``), is offered only when every unit is one and
    that sign is known; otherwise the hint lists the units."""
    from ..timeexpr import JOINED_UNITS_HINT, joined_durations
    from .lexer import token_before

    parts = _duration_parts(text, pos)
    if parts is None:
        return None
    end = pos + sum(len(a) + len(u) for a, u in parts)
    before = token_before(text, pos)
    sign = before[1] if before is not None and before[0] in ("PLUS", "MINUS") else None
    message, fix = joined_durations(parts, sign)
    if fix is None:
        return make(text, "CQL001", message, pos, end, hint=JOINED_UNITS_HINT)
    hint = f"a duration has one unit: write '{fix}'"
    return make(text, "CQL001", message, pos, end, hint=hint, suggestion=fix)


def _apart(text: str, pos: int) -> Diagnostic | None:
    """CQL001 for a duration whose amount is apart from its unit
    (`today - 7 d`) at ``pos``, where a duration was expected, with the
    fix (`7d`): a value gets the same words (cqlang.timeexpr.apart)."""
    from ..timeexpr import apart

    found = apart(text, pos)
    if found is None:
        return None
    message, together, end = found
    return make(text, "CQL001", message, pos, end, hint=f"write '{together}'", suggestion=together)


def _lex_diagnostic(text: str, pos: int, allowed: set[str]) -> Diagnostic:
    ch = text[pos] if pos < len(text) else ""
    named = _sigil_diagnostic(text, pos, allowed)
    if named is not None:
        return named
    if ch in "\"'":
        return make(
            text,
            "CQL003",
            "this string is never closed",
            pos,
            pos + 1,
            hint=f"add the closing {ch}",
        )
    word = _bare_word(text, pos)
    if word is not None:
        return word
    if ch == "#":
        return _glued_comment(text, pos)
    expected = describe_expected(allowed)
    hint = f"expected {expected}" if expected else None
    return make(text, "CQL002", f"unexpected character {ch!r}", pos, pos + 1, hint=hint)


#: The tokens after which a bare word is a value (`= Kraków`, `in (a, Łódź`),
#: as :func:`~.lexer.token_before` reads them (its keywords are words); a
#: `(` only after `in`.
_BEFORE_A_VALUE = frozenset((("CMP_OP", None), ("COMMA", None), ("WORD", "in")))


def _kind(token: tuple[str, str]) -> tuple[str, str | None]:
    return (token[0], token[1].lower() if token[0] == "WORD" else None)


def _glued_comment(text: str, pos: int) -> Diagnostic:
    """CQL002 for a ``#`` glued to a word or a number (``a#b``,
    ``3#and``): a comment starts only at the start of a line, after a
    blank, or after a bracket, a comma or a closing quote, as in a shell,
    so it is no comment (which would silently cut the rest of the line)
    and no token. The hint gives both readings: the
    value quoted, the comment after a blank."""
    from .lexer import token_before

    before = token_before(text, pos)
    valued = before is not None and before[0] in ("WORD", "INT", "DATETIME")
    start = pos - len(before[1]) if valued and before and text.endswith(before[1], 0, pos) else pos
    end = pos
    while end < len(text) and text[end] not in " \t\r\n\f),":
        end += 1
    hint = "a comment starts at the start of a line or after a blank: write ' #'"
    if start < pos:
        glued = text[start:end]
        hint += f"; a value holding '#' is quoted: {quote(glued)}"
    after = f" {before[1]!r}" if before is not None and len(before[1]) <= 40 else " a token"
    message = f"'#' glued to{after} does not start a comment"
    return make(text, "CQL002", message, pos, pos + 1, hint=hint)


def _bare_word(text: str, pos: int) -> Diagnostic | None:
    """CQL002 for a letter outside ASCII in a word written without quotes
    (``custom.city = Kraków``): a bare word is ASCII, so a value is quoted
    (the fix, over the whole word) and a custom key goes in brackets.
    ``None`` when ``pos`` holds no such letter."""
    from .lexer import token_before

    ch = text[pos : pos + 1]
    if not ch.isalpha() or ch.isascii():
        return None
    start = pos
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    if start > 0 and text[start - 1] in SIGIL_NAMES:
        return None  # a name after @ or $: _sigil_diagnostic's
    end = pos
    while end < len(text) and (text[end].isalnum() or text[end] == "_"):
        end += 1
    word = text[start:end]
    message = f"{ch!r} cannot be in a word written without quotes"
    before = token_before(text, start)
    if before is not None and before[0] == "LPAR":
        before = token_before(text, text.rindex("(", 0, start))
        before = before if before is not None and _kind(before) == ("WORD", "in") else None
    if before is not None and _kind(before) in _BEFORE_A_VALUE:
        fix = quote(word)
        hint = f"a bare word is ASCII letters, digits and _: quote the value, {fix}"
        return make(text, "CQL002", message, start, end, hint=hint, suggestion=fix)
    hint = f"a property's name is ASCII; a custom field with this key is {custom_text(word)}"
    return make(text, "CQL002", message, start, end, hint=hint)


# ------------------------------------------------------ @name and $name

#: What follows each sigil, in words; its terminal; an example.
SIGIL_NAMES = {"@": "a named query's name", "$": "a parameter's name"}
_SIGIL_TERMINALS = {"@": "QUERYREF", "$": "PARAM"}
_SIGIL_EXAMPLES = {"@": "@hot_leads", "$": "$min_priority"}
#: The rule of both (QUERYREF and PARAM in grammar/cqlang.lark).
NAME_RULE = f"a name is {NAME_CHARS}"


def _name_char(ch: str) -> bool:
    """A character a name may hold (ASCII letters, digits, ``_``)."""
    return ch.isascii() and (ch.isalnum() or ch == "_")


def _sigil_diagnostic(text: str, pos: int, allowed: set[str]) -> Diagnostic | None:
    """CQL002 for a character no token starts with that belongs to a
    ``@name`` or ``$name``: a sigil with no name right after it, where one
    may stand (``allowed``: the terminals the parser accepts there), a name
    that starts with a digit, or a character a name cannot hold (``ż``),
    the caret on what is wrong. ``None`` when ``pos`` is not such a place."""
    if text[pos : pos + 1] in SIGIL_NAMES:
        if _SIGIL_TERMINALS[text[pos]] not in allowed:
            return None  # `priority = @`: no named query goes there anyway
        sigil, at = text[pos], pos + 1
    else:
        start = pos
        while start > 0 and _name_char(text[start - 1]):
            start -= 1
        if start == pos or start == 0 or text[start - 1] not in SIGIL_NAMES:
            return None
        if not text[pos].isalnum():
            return None  # a sign after a whole name: not the name's mistake
        sigil, at = text[start - 1], pos  # `@hotż`: the name runs into `ż`
    what = SIGIL_NAMES[sigil]
    ch = text[at : at + 1]
    if ch and not ch.isspace() and (ch.isalnum() or ch == "_"):
        if ch.isascii():  # a digit (letters and _ would have made a token)
            message = f"{what} cannot start with a digit"
        else:
            message = f"{ch!r} cannot be in {what}"
        return make(text, "CQL002", message, at, at + 1, hint=NAME_RULE)
    # Nothing a name may start with: a blank before the name, or no name.
    after = skip_trivia(text, at)
    end = after
    while end < len(text) and _name_char(text[end]):
        end += 1
    if text[at : at + 1].isspace() and end > after and not text[after].isdigit():
        fix = sigil + text[after:end]
        return make(
            text,
            "CQL002",
            f"{what} goes right after {sigil} (no space)",
            pos,
            end,
            hint=f"write '{fix}'",
            suggestion=fix,
        )
    return make(
        text,
        "CQL002",
        f"{sigil} without {what}",
        pos,
        pos + 1,
        hint=f"write {what} right after {sigil}, such as {_SIGIL_EXAMPLES[sigil]}",
    )


def named_minus(text: str, pos: int) -> Diagnostic | None:
    """CQL001 for a ``-`` right between a ``@name``/``$name`` and more of
    a name (``@hot-leads``): names hold ``_``, not ``-``. Its span runs
    from that ``-`` to the end of the name, the fix with each ``-`` a
    ``_``. ``None`` when the ``-`` at ``pos`` is not such a one."""
    start = pos
    while start > 0 and _name_char(text[start - 1]):
        start -= 1
    if start == pos or start == 0 or text[start - 1] not in SIGIL_NAMES:
        return None
    after = text[pos + 1 : pos + 2]
    if not (_name_char(after) and not after.isdigit()):
        return None  # `$since-7d` is not a name with a `-`
    what = SIGIL_NAMES[text[start - 1]]
    end = pos + 1
    while end < len(text) and (_name_char(text[end]) or text[end] == "-"):
        end += 1
    fix = text[start - 1 : end].replace("-", "_")
    return make(
        text,
        "CQL001",
        f"'-' cannot be in {what}",
        pos,
        end,
        hint=f"{NAME_RULE}: write '{fix}'",
        suggestion=text[pos:end].replace("-", "_"),
    )
