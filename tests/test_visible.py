"""The one function that draws text from outside for a terminal, and its
JSON counterpart (cqlang/visible.py; docs/cli.md, "Text from outside")."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from cqlang.diagnostics import make, render
from cqlang.formatter import quote
from cqlang.visible import NAMED, json_text, shorten, visible

#: Every character that acts on a terminal or reorders a line, or cannot be
#: written as UTF-8.
ACTING = frozenset([chr(c) for c in range(32)] + ["\x7f"] + [chr(c) for c in NAMED]) | frozenset(
    chr(c) for c in range(0xD800, 0xE000)
)

ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=40)


def test_controls_are_drawn_as_symbols() -> None:
    assert visible("\x1b[31mRED\x1b[0m\x07") == "␛[31mRED␛[0m␇"
    assert visible("a\nb\tc\x7f") == "a␊b␉c␡"
    assert visible("\x9b2J") == "<U+009B>2J"
    assert visible("abc\u202edef") == "abc<U+202E>def"
    assert visible("\u2066x\u2069\u200f\u2028") == "<U+2066>x<U+2069>\u200f<U+2028>"
    # Right-to-left text with its marks is shown as written.
    assert visible("رقم\u200f 123 \u200eabc\u061c") == "رقم\u200f 123 \u200eabc\u061c"
    assert visible("x\ud800") == "x<U+D800>"
    # Printable text, Polish, Arabic and emoji with a zero-width joiner, is left alone.
    for text in ("Kraków, Łódź", "مرحبا", "👨\u200d👩\u200d👧", "a\u00a0b"):
        assert visible(text) == text


def test_lines_keeps_line_breaks_and_tabs_only() -> None:
    assert visible("a\nb\tc\x1b]0;T\x07", lines=True) == "a\nb\tc␛]0;T␇"
    assert visible("a\r\nb\rc", lines=True) == "a\r\nb␍c"  # a lone CR would overwrite the line


def test_an_echo_is_drawn_and_cut_short() -> None:
    assert shorten("\\" + "x" * 100_000) == "\\" + "x" * 59 + "…"
    assert shorten("\x1b[2J") == "␛[2J"
    assert shorten("abc", 2) == "ab…"


@given(ANY_TEXT)
def test_nothing_that_acts_on_a_terminal_is_left(text: str) -> None:
    kept = visible(text, lines=True).replace("\r\n", "").replace("\n", "").replace("\t", "")
    for shown in (visible(text), kept):  # lines=True keeps line ends (CRLF too) and tabs
        assert not ACTING & set(shown), shown
        shown.encode("utf-8")  # a lone surrogate could not be written
    assert visible(visible(text)) == visible(text)


@given(st.recursive(st.none() | st.booleans() | st.integers() | ANY_TEXT,
                    lambda inner: st.lists(inner, max_size=3)
                    | st.dictionaries(ANY_TEXT, inner, max_size=3), max_leaves=8))  # fmt: skip
def test_json_text_is_the_same_data_with_nothing_acting(value: object) -> None:
    for options in ({}, {"indent": 2}):
        text = json_text(value, **options)
        assert json.loads(text) == value
        assert not ACTING & set(text.replace("\n", ""))
        text.encode("utf-8")


def test_a_caret_stands_under_its_span_after_a_drawn_character() -> None:
    text = 'custom.x = "\u202e" and prioirty > 1'
    d = make(text, "CQL101", "unknown property 'prioirty'", text.index("prioirty"), len(text) - 4)
    lines = render(d, text).splitlines()
    assert "\u202e" not in "\n".join(lines)
    source, caret = lines[3], lines[4]
    assert caret.index("^") == source.index("prioirty")


def test_a_byte_kept_by_surrogateescape_is_drawn_as_the_byte() -> None:
    """A byte that was not UTF-8 (kept as U+DC80-U+DCFF) is named by its
    value, not by the surrogate standing in for it; other lone surrogates
    by their code point."""
    from cqlang.visible import visible

    raw = b"city = \xe9".decode("utf-8", "surrogateescape")
    assert visible(raw) == "city = <0xE9>"
    assert visible("\ud800") == "<U+D800>"


@given(
    st.lists(st.sampled_from(["a", " ", "\n", "\t", "\r", "\r\n", "\x1b", "\u202e", "é"])).map(
        "".join
    )
)
def test_lines_of_printable_text_take_the_short_way_to_the_same_result(text: str) -> None:
    """visible(lines=True) returns printable lines as they are without the
    table; whatever the text, the answer is the table's."""
    from cqlang.visible import _tables

    table = _tables()[1]
    parts = text.split("\r\n")
    assert visible(text, lines=True) == "\r\n".join(p.translate(table) for p in parts)


def test_the_marks_of_right_to_left_text_are_kept() -> None:
    text = "رقم\u200f 123 \u200eabc\u061c"
    assert visible(text) == text
    assert json.loads(json_text({"v": text})) == {"v": text} and "\\u200f" not in json_text(text)
    assert quote(text) == '"' + text + '"'
    # What reorders the rest of a line is still drawn.
    assert visible("a\u202eb") == "a<U+202E>b"
