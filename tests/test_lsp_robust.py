"""The language server under hostile input, end to end over stdio: malformed
requests are answered (JSON-RPC errors), odd positions are clamped, files
that are not regular files are never waited on, the search for references
is bounded, and a failing handler is answered without a traceback.

Raw JSON-RPC (tests/lsp_support.RawServer) for what no LSP client sends;
every wait is bounded (a server that does not answer fails the test).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of
from pygls.exceptions import JsonRpcInternalError

from cqlang.lsp import files

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
(WS / "cqlang.toml").write_text('[queries.a]\nquery = "state = OPEN"\n', encoding="utf-8")
(WS / "uses.cql").write_text("@a and priority > 1\n", encoding="utf-8")

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _at(uri: str, line: int = 0, character: int = 0) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def _hover_works(server: RawServer, uri: str) -> None:
    """The server still serves: a good request gets its result."""
    got = server.answer(server.request("textDocument/hover", _at(uri)))
    assert "error" not in got and "state" in json.dumps(got["result"])


# ------------------------------------------------------- malformed requests

MALFORMED_HOVERS = {
    "negative character": {**_at("X"), "position": {"line": 0, "character": -5}},
    "huge character": {**_at("X"), "position": {"line": 0, "character": 10**12}},
    "negative line": {**_at("X"), "position": {"line": -1, "character": 0}},
    "no position": {"textDocument": {"uri": "X"}},
    "no textDocument": {"position": {"line": 0, "character": 0}},
    "position not an object": {**_at("X"), "position": "0:0"},
    "params null": None,
}


@pytest.mark.parametrize("case", list(MALFORMED_HOVERS))
def test_a_malformed_request_is_answered_with_invalid_params(server: RawServer, case: str) -> None:
    uri = uri_of(WS / "malformed.cql")
    server.open(uri, "state = OPEN")
    params = json.loads(json.dumps(MALFORMED_HOVERS[case]).replace('"X"', json.dumps(uri)))
    msg_id = server.request("textDocument/hover", params)
    got = server.answer(msg_id)
    assert got["id"] == msg_id
    assert got["error"]["code"] == -32602
    assert got["error"]["message"].startswith("invalid params for textDocument/hover")
    assert "Traceback" not in json.dumps(got)
    _hover_works(server, uri)


def test_a_request_without_params_or_with_a_bad_id_is_answered(server: RawServer) -> None:
    uri = uri_of(WS / "malformed.cql")
    server.open(uri, "state = OPEN")
    msg_id = server.request("textDocument/hover", omit_params=True)
    assert server.answer(msg_id)["error"]["code"] == -32602
    # An id that is no string or integer: invalid request, answered with a null id.
    mark = len(server.received)
    server.send({"jsonrpc": "2.0", "id": [1], "method": "textDocument/hover", "params": None})
    got = server.wait(lambda m: "id" in m and m["id"] is None and "error" in m, since=mark)
    assert got["error"]["code"] == -32600
    # Not JSON-RPC 2.0 (no "jsonrpc"): invalid request, with its id.
    server.send({"id": 9001, "method": "textDocument/hover", "params": _at(uri)})
    assert server.answer(9001)["error"]["code"] == -32600
    _hover_works(server, uri)


def test_a_malformed_notification_is_not_answered_and_logged(server: RawServer) -> None:
    uri = uri_of(WS / "malformed.cql")
    before = len(server.received)
    server.notify("textDocument/didOpen", {"textDocument": {"uri": 5}})
    server.notify("textDocument/didChange", None)
    _hover_works(server, uri)
    later = server.received[before:]
    assert not any("id" in m and "method" not in m and "error" in m for m in later)
    logged = [m for m in later if m.get("method") == "window/logMessage"]
    assert any("malformed textDocument/didChange" in m["params"]["message"] for m in logged)


def test_out_of_range_positions_are_clamped(server: RawServer) -> None:
    text = "state = OPEN\r\nand @a  # 😀 ż\rand priority > 1"
    uri = uri_of(WS / "far.cql")
    server.open(uri, text)
    far = {"line": 10**6, "character": 2**31 - 1}
    eol = {"line": 1, "character": 2**31 - 1}
    doc = {"uri": uri}
    requests = [
        ("textDocument/hover", {"textDocument": doc, "position": far}),
        ("textDocument/hover", {"textDocument": doc, "position": eol}),
        ("textDocument/completion", {"textDocument": doc, "position": far}),
        ("textDocument/completion", {"textDocument": doc, "position": eol}),
        ("textDocument/definition", {"textDocument": doc, "position": eol}),
        (
            "textDocument/references",
            {"textDocument": doc, "position": far, "context": {"includeDeclaration": True}},
        ),
        (
            "textDocument/codeAction",
            {
                "textDocument": doc,
                "range": {"start": far, "end": {"line": 0, "character": 0}},
                "context": {"diagnostics": []},
            },
        ),
        (
            "textDocument/rangeFormatting",
            {
                "textDocument": doc,
                "range": {"start": far, "end": eol},
                "options": {"tabSize": 4, "insertSpaces": True},
            },
        ),
    ]
    for method, params in requests:
        got = server.answer(server.request(method, params))
        assert "error" not in got, (method, got)
    _hover_works(server, uri_of(WS / "malformed.cql"))


# ---------------------------------------------- files that are not files


def test_a_named_pipe_is_never_read(server: RawServer) -> None:
    fifo = WS / "fifo.cql"
    os.mkfifo(fifo)
    try:
        got = server.answer(
            server.request("textDocument/codeLens", {"textDocument": {"uri": uri_of(fifo)}})
        )
        assert got["error"]["code"] == -32803  # RequestFailed
        assert "not a regular file" in got["error"]["message"]
        # Find references walks the workspace: the pipe among its .cql files is skipped.
        uri = uri_of(WS / "refs.cql")
        server.open(uri, "@a")
        got = server.answer(
            server.request(
                "textDocument/references",
                {**_at(uri), "context": {"includeDeclaration": False}},
            )
        )
        found = {r["uri"] for r in got["result"]}
        assert uri_of(WS / "uses.cql") in found and uri_of(fifo) not in found
    finally:
        fifo.unlink()


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_device_is_never_read(server: RawServer) -> None:
    for uri in ("file:///dev/zero", "file:///dev/zero.cql", uri_of(WS / "missing.cql")):
        got = server.answer(server.request("textDocument/codeLens", {"textDocument": {"uri": uri}}))
        assert got["error"]["code"] == -32803, got
    _hover_works(server, uri_of(WS / "malformed.cql"))


def test_a_file_past_the_limit_is_not_read(server: RawServer) -> None:
    big = WS / "big.cql"
    big.write_bytes(b"x" * (files.MAX_QUERY_FILE_BYTES + 1))
    try:
        got = server.answer(
            server.request("textDocument/codeLens", {"textDocument": {"uri": uri_of(big)}})
        )
        assert got["error"]["code"] == -32803 and "larger than" in got["error"]["message"]
    finally:
        big.unlink()


def test_references_without_a_workspace_look_only_in_the_documents_folder() -> None:
    root = temp_root()
    (root / "home").mkdir()
    here = root / "here"
    (here / "deeper").mkdir(parents=True)
    (here / "sibling.cql").write_text("@a\n", encoding="utf-8")
    (here / "deeper" / "below.cql").write_text("@a\n", encoding="utf-8")
    (root / "above.cql").write_text("@a\n", encoding="utf-8")
    raw = RawServer(root / "home", None)
    try:
        for uri in (uri_of(here / "x.cql"), "file:///x.cql"):
            raw.open(uri, "@a or state = OPEN")
            got = raw.answer(
                raw.request(
                    "textDocument/references",
                    {**_at(uri), "context": {"includeDeclaration": True}},
                ),
                timeout=30,
            )
            found = {r["uri"] for r in got["result"]}
            if uri != "file:///x.cql":
                assert found == {uri, uri_of(here / "sibling.cql")}
            else:
                assert uri in found
    finally:
        raw.close()


def test_the_search_for_query_files_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in (".git", "node_modules", ".venv", "venv", "a", "a/b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "q.cql").write_text("@a", encoding="utf-8")
    (tmp_path / "a" / "loop").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "a" / "linked.cql").symlink_to(tmp_path / "a" / "q.cql")
    (tmp_path / "top.cql").write_text("@a", encoding="utf-8")
    found = {p.relative_to(tmp_path).as_posix() for p in files.cql_files(tmp_path, recursive=True)}
    assert found == {"top.cql", "a/q.cql", "a/linked.cql", "a/b/q.cql"}
    shallow = {p.name for p in files.cql_files(tmp_path, recursive=False)}
    assert shallow == {"top.cql"}
    # The caps: folders, entries and files.
    many = tmp_path / "many"
    many.mkdir()
    for i in range(30):
        (many / f"d{i:02}").mkdir()
        (many / f"d{i:02}" / "q.cql").write_text("@a", encoding="utf-8")
    monkeypatch.setattr(files, "MAX_DIRS", 10)
    assert len(list(files.cql_files(many, recursive=True))) <= 10
    monkeypatch.setattr(files, "MAX_DIRS", 1000)
    monkeypatch.setattr(files, "MAX_FILES", 5)
    assert len(list(files.cql_files(many, recursive=True))) == 5
    monkeypatch.setattr(files, "MAX_FILES", 1000)
    monkeypatch.setattr(files, "MAX_ENTRIES", 40)
    assert len(list(files.cql_files(many, recursive=True))) < 30


def test_read_text_refuses_what_is_not_a_small_regular_file(tmp_path: Path) -> None:
    fifo = tmp_path / "p.cql"
    os.mkfifo(fifo)
    for path, why in (
        (fifo, "not a regular file"),
        (tmp_path, "not a regular file"),
        (tmp_path / "none.cql", "no such file"),
    ):
        with pytest.raises(files.Unreadable, match=why):
            files.read_text(path)
    big = tmp_path / "big.toml"
    big.write_bytes(b"#" * (files.MAX_CONFIG_BYTES + 1))
    with pytest.raises(files.Unreadable, match="larger than"):
        files.read_text(big)
    bad = tmp_path / "bad.cql"
    bad.write_bytes(b"state = \xff")
    with pytest.raises(files.Unreadable, match="not UTF-8"):
        files.read_text(bad)
    good = tmp_path / "good.cql"
    good.write_text("state = OPEN 😀", encoding="utf-8")
    assert files.read_text(good) == "state = OPEN 😀"


# ---------------------------------------------------------- failing handlers


def test_formatting_a_config_that_is_not_toml_gives_no_edits(server: RawServer) -> None:
    uri = uri_of(WS / "cqlang.toml")
    text = '[queries.a]\nquery = "STATE=open"\n[oops\n'
    server.open(uri, text, language="toml")
    got = server.answer(
        server.request(
            "textDocument/formatting",
            {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}},
        )
    )
    assert got.get("result") == [] or got.get("result") is None, got
    got = server.answer(
        server.request(
            "textDocument/rangeFormatting",
            {
                "textDocument": {"uri": uri},
                "range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 5}},
                "options": {"tabSize": 4, "insertSpaces": True},
            },
        )
    )
    assert "error" not in got and not got.get("result"), got
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_a_failing_handler_is_answered_without_its_traceback() -> None:
    """A bug in a handler (here one registered to fail): -32603, the
    method and the exception's type in the message, no data; the traceback
    in the server's log."""
    from cqlang.lsp.app import create_server

    server = create_server()
    sent: list[dict[str, Any]] = []

    class Writer:
        def write(self, data: bytes) -> None:
            sent.append(json.loads(data))

        def close(self) -> None:
            pass

    server.protocol.set_writer(Writer(), include_headers=False)

    def boom(ls: Any, params: Any) -> None:
        raise ZeroDivisionError("the secret sauce")

    server.feature("cqlang/boom")(boom)
    protocol = server.protocol
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}
    protocol.handle_message(protocol.structure_message(initialize))
    message = protocol.structure_message(
        {"jsonrpc": "2.0", "id": 7, "method": "cqlang/boom", "params": {}}
    )
    protocol.handle_message(message)
    (answer,) = [m for m in sent if m.get("id") == 7]
    assert answer["error"]["code"] == -32603
    assert "cqlang/boom" in answer["error"]["message"]
    assert "ZeroDivisionError" in answer["error"]["message"]
    assert answer["error"].get("data") is None
    assert "Traceback" not in json.dumps(answer) and "secret sauce" not in json.dumps(answer)
    logs = [m["params"]["message"] for m in sent if m.get("method") == "window/logMessage"]
    assert any("cqlang/boom failed: ZeroDivisionError" in m for m in logs)
    # A notification's handler that fails: logged, never answered.
    server.feature("cqlang/boomed")(boom)
    sent.clear()
    protocol.handle_message(
        protocol.structure_message({"jsonrpc": "2.0", "method": "cqlang/boomed", "params": {}})
    )
    assert not any("id" in m for m in sent)
    logs = [m["params"]["message"] for m in sent if m.get("method") == "window/logMessage"]
    assert any("cqlang/boomed failed: ZeroDivisionError" in m for m in logs)
    # An internal error pygls answers itself (a handler it cannot start)
    # carries the exception's text and traceback: both are left out.
    sent.clear()
    try:
        raise ZeroDivisionError("the secret sauce")
    except ZeroDivisionError:
        error = JsonRpcInternalError.of(sys.exc_info()).to_response_error()
    assert error.data is not None
    protocol._send_response(8, None, error)
    (answer,) = sent
    assert answer["id"] == 8 and answer["error"]["code"] == -32603
    assert answer["error"].get("data") is None and "secret sauce" not in json.dumps(answer)


