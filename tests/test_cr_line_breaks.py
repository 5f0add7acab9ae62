"""A line ends at ``\\n``, ``\\r\\n`` or a lone ``\\r`` (one line break
each), as editors and the language server count lines: a ``#`` comment
ends there on every path that reads comments (the grammar, the lexer, the
fast path, the trivia scan and the formatter, the highlighter, the REPL's
line joining and statements, completion, the language server), and the
line and column of a diagnostic count the same lines. A lone ``\\r`` used
to leave the rest of the line in the comment: ``state = OPEN # open
ones\\rand priority > 3`` compiled to the state filter alone, exit 0."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import strategies as S
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_support import SyncClient, temp_root, uri_of
from lsprotocol import types

import cqlang
from cqlang.cli import main
from cqlang.completion import complete
from cqlang.diagnostics import line_col, not_utf8, render
from cqlang.highlight import CqlangLexer
from cqlang.lsp.documents import LineIndex
from cqlang.parser import skip_trivia, trivia
from cqlang.parser.grammar import lark_parser
from cqlang.parser.simple import parse_simple
from cqlang.repl.session import bare_command, needs_more_input, split_statements

REPORTED = "state = OPEN # open ones\rand priority > 3\n"
BOTH = [
    {"property": "state", "value": ["OPEN"]},
    {"property": "priority", "operator": "gt", "value": 3},
]
BREAKS = ("\n", "\r", "\r\n")
LAUNCH = "from cqlang.launch import main; main()"


@pytest.mark.parametrize("brk", BREAKS)
def test_the_reported_query_keeps_its_second_line(brk: str) -> None:
    text = REPORTED.replace("\r", brk)
    assert cqlang.compile(text) == BOTH
    assert parse_simple(text) is not None  # the fast path reads it too
    assert parse_simple(text) == cqlang.parse(text).expr
    lark_parser().parse(text)  # the grammar's own lexer agrees


@pytest.mark.parametrize("brk", BREAKS)
def test_compile_from_a_file_on_both_command_paths(tmp_path: Path, brk: str) -> None:
    path = tmp_path / "cr.cql"
    path.write_bytes(REPORTED.replace("\r", brk).encode())
    got = CliRunner().invoke(main, ["compile", "-f", str(path)])
    assert got.exit_code == 0, got.output
    assert json.loads(got.output) == BOTH
    fast = subprocess.run(  # the launcher's fast path (cqlang/launch.py)
        [sys.executable, "-c", LAUNCH, "compile", "-f", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fast.returncode == 0, fast.stderr
    assert json.loads(fast.stdout) == BOTH


def test_a_typo_after_a_lone_cr_is_reported_on_its_own_line() -> None:
    text = "state = OPEN # x\rand prioirty > 3"
    (diag,) = cqlang.check(text)
    assert diag.code == "CQL101"
    assert (diag.line, diag.column) == (2, 5)
    drawn = render(diag, text)
    assert "2 | and prioirty > 3\n" in drawn
    assert drawn.endswith("  |     ^^^^^^^^ did you mean 'priority'?")


@pytest.mark.parametrize("brk", BREAKS)
def test_a_diagnostic_line_holds_no_line_break(brk: str) -> None:
    text = f"state = OPEN{brk}and prioirty > 3{brk}and priority < 9"
    (diag,) = cqlang.check(text)
    assert (diag.line, diag.column) == (2, 5)
    assert "2 | and prioirty > 3\n" in render(diag, text)  # no ␍ drawn at its end


_LINE_PIECES = ["a", "b", " ", "\n", "\r", "\r\n", "ż", "😀", "\x0c"]


@settings(max_examples=S.examples(200), deadline=None)
@given(st.lists(st.sampled_from(_LINE_PIECES), max_size=30).map("".join), st.data())
def test_line_and_column_count_lines_as_the_language_server(text: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    if text[offset - 1 : offset + 1] == "\r\n":
        offset -= 1  # inside a line break: no position of its own
    position = LineIndex(text, types.PositionEncodingKind.Utf32).position(offset)
    assert line_col(text, offset) == (position.line + 1, position.character + 1)


@pytest.mark.parametrize(("brk", "column"), [("\n", 3), ("\r", 3), ("\r\n", 3)])
def test_a_byte_that_is_not_utf8_is_placed_by_the_same_lines(brk: str, column: int) -> None:
    data = f"a{brk}b{brk}cd".encode() + b"\xff"
    try:
        data.decode()
    except UnicodeDecodeError as exc:
        assert not_utf8(data, exc)[1:] == (3, column)


@pytest.mark.parametrize("brk", BREAKS)
def test_the_highlighter_ends_a_comment_at_the_line_break(brk: str) -> None:
    text = REPORTED.replace("\r", brk)
    # Unprocessed, as the language server and the REPL read it (Pygments'
    # get_tokens would turn each line break into "\n" first).
    lexed = CqlangLexer().get_tokens_unprocessed(text)
    comments = [v for _, t, v in lexed if str(t).startswith("Token.Comment")]
    assert comments == ["# open ones"]


@pytest.mark.parametrize("brk", BREAKS)
def test_the_formatter_keeps_the_line_after_the_comment(brk: str) -> None:
    text = REPORTED.replace("\r", brk)
    assert cqlang.format(text) == "state = OPEN  # open ones\nand priority > 3"
    assert [text[a:b] for a, b in trivia(text).comments] == ["# open ones"]
    # A comment on a line of its own after a lone CR leads the next line.
    own = f"state = OPEN{brk}# lead{brk}and priority > 3"
    assert cqlang.format(own) == "state = OPEN\n# lead\nand priority > 3"


def test_the_repl_reads_the_line_after_a_comment() -> None:
    # Line joining: a query ending in `and` after the CR needs another line.
    assert needs_more_input("state = OPEN # x\rand")
    assert not needs_more_input("state = OPEN # x\rand priority > 3")
    # Statements: the `;` after the CR separates (it was inside the comment).
    assert split_statements("state = OPEN # x\rpriority > 3; state = CLOSED") == [
        "state = OPEN # x\rpriority > 3",
        "state = CLOSED",
    ]
    assert bare_command("quit # bye\rnow") is None
    assert skip_trivia("# note\rstate") == len("# note\r")


def test_completion_after_a_lone_cr_is_not_inside_the_comment() -> None:
    for brk in BREAKS:
        text = f"state = OPEN # x{brk}"
        assert complete(text, len(text)), repr(brk)


@st.composite
def _with_breaks(draw: st.DrawFn) -> tuple[str, str]:
    _, text = draw(S.query_texts(max_leaves=6))
    text = draw(S.commented(text))
    pieces = text.split("\n")
    out = pieces[0]
    for piece in pieces[1:]:
        out += draw(st.sampled_from(BREAKS)) + piece
    return text, out


@settings(max_examples=S.examples(200), deadline=None)
@given(_with_breaks())
def test_any_line_break_compiles_to_the_same_filters(texts: tuple[str, str]) -> None:
    """Generated queries with comments: each ``\\n`` replaced by ``\\r`` or
    ``\\r\\n`` compiles to the same filters, formats the same and keeps
    the same comments."""
    text, changed = texts
    try:
        expected = cqlang.compile(text, now=S.NOW)
    except cqlang.CqlError as exc:
        with pytest.raises(type(exc)):
            cqlang.compile(changed, now=S.NOW)
        return
    assert cqlang.compile(changed, now=S.NOW) == expected
    assert cqlang.format(changed) == cqlang.format(text)
    assert S.comment_texts(changed) == S.comment_texts(text)


# ------------------------------------------------------------ language server


@pytest.fixture(scope="module")
def server() -> Iterator[SyncClient]:
    root = temp_root()
    ws = root / "ws"
    ws.mkdir()
    (root / "home").mkdir()
    client = SyncClient(ws, root / "home")
    client.ws = ws  # type: ignore[attr-defined]
    yield client
    client.close()


def test_the_language_server_reports_a_typo_after_a_lone_cr(server: SyncClient) -> None:
    uri = uri_of(Path(server.ws) / "cr.cql")  # type: ignore[attr-defined]
    server.open(uri, "state = OPEN # x\rand prioirty > 3")
    (diag,) = server.diagnostics_for(uri, 1)
    assert diag.range.start == types.Position(line=1, character=4)
    assert diag.range.end == types.Position(line=1, character=12)


# ---------------------------------------------- line endings kept by fmt

UGLY = "STATE=open # why{0}AND priority>=3{0}"
NEAT = "STATE = open  # why{0}and priority >= 3{0}"


@pytest.mark.parametrize("brk", BREAKS)
def test_fmt_write_keeps_the_files_line_ending(tmp_path: Path, brk: str) -> None:
    """A lone CR file stays CR (it was rewritten with LF); CRLF and LF stay."""
    path = tmp_path / "q.cql"
    path.write_bytes(UGLY.format(brk).encode())
    got = CliRunner().invoke(main, ["fmt", "--write", str(path)])
    assert got.exit_code == 0, got.output
    assert path.read_bytes() == NEAT.format(brk).encode()
    again = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert again.exit_code == 0, again.output


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("state = OPEN\r\nand priority > 3\n", "\r\n"),
        ("state = OPEN\rand priority > 3\r\n", "\r"),
        ("state = OPEN\nand priority > 3\r", "\n"),
    ],
)
def test_mixed_line_endings_become_the_first_one(tmp_path: Path, text: str, first: str) -> None:
    path = tmp_path / "q.cql"
    path.write_bytes(text.encode())
    check = CliRunner().invoke(main, ["fmt", "--check", str(path)])
    assert check.exit_code == 1, check.output  # formatted, but not one ending
    assert CliRunner().invoke(main, ["fmt", "--write", str(path)]).exit_code == 0
    assert path.read_bytes() == f"state = OPEN{first}and priority > 3{first}".encode()


def test_a_config_file_of_lone_crs_is_formatted_and_kept(tmp_path: Path) -> None:
    """It loads (a lone CR is a line break), so fmt reads it too."""
    path = tmp_path / "cqlang.toml"
    path.write_bytes(b'[queries.a]\rquery = "state=OPEN"\r')
    got = CliRunner().invoke(main, ["fmt", "--write", str(path)], env={"CQLANG_CONFIG": str(path)})
    assert got.exit_code == 0, got.output
    assert path.read_bytes() == b'[queries.a]\rquery = "state = OPEN"\r'


@pytest.mark.parametrize("brk", BREAKS)
def test_the_language_server_formats_with_the_documents_line_ending(
    server: SyncClient, brk: str
) -> None:
    uri = uri_of(Path(server.ws) / f"fmt{len(brk)}{brk == chr(13)}.cql")  # type: ignore[attr-defined]
    server.open(uri, UGLY.format(brk))
    edits = server.run(
        server.client.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                options=types.FormattingOptions(tab_size=4, insert_spaces=True),
            )
        )
    )
    assert edits is not None and [e.new_text for e in edits] == [NEAT.format(brk)]
