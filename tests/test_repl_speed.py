"""The REPL's per-key-press work, made faster (issue 15), reads as before:
statement spans (now the lexer's), highlighting, the status line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.repl.session import statement_spans


def _statement_spans_by_hand(text: str) -> list[tuple[int, int]]:
    """A character-by-character reading of where statements split: a string
    runs to its closing quote or to the end of its line (a backslash takes
    the next character, never a newline: the lexer's strings stay on one
    line), a comment to the end of its line; a comment starts at a `#` at
    the start of the text or after a blank, a `;`, a bracket, a comma or a
    quote (a `#` glued to anything else is no token: the reading goes on
    after it)."""
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            i += 1
            while i < n and text[i] != ch and text[i] != "\n":
                i += 2 if text[i] == "\\" and text[i + 1 : i + 2] != "\n" else 1
        elif ch == "#" and (i == 0 or text[i - 1] in " \t\r\n\f;(),\"'"):
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif ch == ";":
            spans.append((start, i))
            start = i + 1
        i += 1
    spans.append((start, n))
    return spans


@settings(max_examples=500)
@given(st.text(alphabet="ab ;\"'#\\\n(),"))
def test_statement_spans_read_like_the_character_loop(text: str) -> None:
    assert statement_spans(text) == _statement_spans_by_hand(text)


_QUERY_PIECES = st.sampled_from(
    [
        " ", "\n", ";", "state", "=", "OPEN", "and", "(", ")", "'a;b'", '"c;#d"', "'", '"',
        "\\", "# x;y\n", "custom", "[", "]", ".", "7d", "-", "2021-08-10", "$p", "@q", "ł", "!",
    ]
)  # fmt: skip


@settings(max_examples=300)
@given(st.lists(_QUERY_PIECES, max_size=40).map("".join))
def test_statement_spans_of_query_like_text(text: str) -> None:
    assert statement_spans(text) == _statement_spans_by_hand(text)


@settings(max_examples=300)
@given(
    st.lists(_QUERY_PIECES, max_size=40).map("".join),
    st.lists(
        st.tuples(st.integers(0, 400), st.integers(0, 6), st.lists(_QUERY_PIECES, max_size=4)),
        max_size=8,
    ),
    st.sampled_from([1, 8, 256]),
)
def test_statement_spans_resumed_after_edits_read_like_from_scratch(
    text: str, edits: list[tuple[int, int, list[str]]], every: int
) -> None:
    # Each text is read resuming from the previous one's checkpoints (one
    # every `every` characters): the spans are those of a fresh reading.
    from cqlang import statements

    saved = statements._CHECKPOINT_EVERY
    statements._CHECKPOINT_EVERY = every
    try:
        assert statement_spans(text) == _statement_spans_by_hand(text)
        for at, cut, pieces in edits:
            at = min(at, len(text))
            text = text[:at] + "".join(pieces) + text[at + cut :]
            assert statement_spans(text) == _statement_spans_by_hand(text)
            assert statement_spans(text) == _statement_spans_by_hand(text)  # again: the same text
    finally:
        statements._CHECKPOINT_EVERY = saved


@pytest.mark.parametrize(
    "texts",
    [
        # a `;` added before the point where the old reading is taken up again,
        # then typing at the end (resumed from a moved checkpoint)
        ["a b; c d; e f g", "x; a b; c d; e f g", "x; a b; c d; e f g h"],
        ["x; y; a b; c d; e f", "a b; c d; e f", "a b; c d; e f g"],
        # the change ends right before a token end the old reading stopped at
        ["a b; c", "a;b; c", "a;b; c d"],
        ["ab c; d", "a;c; d", "a;c; d e"],
        # a quote opened or closed before the shared end
        ["a b; c d; e", "a 'b; c d; e", "a 'b; c d'; e", "a 'b; c d'; e f"],
    ],
)
def test_statement_spans_taken_up_again_after_an_edit(texts: list[str]) -> None:
    from cqlang import statements

    saved = statements._CHECKPOINT_EVERY
    statements._CHECKPOINT_EVERY = 1
    try:
        for text in texts:
            assert statement_spans(text) == _statement_spans_by_hand(text), text
    finally:
        statements._CHECKPOINT_EVERY = saved


def test_a_backslash_at_the_end_of_a_line_does_not_carry_a_string_on() -> None:
    # The lexer reads no string across a line (CQL003 on the first line):
    # the `;` on the next line separates, as the colours show it.
    text = 'x = "a\\\nb; state = OPEN'
    assert [text[s:e] for s, e in statement_spans(text)] == ['x = "a\\\nb', " state = OPEN"]
    assert statement_spans('x = "a\\\n;"') == [(0, 8), (9, 10)]


def test_statement_spans_are_the_lexers() -> None:
    from cqlang import statements
    from cqlang.repl import session

    assert session.statement_spans is statements.statement_spans


# ----------------------------------------------------------- highlighting

_PIECES = st.sampled_from(
    [
        " ", "  ", "\t", "\n", "state", "custom", "Custom", ".", " . ", "region", "[", "]",
        '"', "'", "\\", "\\fetch", "#", "# note\n", "=", "!=", ">=", "(", ")", ",", "and",
        "or", "not", "in", "between", "is", "null", "now", "today", "-", "+", "7d", "1mo",
        "12", "-5", "2021-08-10", "2021-08-10T14:30Z", "OPEN", "$p", "@q", "x_1", "ł", ";",
    ]
)  # fmt: skip
_texts = st.lists(_PIECES, max_size=30).map("".join)


def _reference_lines(text: str) -> list[object]:
    from prompt_toolkit.document import Document
    from prompt_toolkit.lexers import PygmentsLexer

    from cqlang.highlight import CqlangLexer

    doc = Document(text)
    get = PygmentsLexer(CqlangLexer).lex_document(doc)
    return [get(i) for i in range(len(doc.lines))]


def _lines(h: object, text: str) -> list[object]:
    from prompt_toolkit.document import Document

    doc = Document(text)
    get = h.lex_document(doc)  # type: ignore[attr-defined]
    return [get(i) for i in range(len(doc.lines))]


@settings(max_examples=300, deadline=None)
@given(st.lists(_texts, min_size=1, max_size=6), st.data())
def test_incremental_highlighting_shows_what_pygments_shows(
    texts: list[str], data: st.DataObject
) -> None:
    """After any sequence of edits (typing at the end, in the middle,
    deleting, pasting), the incremental highlighter's lines are exactly
    those of PygmentsLexer(CqlangLexer) for the text as it stands."""
    from cqlang.repl.highlighting import IncrementalHighlighter

    h = IncrementalHighlighter()
    text = ""
    for piece in texts:
        at = data.draw(st.integers(0, len(text)))
        cut = data.draw(st.integers(0, min(3, len(text) - at)))
        text = text[:at] + piece + text[at + cut :]
        assert _lines(h, text) == _reference_lines(text), text


def test_typing_a_long_query_lexes_only_its_end() -> None:
    from cqlang.repl.highlighting import IncrementalHighlighter

    h = IncrementalHighlighter()
    text = " and ".join(f"priority >= {i}" for i in range(300))
    _lines(h, text)
    lexed: list[str] = []
    lexer = h.prepare()
    original = lexer.get_tokens_unprocessed

    def spy(chunk: str) -> object:
        lexed.append(chunk)
        return original(chunk)

    lexer.get_tokens_unprocessed = spy  # type: ignore[method-assign]
    for ch in " and state = OPEN":
        text += ch
        assert _lines(h, text) == _reference_lines(text)
    assert max(len(c) for c in lexed) < 40


@pytest.mark.parametrize(
    "edits",
    [
        ["custom . region", "custom . regionx"],  # `custom . key` is one rule
        ["x = 1 custom  ab", "x = 1 custom  .ab"],
        ["a \\fetch", "a \\fetchx"],  # a `\\` only starts a command at a line's start
        ["a\n\\fetch x", "a\n\\fetch xy"],
        ['a = "b c d', 'a = "b c d e'],  # inside a string
        ["2021-08-10 x", "2021-08-10T x"],
        ["state = OPEN and priority", "state = OPEN and priority >= 3", "state = OPEN"],
    ],
)
def test_incremental_highlighting_of_tricky_edits(edits: list[str]) -> None:
    from cqlang.repl.highlighting import IncrementalHighlighter

    h = IncrementalHighlighter()
    for text in edits:
        assert _lines(h, text) == _reference_lines(text), text


def test_typing_in_the_middle_of_a_long_query_lexes_a_little() -> None:
    from cqlang.repl.highlighting import IncrementalHighlighter

    h = IncrementalHighlighter()
    clauses = [f"priority >= {i}" for i in range(300)]
    head, tail = " and ".join(clauses[:150]), " and " + " and ".join(clauses[150:])
    _lines(h, head + tail)
    lexed: list[str] = []
    lexer = h.prepare()
    original = lexer.get_tokens_unprocessed

    def spy(chunk: str) -> object:
        lexed.append(chunk)
        return original(chunk)

    lexer.get_tokens_unprocessed = spy  # type: ignore[method-assign]
    typed = ""
    for ch in " and state = OPEN":
        typed += ch
        text = head + typed + tail
        assert _lines(h, text) == _reference_lines(text)
    # Each press reads from a little before the change to a little after it
    # (the generator is left once the old tokens take over).
    assert len(lexed) == len(" and state = OPEN")