def test_a_message_that_is_not_a_json_object_is_answered(server: RawServer) -> None:
    before = server.log.read_text(encoding="utf-8").count("Traceback")
    for body, code in (
        (b'{"jsonrpc": "2.0", "id": 1, "meth', -32700),
        (b"\xff\xfe", -32700),
        (b'[{"jsonrpc": "2.0", "id": 5, "method": "shutdown"}]', -32600),
        (b"5", -32600),
    ):
        mark = len(server.received)
        server.send_bytes(body)
        got = server.wait(lambda m: "method" not in m and m.get("id", 0) is None, since=mark)
        assert got["error"]["code"] == code, body
    _hover_works(server, uri_of(WS / "uses.cql"))
    # An expected refusal: one line in the log each, no traceback.
    assert server.log.read_text(encoding="utf-8").count("Traceback") == before


#: ``cqlang lsp`` with bugs planted (for the tests below): hover's
#: description fails, as does applying a change, and a request of its own.
BROKEN_SERVER = [
    sys.executable,
    "-c",
    """
import logging, sys
from cqlang.lsp import app, hover, publish

def broken(*args, **kwargs):
    raise ZeroDivisionError("the secret sauce")

hover.describe = broken
publish.apply_change = broken
ls = app.create_server()
ls.feature("cqlang/boom")(broken)
logging.basicConfig(level=logging.WARNING)
ls.start_io()
""",
]


