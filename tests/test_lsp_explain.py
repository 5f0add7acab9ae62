"""``cqlang.explain`` asked about what it cannot explain, end to end over
stdio: a document that is not cqlang's (a Markdown file, /etc/passwd, a
Cargo.toml) or a config file without a query's name gets invalid params
(-32602) saying so, never an internal error (-32603) with a traceback in
the server's log."""

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
(WS / "cqlang.toml").write_text(
    '[queries.open]\nquery = "state = OPEN"\n[queries.high]\nquery = "priority > 3"\n',
    encoding="utf-8",
)
(WS / "notes.md").write_text("state = OPEN\n", encoding="utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()
    log = raw.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log


def _explain(server: RawServer, *arguments: Any) -> dict[str, Any]:
    asked = {"command": "cqlang.explain", "arguments": list(arguments)}
    return server.answer(server.request("workspace/executeCommand", asked))


def _refused(got: dict[str, Any]) -> str:
    assert "error" in got, got
    assert got["error"]["code"] == -32602, got
    assert "Traceback" not in json.dumps(got)
    return str(got["error"]["message"])


def test_an_open_document_that_is_not_cqlangs(server: RawServer) -> None:
    uri = uri_of(WS / "notes.md")
    server.open(uri, "state = OPEN\n", language="markdown")
    message = _refused(_explain(server, uri))
    assert message == (
        f"{uri} is not a cqlang file: cqlang.explain takes a query file (.cql) "
        "or a config file (cqlang.toml) and a query's name"
    )


@pytest.mark.parametrize("where", ["closed markdown", "etc passwd"])
def test_a_file_on_disk_that_is_not_cqlangs(server: RawServer, where: str) -> None:
    uri = uri_of(WS / "notes.md") if where == "closed markdown" else "file:///etc/passwd"
    if where == "closed markdown":
        server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
    message = _refused(_explain(server, uri))
    assert message.startswith(f"{uri} is not a cqlang file")


def test_a_toml_file_that_is_not_a_cqlang_config(server: RawServer) -> None:
    uri = uri_of(WS / "Cargo.toml")
    server.open(uri, '[queries.a]\nquery = "state = OPEN"\n', language="toml")
    for arguments in ([uri, "a"], [uri]):
        message = _refused(_explain(server, *arguments))
        assert message.startswith(f"{uri} is not a cqlang config file (cqlang.toml"), message
        assert "no named queries to explain" in message


@pytest.mark.parametrize("arguments", [[], [None]])
def test_a_config_file_needs_a_querys_name(server: RawServer, arguments: list[Any]) -> None:
    uri = uri_of(WS / "cqlang.toml")
    message = _refused(_explain(server, uri, *arguments))
    assert message == (
        f"{uri} is a config file: cqlang.explain needs the name of one of its queries "
        "as its second argument; its queries: open, high"
    )
    assert "None" not in message
    got = _explain(server, uri, "high")
    assert got["result"]["summary"] == "1 request"


def test_the_server_goes_on(server: RawServer) -> None:
    uri = uri_of(WS / "q.cql")
    server.open(uri, "@open and priority > 1")
    got = _explain(server, uri)
    assert got["result"]["summary"] == "1 request"
