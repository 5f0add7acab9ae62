"""The REPL's per-key-press work, made faster (issue 15), reads exactly as
before: statement spans, highlighting, the status line."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.repl.session import statement_spans


def _statement_spans_by_hand(text: str) -> list[tuple[int, int]]:
    """The character-by-character reading statement_spans replaced (issue
    15: it cost more than a millisecond a key press on a long query)."""
    spans: list[tuple[int, int]] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            i += 1
            while i < n and text[i] != ch and text[i] != "\n":
                i += 2 if text[i] == "\\" else 1
        elif ch == "#":
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
@given(st.text(alphabet="ab ;\"'#\\\n"))
def test_statement_spans_read_like_the_character_loop(text: str) -> None:
    assert statement_spans(text) == _statement_spans_by_hand(text)


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
    original = h._lexer.get_tokens_unprocessed

    def spy(chunk: str) -> object:
        lexed.append(chunk)
        return original(chunk)

    h._lexer.get_tokens_unprocessed = spy  # type: ignore[method-assign]
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
    original = h._lexer.get_tokens_unprocessed

    def spy(chunk: str) -> object:
        lexed.append(chunk)
        return original(chunk)

    h._lexer.get_tokens_unprocessed = spy  # type: ignore[method-assign]
    typed = ""
    for ch in " and state = OPEN":
        typed += ch
        text = head + typed + tail
        assert _lines(h, text) == _reference_lines(text)
    # Each press reads from a little before the change to a little after it
    # (the generator is left once the old tokens take over).
    assert len(lexed) == len(" and state = OPEN")