def test_a_failing_handler_over_stdio_is_answered_and_the_server_goes_on() -> None:
    """A bug in a real handler (hover; a request of its own) gets -32603
    with the method and the exception's type, no data, no traceback nor
    the exception's text; the traceback is in the server's log; a failing
    notification handler (a ranged didChange) is logged, never answered;
    the server goes on serving."""
    raw = RawServer(HOME, WS, command=BROKEN_SERVER)
    try:
        uri = uri_of(WS / "uses.cql")
        raw.open(uri, "state = OPEN")
        for method, params in (("textDocument/hover", _at(uri)), ("cqlang/boom", {})):
            got = raw.answer(raw.request(method, params))
            error = got["error"]
            assert error["code"] == -32603, got
            assert method in error["message"] and "ZeroDivisionError" in error["message"]
            assert error.get("data") is None
            assert "Traceback" not in json.dumps(got) and "secret sauce" not in json.dumps(got)
        mark = len(raw.received)
        change = {
            "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
            "text": "x",
        }
        raw.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [change]},
        )
        logged = raw.wait(lambda m: m.get("method") == "window/logMessage", since=mark)
        assert logged["params"]["message"].startswith(
            "cqlang: textDocument/didChange failed: ZeroDivisionError"
        )
        # Still serving: a request that does not reach the bug is answered.
        got = raw.answer(
            raw.request("textDocument/semanticTokens/full", {"textDocument": {"uri": uri}})
        )
        assert "error" not in got and got["result"]["data"]
        assert not any("id" in m and m.get("id") is None for m in raw.received[mark:])
    finally:
        raw.close()
    log = raw.log.read_text(encoding="utf-8", errors="replace")
    assert "Traceback" in log and "ZeroDivisionError: the secret sauce" in log


