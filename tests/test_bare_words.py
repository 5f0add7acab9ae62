"""A letter outside ASCII in a word written without quotes: one CQL002
over the word, with the quoted value as the fix where a value goes
(cqlang/parser/syntax.py _bare_word), for every front end alike."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang


def only(text: str) -> cqlang.Diagnostic:
    [d] = cqlang.check(text)
    return d


@pytest.mark.parametrize(
    ("text", "word", "fix"),
    [
        ("custom.city = Łódź", "Łódź", '"Łódź"'),
        ("custom.city = Kraków and state = OPEN", "Kraków", '"Kraków"'),
        ('custom.city in (Gdańsk, "x")', "Gdańsk", '"Gdańsk"'),
        ("custom.city IN (a, Gdańsk)", "Gdańsk", '"Gdańsk"'),
        ("not (custom.c in (Łódź))", "Łódź", '"Łódź"'),
        ("custom.c != Ærø", "Ærø", '"Ærø"'),
    ],
)
def test_a_value_is_quoted(text: str, word: str, fix: str) -> None:
    d = only(text)
    assert d.code == "CQL002" and "cannot be in a word written without quotes" in d.message
    assert text[d.start : d.end] == word
    assert d.suggestion == fix
    fixed = text[: d.start] + fix + text[d.end :]
    # Fixed, it has no error: at most the note that no filter narrows it (CQL206).
    assert [d.code for d in cqlang.check(fixed)] in ([], ["CQL206"]), fixed


@pytest.mark.parametrize("text", ["Łódź = 1", "(Łódź = 1)", "state = OPEN and miasto_ż = 1"])
def test_a_property_gets_the_custom_field_spelling(text: str) -> None:
    d = only(text)
    assert d.code == "CQL002" and d.suggestion is None
    word = text[d.start : d.end]
    assert d.hint is not None and f'custom["{word}"]' in d.hint


def test_names_after_sigils_keep_their_own_message() -> None:
    assert "named query's name" in only("@żółw").message


def test_the_cli_shows_the_word_and_the_fix() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cqlang.cli", "check", "custom.city = Kraków"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    assert done.returncode == 1
    assert (
        "^^^^^^ a bare word is ASCII letters, digits and _: quote the value"
        in done.stdout + done.stderr
    )


_LETTERS = st.characters(min_codepoint=0xC0, max_codepoint=0x24F).filter(str.isalpha)


@given(st.text(alphabet="abc", max_size=3), _LETTERS, st.text(alphabet="xyzłó", max_size=3))
def test_the_fix_of_any_such_value_checks(head: str, letter: str, tail: str) -> None:
    word = head + letter + tail
    text = f"custom.city = {word}"
    d = only(text)
    assert d.suggestion == f'"{word}"'
    assert cqlang.check(text[: d.start] + d.suggestion + text[d.end :]) == []
