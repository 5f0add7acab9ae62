"""A `#` glued to a value cut the rest of the line silently:
`custom.x = a#b and state = OPEN` compiled to `custom.x = "a"` alone, and
`priority >= 3#and state = OPEN` to `priority >= 3`. A `#` now starts a
comment only at the start of a line or after a blank, as in a shell; glued
to what stands before it, it is CQL002 with a hint giving both readings.
The lexer, the fast path, the grammar, the formatter, the highlighter (and
so the editor's semantic tokens) read comments by the one rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import strategies as S
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pygments.token import Comment

import cqlang
from cqlang.cli import main
from cqlang.highlight import CqlangLexer
from cqlang.parser import trivia
from cqlang.parser.grammar import lark_parser
from cqlang.parser.simple import parse_simple

REPORTED = [
    ("custom.x = a#b and state = OPEN", 12, '"a#b"'),
    ("priority >= 3#and state = OPEN", 13, '"3#and"'),
]


@pytest.mark.parametrize(("text", "at", "quoted"), REPORTED)
def test_the_reported_queries_are_errors_with_both_readings(
    text: str, at: int, quoted: str
) -> None:
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.compile(text)
    (d,) = info.value.diagnostics
    assert (d.code, d.start, d.end) == ("CQL002", at, at + 1)
    assert "does not start a comment" in d.message
    assert d.hint is not None and quoted in d.hint and "after a blank" in d.hint
    assert parse_simple(text) is None  # the fast path declines it too


@pytest.mark.parametrize(("text", "at", "quoted"), REPORTED)
def test_the_command_line_says_so_and_compiles_nothing(text: str, at: int, quoted: str) -> None:
    result = CliRunner().invoke(main, ["compile", text])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "error[CQL002]" in result.stderr and quoted in result.stderr


def test_a_named_query_with_a_glued_hash_is_reported_in_its_file(config_home: Path) -> None:
    path = config_home / "cqlang.toml"
    path.write_text('[queries.g]\nquery = "custom.x = a#b and state = OPEN"\n')
    result = CliRunner().invoke(main, ["--config", str(path), "queries", "check"])
    assert result.exit_code == 1, result.output
    assert "CQL002" in result.output
    bad = CliRunner().invoke(main, ["--config", str(path), "compile", "@g or state = CLOSED"])
    assert bad.exit_code == 1 and "in @g: '#' glued to 'a'" in bad.stderr


def test_a_hash_after_a_blank_or_in_a_string_is_as_before() -> None:
    assert cqlang.compile('custom.x = "a#b" and state = OPEN') == [
        {"property": "custom_fields", "key": "x", "value": "a#b"},
        {"property": "state", "value": ["OPEN"]},
    ]
    assert cqlang.compile("priority >= 3 #and state = OPEN") == cqlang.compile("priority >= 3")
    assert cqlang.compile("priority >= 3\t# x\n#y\nand state = OPEN") == cqlang.compile(
        "priority >= 3 and state = OPEN"
    )
    assert cqlang.compile("#only\n") == []
    assert trivia("a = 1 #c").comments == ((6, 8),)


def test_the_highlighter_reads_comments_by_the_same_rule() -> None:
    def comments(text: str) -> list[str]:
        return [v for t, v in CqlangLexer().get_tokens(text) if t in Comment]

    assert comments("custom.x = a#b and state = OPEN") == []
    assert comments("custom.x = a #b and state = OPEN") == ["#b and state = OPEN"]
    assert comments("# lead\nstate = OPEN") == ["# lead"]


def test_the_grammar_agrees() -> None:
    parser = lark_parser()
    parser.parse("priority >= 3 # c")
    with pytest.raises(Exception, match="#"):
        parser.parse("priority >= 3#c")


@settings(max_examples=S.examples(150), deadline=None)
@given(st.data())
def test_a_hash_glued_after_any_token_is_an_error_there(data: st.DataObject) -> None:
    _, text = data.draw(S.query_texts(max_leaves=6))
    toks = trivia(text).tokens
    if not toks:
        return
    _, _, end = data.draw(st.sampled_from(toks))
    glued = text[:end] + "#x" + text[end:]
    if text[end - 1] in PUNCTUATION:  # after a bracket, a comma, a quote: a comment
        return
    with pytest.raises(cqlang.CqlSyntaxError) as info:
        cqlang.parse(glued)
    d = info.value.diagnostics[0]
    assert (d.code, d.start) == ("CQL002", end), glued


#: What no word or value can end with: a `#` right after it starts a comment.
PUNCTUATION = "(),\"'"


@pytest.mark.parametrize(
    "text",
    [
        "state in (OPEN, PROCESSING)# still being worked on",
        "(state = OPEN)#c",
        'state = "OPEN"# c',
        "custom.x = 'a'# c",
        "state in (OPEN,# the open ones\n CLOSED)",
        "state in (# both\n OPEN, CLOSED)",
    ],
)
def test_a_hash_after_punctuation_starts_a_comment(text: str) -> None:
    """After `)`, `(`, `,` or a closing quote a `#` cannot belong to a word,
    so it starts a comment, as after a shell's `)`: the rule refuses only a
    `#` glued to a word or a number (a review found `(OPEN, CLOSED)# c`,
    which compiled before, refused)."""
    without = text.split("#")[0] + ("\n" + text.split("\n", 1)[1] if "\n" in text else "")
    assert cqlang.compile(text) == cqlang.compile(without)
    lexed = [v for t, v in CqlangLexer().get_tokens(text) if t in Comment]
    assert len(lexed) == 1 and lexed[0].startswith("#")
    assert len(trivia(text).comments) == 1


_HASHED = st.sampled_from(["a#b", "#", "# not a comment", "x #y", "#2026"])


@settings(max_examples=S.examples(150), deadline=None)
@given(st.data(), st.sampled_from([20, 88]))
def test_formatting_never_changes_meaning_with_hashes_in_values(
    data: st.DataObject, width: int
) -> None:
    """Values holding `#` stay values and comments stay comments through
    the formatter, which never glues a comment to a token."""
    _, text = data.draw(S.query_texts(max_leaves=6))
    value = data.draw(_HASHED)
    quoted = '"' + value + '"'
    text = f"( {text}\n) and custom.tag = {quoted}"
    text = data.draw(S.commented(text))
    formatted = cqlang.format(text, width=width)
    assert cqlang.parse(formatted).expr == cqlang.parse(text).expr
    assert S.comment_texts(formatted) == S.comment_texts(text)
    lexed = [v.rstrip() for t, v in CqlangLexer().get_tokens(formatted) if t in Comment]
    assert lexed == S.comment_texts(formatted)


def test_after_the_semicolon_that_ends_a_repl_statement_a_comment_starts() -> None:
    from cqlang.statements import statement_spans

    text = "state = OPEN;# the rest; is a comment\npriority > 1"
    assert statement_spans(text) == [(0, 12), (13, len(text))]
    assert cqlang.compile(text[13:]) == cqlang.compile("priority > 1")
    lexed = [v for t, v in CqlangLexer().get_tokens(text) if t in Comment]
    assert lexed == ["# the rest; is a comment"]
    # Glued to a value, it is no comment: the ';' after it separates.
    assert statement_spans("a = b#c;d = 1") == [(0, 7), (8, 13)]


def test_the_grammar_states_the_lexers_comment_rule() -> None:
    """The rule is written once in the lexer (COMMENT), which the fast path,
    the trivia scan and the highlighter build theirs from; the grammar
    file, read by Lark, holds its own copy, kept equal here."""
    import re

    from cqlang.parser.grammar import grammar_text
    from cqlang.parser.lexer import COMMENT

    written = re.search(r"^COMMENT: /(.*)/$", grammar_text(), re.M)
    assert written is not None and written.group(1) == COMMENT.replace("\\#", "#")
