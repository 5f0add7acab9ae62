"""Offsets <-> LSP positions, changes with ranges, and long documents: the
language server's LineIndex against a plain reference implementation
(UTF-16, UTF-8, UTF-32; lines ended by \\n, \\r\\n or \\r), ranged didChange
end to end, and semantic tokens of a long line (each position O(log n):
no copy of the line per token) and of a document past the size limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_support import (
    RawServer,
    SyncClient,
    ref_offset,
    ref_position,
    temp_root,
    units,
    uri_of,
    utf16,
)
from lsprotocol import types

import cqlang
from cqlang.config.fmtfiles import format_query_file
from cqlang.highlight import CqlangLexer
from cqlang.lsp.documents import LineIndex, apply_change
from cqlang.lsp.tokens import classify
from cqlang.parser import MAX_QUERY_CHARS

ENCODINGS = ("utf-16", "utf-8", "utf-32")
PIECES = ["a", "b", " ", "\n", "\r", "\r\n", "ż", "😀", "🇵🇱", "\u2028", "\x0c", "\ud800"]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=300)
@given(texts, st.sampled_from(ENCODINGS), st.data())
def test_positions_agree_with_the_reference(text: str, encoding: str, data: Any) -> None:
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        p = index.position(offset)
        assert (p.line, p.character) == ref_position(text, offset, encoding)
    line = data.draw(st.integers(-1, text.count("\n") + text.count("\r") + 1))
    character = data.draw(st.integers(0, 12))
    got = index.offset(types.Position(line=line, character=character)) if line >= 0 else 0
    assert got == ref_offset(text, line, character, encoding)


class Counting(str):
    """A text that counts the characters every slice of it copies."""

    copied = 0

    def __getitem__(self, key: Any) -> str:
        got = super().__getitem__(key)
        Counting.copied += len(got)
        return got


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_position_never_copies_its_line(encoding: str) -> None:
    unit = 'priority > 3 and close_reason = "żółw 😀" and '
    text = Counting(unit * 2000)  # one line of 92,000 characters
    index = LineIndex(text, encoding)
    Counting.copied = 0
    offsets = range(0, len(text), 7)
    for offset in offsets:
        p = index.position(offset)
        assert index.offset(p) == offset
    # A few characters a call (the line's end is looked at), not the line.
    assert Counting.copied <= 4 * len(offsets)
    last = index.position(len(text))
    assert last.character == units(str(text), encoding)


# ------------------------------------------------------------ ranged changes


def _range(text: str, a: int, b: int, encoding: str) -> types.Range:
    (l1, c1), (l2, c2) = ref_position(text, a, encoding), ref_position(text, b, encoding)
    return types.Range(
        start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2)
    )


@settings(max_examples=300)
@given(texts, st.sampled_from(ENCODINGS), st.data())
def test_a_ranged_change_replaces_its_range(text: str, encoding: str, data: Any) -> None:
    # Offsets at character boundaries that are not inside a \r\n.
    cuts = [i for i in range(len(text) + 1) if not (text[i - 1 : i + 1] == "\r\n" and i > 0)]
    a = data.draw(st.sampled_from(cuts))
    b = data.draw(st.sampled_from([c for c in cuts if c >= a]))
    new = data.draw(texts)
    change = types.TextDocumentContentChangePartial(range=_range(text, a, b, encoding), text=new)
    assert apply_change(text, change, encoding) == text[:a] + new + text[b:]
    whole = types.TextDocumentContentChangeWholeDocument(text=new)
    assert apply_change(text, whole, encoding) == new


def test_ranged_changes_by_hand() -> None:
    def change(text: str, l1: int, c1: int, l2: int, c2: int, new: str) -> str:
        rng = types.Range(
            start=types.Position(line=l1, character=c1), end=types.Position(line=l2, character=c2)
        )
        return apply_change(
            text, types.TextDocumentContentChangePartial(range=rng, text=new), "utf-16"
        )

    assert change("a\r\nb", 0, 1, 1, 0, "") == "ab"  # the \r\n is one line break
    assert change("a\rb\nc", 1, 0, 1, 1, "X") == "a\rX\nc"  # \r alone ends a line
    assert change("a\u2028b", 0, 2, 0, 3, "X") == "a\u2028X"  # U+2028 does not
    assert change("😀x", 0, 2, 0, 3, "y") == "😀y"  # the emoji counts two
    assert change("ab\r\nc", 0, 99, 0, 99, "!") == "ab!\r\nc"  # past the line: its end
    assert change("ab", 5, 0, 9, 0, "!") == "ab!"  # past the text: its end
    assert change("abc", 0, 2, 0, 1, "X") == "aXc"  # end before start: between the two


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


def test_ranged_did_change_end_to_end(server: SyncClient) -> None:
    uri = uri_of(Path(server.ws) / "ranged.cql")  # type: ignore[attr-defined]
    text = "state = OPEN\r\nand prioirty > 1 # żółw 😀\rand priority < 9"
    server.open(uri, text)
    server.diagnostics_for(uri, 1)
    edits = [  # (start, end, new) as offsets of the text before each edit
        (text.index("prioirty"), text.index("prioirty") + 8, "priority"),
        (0, 0, "# top 😀\n"),
        (None, None, ""),  # filled below: delete the comment's emoji
    ]
    version = 1
    for a, b, new in edits:
        if a is None:
            a = text.index("😀", text.index("żółw"))
            b = a + 1
        assert a is not None and b is not None
        rng = _range(text, a, b, "utf-16")
        version += 1
        server.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangePartial(range=rng, text=new)],
            )
        )
        text = text[:a] + new + text[b:]
    got = server.diagnostics_for(uri, version)
    assert [d.message for d in got] == [d.message for d in cqlang.check(text)]
    # The text the server holds is the one edited here: formatting it says so.
    edits_back = server.run(
        server.client.text_document_formatting_async(
            types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                options=types.FormattingOptions(tab_size=4, insert_spaces=True),
            )
        )
    )
    assert edits_back is not None
    formatted = format_query_file(text)
    assert edits_back[0].new_text.replace("\r\n", "\n") == formatted.replace("\r\n", "\n")


# ------------------------------------------------------------ long documents


def _tokens(server: SyncClient, uri: str) -> list[int]:
    result = server.run(
        server.client.text_document_semantic_tokens_full_async(
            types.SemanticTokensParams(text_document=types.TextDocumentIdentifier(uri=uri))
        ),
        timeout=60,
    )
    assert result is not None
    return list(result.data)


def test_semantic_tokens_of_a_long_line(server: SyncClient) -> None:
    # 300,000 characters on one line, an emoji first so that no line is plain.
    unit = 'priority > 3 and close_reason != "ż" and '
    text = "😀 " + unit * (300_000 // len(unit)) + "state = OPEN"
    uri = uri_of(Path(server.ws) / "long.cql")  # type: ignore[attr-defined]
    server.open(uri, text)
    data = _tokens(server, uri)
    expected = [
        (pos, value)
        for pos, kind, value in CqlangLexer().get_tokens_unprocessed(text)
        if classify(kind) is not None and value.strip()
    ]
    assert len(data) == 5 * len(expected)
    # The last token, where LSP counts it: after the emoji's two units.
    pos, value = expected[-1]
    assert sum(data[1::5]) == utf16(text[:pos])
    assert data[-3] == len(value)


def test_a_document_past_the_limit_gets_one_diagnostic_and_no_tokens(server: SyncClient) -> None:
    text = "x" * (MAX_QUERY_CHARS + 1)
    uri = uri_of(Path(server.ws) / "huge.cql")  # type: ignore[attr-defined]
    server.open(uri, text)
    diags = server.diagnostics_for(uri, 1)
    assert [d.code for d in diags] == ["CQL006"]
    assert [d.message for d in diags] == [d.message for d in cqlang.check(text)]
    assert _tokens(server, uri) == []
    config = "# padding\n" * 110_000 + '[queries.a]\nquery = "state = OPEN"\n'
    uri = uri_of(Path(server.ws) / "cqlang.toml")  # type: ignore[attr-defined]
    server.open(uri, config, language="toml")
    diags = server.diagnostics_for(uri, 1)
    assert [d.message for d in diags] == ["larger than 1 MiB: not read as a config file"]
    assert _tokens(server, uri) == []
    _nothing_else_served(server, uri, types.Position(line=110_000, character=3))
    (Path(server.ws) / "refers.cql").write_text("@a\n", encoding="utf-8")  # type: ignore[attr-defined]
    _nothing_else_served(server, uri, types.Position(line=110_001, character=12))


def _nothing_else_served(server: SyncClient, uri: str, at: types.Position) -> None:
    """No lens, completion, hover, definition, reference or edit for a
    document past the size limit (each request answered)."""
    doc = types.TextDocumentIdentifier(uri=uri)
    where = types.Range(start=at, end=at)
    c = server.client
    got = [
        server.run(c.text_document_code_lens_async(types.CodeLensParams(text_document=doc))),
        server.run(
            c.text_document_completion_async(types.CompletionParams(text_document=doc, position=at))
        ),
        server.run(c.text_document_hover_async(types.HoverParams(text_document=doc, position=at))),
        server.run(
            c.text_document_definition_async(types.DefinitionParams(text_document=doc, position=at))
        ),
        server.run(
            c.text_document_references_async(
                types.ReferenceParams(
                    text_document=doc,
                    position=at,
                    context=types.ReferenceContext(include_declaration=True),
                )
            )
        ),
        server.run(
            c.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=doc, range=where, context=types.CodeActionContext(diagnostics=[])
                )
            )
        ),
        server.run(
            c.text_document_formatting_async(
                types.DocumentFormattingParams(
                    text_document=doc,
                    options=types.FormattingOptions(tab_size=4, insert_spaces=True),
                )
            )
        ),
    ]
    assert [g for g in got if g and getattr(g, "items", True)] == [], got


# ------------------------------------------------------------ UTF-8 clients


def test_a_client_that_offers_utf8_gets_utf8_columns() -> None:
    root = temp_root()
    (root / "home").mkdir()
    ws = root / "ws"
    ws.mkdir()
    raw = RawServer(
        root / "home", ws, capabilities={"general": {"positionEncodings": ["utf-8", "utf-16"]}}
    )
    try:
        assert raw.initialized["result"]["capabilities"]["positionEncoding"] == "utf-8"
        text = 'close_reason = "żółw 😀" and prioirty > 3'
        uri = uri_of(ws / "u8.cql")
        raw.open(uri, text)
        published = raw.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
            )
        )
        (diag,) = published["params"]["diagnostics"]
        start = text.index("prioirty")
        assert diag["range"]["start"]["character"] == len(text[:start].encode("utf-8"))
    finally:
        raw.close()
