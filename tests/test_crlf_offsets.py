"""A diagnostic's ``start`` and ``end`` are code points of the text as it
was given, the same whether it came from a file (``-f FILE``, ``queries
check FILE``), standard input, an argument, Python or an editor
(docs/errors.md). A query file's ``\\r\\n`` used to be read as ``\\n``, so
that ``cqlang check --json -f FILE`` put a span one short per CRLF before
it (19-27 for ``prioirty`` in ``state = OPEN\\r\\n  and prioirty > 3``,
20-28 from ``-f -`` and from ``cqlang.check()``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from lsp_support import SyncClient, temp_root, uri_of
from lsprotocol import types

import cqlang
from cqlang.cli import main
from cqlang.queryfile import decode_query

BREAKS = ("\n", "\r\n", "\r")
#: Two typos, the second after two line breaks, so that each CRLF counts.
QUERY = "state = OPEN{0}  and prioirty > 3{0}{0}and custom.x = 1 and stat = OPEN"


def spans(diags: list[dict[str, Any]]) -> list[tuple[str, int, int, int, int]]:
    return [(d["code"], d["start"], d["end"], d["line"], d["column"]) for d in diags]


def by_python(text: str) -> list[tuple[str, int, int, int, int]]:
    return [(d.code, d.start, d.end, d.line, d.column) for d in cqlang.check(text)]


def by_cli(*args: str, stdin: bytes | None = None) -> list[tuple[str, int, int, int, int]]:
    result = CliRunner().invoke(main, ["check", "--json", *args], input=stdin)
    assert result.exit_code == 1, result.output
    return spans(json.loads(result.stdout))


@pytest.mark.parametrize("brk", BREAKS)
def test_every_path_gives_the_same_offsets(tmp_path: Path, brk: str) -> None:
    text = QUERY.format(brk)
    raw = text.encode()
    path = tmp_path / "typo.cql"
    path.write_bytes(raw)
    want = by_python(text)
    assert [text[s:e] for _, s, e, _, _ in want] == ["prioirty", "stat"]
    assert [(line, col) for *_, line, col in want] == [(2, 7), (4, 22)]
    assert by_cli("-f", str(path)) == want
    assert by_cli("-f", "-", stdin=raw) == want
    assert by_cli("-", stdin=raw) == want
    assert by_cli(text) == want
    # queries check FILE.cql: the same offsets, and the file's line and column.
    result = CliRunner().invoke(main, ["queries", "check", "--json", str(path)])
    found = json.loads(result.stdout)
    assert spans(found) == want
    assert [(d["file_line"], d["file_column"]) for d in found] == [(2, 7), (4, 22)]


def test_a_file_keeps_its_line_breaks_and_skips_its_byte_order_mark() -> None:
    assert decode_query(b"\xef\xbb\xbfa\r\nb\rc\n") == "a\r\nb\rc\n"


@pytest.mark.parametrize("brk", BREAKS)
def test_a_byte_that_is_not_utf8_is_at_one_offset_on_every_path(tmp_path: Path, brk: str) -> None:
    raw = f'state = OPEN{brk}and custom.city = "'.encode() + b'\xe9"'
    path = tmp_path / "latin1.cql"
    path.write_bytes(raw)
    want = by_python(raw.decode("utf-8", "surrogateescape"))
    assert [(code, line, col) for code, _, _, line, col in want] == [("CQL002", 2, 20)]
    assert by_cli("-f", str(path)) == want
    assert by_cli("-f", "-", stdin=raw) == want


@pytest.mark.parametrize("command", ["fmt", "compile", "explain"])
def test_other_commands_read_a_crlf_file_as_its_lf_twin(tmp_path: Path, command: str) -> None:
    lf = "state = OPEN  # open ones\n\nand priority >= 3\n"
    out = []
    for brk in ("\n", "\r\n"):
        path = tmp_path / "q.cql"
        path.write_bytes(lf.replace("\n", brk).encode())
        result = CliRunner().invoke(main, [command, "-f", str(path)])
        assert result.exit_code == 0, result.output
        out.append(result.output)
    assert out[0] == out[1]
    assert "\r" not in out[1]


def test_a_caret_after_crlf_lines_is_under_the_typo(tmp_path: Path) -> None:
    path = tmp_path / "typo.cql"
    path.write_bytes(QUERY.format("\r\n").encode())
    result = CliRunner().invoke(main, ["compile", "-f", str(path)])
    assert result.exit_code == 1
    assert f" --> {path}:2:7\n" in result.output
    assert "2 |   and prioirty > 3\n  |       ^^^^^^^^ " in result.output
    assert "\r" not in result.output


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


def test_the_language_server_places_them_alike(server: SyncClient) -> None:
    uri = uri_of(Path(server.ws) / "typo.cql")  # type: ignore[attr-defined]
    server.open(uri, QUERY.format("\r\n"))
    got = sorted(
        (d.range.start.line, d.range.start.character, d.range.end.character)
        for d in server.diagnostics_for(uri, 1)
        if d.severity == types.DiagnosticSeverity.Error
    )
    assert got == [(1, 6, 14), (3, 21, 25)]