def test_an_expected_refusal_is_logged_in_one_line_without_a_traceback() -> None:
    """Invalid params a handler itself refuses (cqlang.explain of a query
    the config file does not hold; RequestFailed for a file that cannot be
    read) are not bugs: one log line each, no traceback."""
    raw = RawServer(HOME, WS)
    try:
        toml = uri_of(WS / "cqlang.toml")
        asked = {"command": "cqlang.explain", "arguments": [toml, "nosuch"]}
        got = raw.answer(raw.request("workspace/executeCommand", asked))
        assert got["error"]["code"] == -32602 and "nosuch" in got["error"]["message"]
        gone = {"command": "cqlang.explain", "arguments": [uri_of(WS / "gone.cql")]}
        failed = raw.answer(raw.request("workspace/executeCommand", gone))
        assert failed["error"]["code"] == -32803
        _hover_works(raw, uri_of(WS / "uses.cql"))
    finally:
        raw.close()
    log = raw.log.read_text(encoding="utf-8")
    assert "Traceback" not in log, log
    lines = [line for line in log.splitlines() if "nosuch" in line]
    assert len(lines) == 1 and "refused" in lines[0], log


def test_a_message_past_the_size_bound_is_dropped_not_held(tmp_path: Path) -> None:
    """A body over cqlang.lsp.stdio.MAX_MESSAGE_BYTES is read in pieces and
    dropped (answered as an invalid request); the server goes on serving."""
    from cqlang.lsp.stdio import MAX_MESSAGE_BYTES

    raw = RawServer(HOME, WS)
    try:
        since = len(raw.received)
        raw.send_bytes(b" " * (MAX_MESSAGE_BYTES + 1))
        answer = raw.wait(lambda m: "error" in m, since=since, timeout=60)
        assert answer["error"]["code"] == -32600 and answer["id"] is None
        uri = uri_of(WS / "after.cql")
        raw.open(uri, "state = OPEN")
        _hover_works(raw, uri)
    finally:
        raw.close()
    assert "a message of 33554433 bytes: larger than" in raw.log.read_text(encoding="utf-8")


@pytest.mark.parametrize("digits", [16, 5000])
def test_a_content_length_too_long_to_be_one_is_refused_not_fatal(digits: int) -> None:
    """pygls turns the digits into an int before anything else; past 4,300
    digits Python refuses, which ended the server (exit 70)."""
    raw = RawServer(HOME, WS)
    try:
        since = len(raw.received)
        assert raw.proc.stdin is not None
        raw.proc.stdin.write(b"Content-Length: " + b"9" * digits + b"\r\n\r\n")
        raw.proc.stdin.flush()
        answer = raw.wait(lambda m: "error" in m, since=since)
        assert answer["error"]["code"] == -32600 and answer["id"] is None
        assert f"{digits} digits" in answer["error"]["message"]
        uri = uri_of(WS / "after_length.cql")
        raw.open(uri, "state = OPEN")
        _hover_works(raw, uri)
    finally:
        raw.close()
    assert raw.proc.returncode in (0, None), raw.log.read_text(encoding="utf-8")
