"""A file on disk that starts with a UTF-8 byte order mark, served while it
is not open (code lenses, semantic tokens, hover, references found by the
search): its positions are those an editor shows, which drops the mark
when it opens the file (the command line skips it too), so they are the
same as for the same file without one. End to end over stdio."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
TEXT = "@a and prioirty > 1\nor state = OPEN\n"
(WS / "cqlang.toml").write_text('[queries.a]\nquery = "state = OPEN"\n', encoding="utf-8")
(WS / "bom.cql").write_bytes(b"\xef\xbb\xbf" + TEXT.encode())
(WS / "plain.cql").write_bytes(TEXT.encode())


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _result(server: RawServer, method: str, params: dict[str, Any]) -> Any:
    got = server.answer(server.request(method, params))
    assert "error" not in got, got
    return got["result"]


def _served(server: RawServer, name: str) -> str:
    """What the server says of the closed file ``name``, its URI left out."""
    uri = uri_of(WS / name)
    doc = {"textDocument": {"uri": uri}}
    results = [
        _result(server, "textDocument/codeLens", doc),
        _result(server, "textDocument/semanticTokens/full", doc),
    ]
    for line, character in [(0, 1), (0, 9), (1, 4), (1, 11)]:
        at = {**doc, "position": {"line": line, "character": character}}
        results.append(_result(server, "textDocument/hover", at))
    return json.dumps(results).replace(uri, "URI")


def test_a_closed_file_with_a_byte_order_mark_is_served_as_without(server: RawServer) -> None:
    with_mark = _served(server, "bom.cql")
    assert with_mark == _served(server, "plain.cql")
    lens = json.loads(with_mark)[0][0]
    assert lens["range"]["start"] == {"line": 0, "character": 0}


def test_references_found_in_a_closed_file_with_a_mark(server: RawServer) -> None:
    toml = uri_of(WS / "cqlang.toml")
    server.open(toml, '[queries.a]\nquery = "state = OPEN"\n', language="toml")
    params = {
        "textDocument": {"uri": toml},
        "position": {"line": 0, "character": 10},
        "context": {"includeDeclaration": False},
    }
    found = _result(server, "textDocument/references", params)
    ranges = {loc["uri"]: loc["range"] for loc in found}
    expected = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}}
    assert ranges[uri_of(WS / "bom.cql")] == expected
    assert ranges[uri_of(WS / "plain.cql")] == expected
