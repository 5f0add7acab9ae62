"""The server's lifecycle as LSP states it, over stdio in raw JSON-RPC:
every request gets an answer, before ``initialize`` (-32002), after
``shutdown`` (-32600), of another JSON-RPC version (-32600) or of a
method that is a notification (-32601); ``exit`` ends with 0 after
``shutdown``, else 1. And the initialization options: each that is unknown
or of the wrong type is ignored with one warning. Every wait is bounded."""

from __future__ import annotations

import json
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
DOC = uri_of(WS / "q.cql")
HOVER = {"textDocument": {"uri": DOC}, "position": {"line": 0, "character": 1}}
OPEN = {"textDocument": {"uri": DOC, "languageId": "cqlang", "version": 1, "text": "state = OPEN"}}


def _error(server: RawServer, msg_id: Any) -> dict[str, Any]:
    got = server.answer(msg_id, timeout=10)
    assert "result" not in got, got
    return dict(got["error"])


def test_requests_before_initialize_are_refused_as_not_initialized() -> None:
    server = RawServer(HOME, WS, initialize=False)
    try:
        server.notify("textDocument/didOpen", OPEN)  # dropped, never answered
        for method, params in [("textDocument/hover", HOVER), ("shutdown", None), ("foo/bar", {})]:
            error = _error(server, server.request(method, params))
            assert error["code"] == -32002 and "not initialized" in error["message"]
        got = server.answer(server.request("initialize", server.params))
        assert "capabilities" in got["result"]
        server.notify("initialized", {})
        # The didOpen before initialize was dropped: the document is not open.
        hover = server.answer(server.request("textDocument/hover", HOVER))
        assert hover["error"]["code"] == -32803  # RequestFailed: not open, not a file
    finally:
        server.close()


@pytest.mark.parametrize(
    ("method", "params"),
    [("initialized", {}), ("textDocument/didOpen", OPEN), ("$/cancelRequest", {"id": 1})],
)
def test_a_notification_sent_as_a_request_is_answered_method_not_found(
    method: str, params: Any
) -> None:
    server = RawServer(HOME, WS)
    try:
        error = _error(server, server.request(method, params))
        assert error["code"] == -32601 and "notification" in error["message"]
        if method == "textDocument/didOpen":  # not acted on
            hover = server.answer(server.request("textDocument/hover", HOVER))
            assert hover["error"]["code"] == -32803
    finally:
        server.close()


def test_a_request_of_another_jsonrpc_version_is_answered_invalid_request() -> None:
    server = RawServer(HOME, WS)
    try:
        server.send({"jsonrpc": "1.0", "id": 900, "method": "textDocument/hover", "params": HOVER})
        error = _error(server, 900)
        assert error["code"] == -32600 and "2.0" in error["message"]
    finally:
        server.close()


def test_after_shutdown_every_request_is_answered_invalid_request_and_exit_is_0() -> None:
    server = RawServer(HOME, WS)
    try:
        server.notify("textDocument/didOpen", OPEN)
        assert server.answer(server.request("shutdown"))["result"] is None
        for method, params in [("textDocument/hover", HOVER), ("shutdown", None), ("foo/bar", {})]:
            error = _error(server, server.request(method, params))
            assert error["code"] == -32600 and "shut down" in error["message"]
        server.notify("exit", None)
        assert server.proc.wait(timeout=10) == 0
    finally:
        server.close()


def test_exit_without_shutdown_ends_with_status_1() -> None:
    server = RawServer(HOME, WS)
    try:
        server.notify("exit", None)
        assert server.proc.wait(timeout=10) == 1
    finally:
        server.close()


# ------------------------------------------------------------------ options


def _warnings(server: RawServer, count: int) -> list[str]:
    """The first ``count`` warnings logged to the client."""
    found: list[str] = []
    since = 0
    while len(found) < count:
        message = server.wait(
            lambda m: m.get("method") == "window/logMessage" and m["params"]["type"] == 2,
            timeout=10,
            since=since,
        )
        since = server.received.index(message) + 1
        found.append(message["params"]["message"])
    return found


def _formatted(server: RawServer, text: str) -> str:
    uri = uri_of(WS / "long.cql")
    server.open(uri, text)
    params = {"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": True}}
    edits = server.answer(server.request("textDocument/formatting", params))["result"] or []
    return str(edits[0]["newText"]) if edits else text


LONG = "state = OPEN and priority > 3 and contact_try < 2"


def test_options_unknown_or_of_the_wrong_type_are_ignored_with_a_warning_each() -> None:
    bad = {"width": "abc", "debounce": "x", "config": 42, "witdh": 100, "now": 5}
    server = RawServer(HOME, WS, **bad)
    try:
        warned = _warnings(server, 5)
        assert len([w for w in warned if "option 'width' ignored" in w]) == 1
        assert any("'debounce'" in w and "milliseconds" in w for w in warned)
        assert any("'config'" in w and "a number" in w for w in warned)
        assert any("'witdh'" in w and "did you mean 'width'?" in w for w in warned)
        assert any("'now'" in w for w in warned)
        # The server serves with its defaults (width 88: one line).
        assert _formatted(server, LONG).strip() == LONG
    finally:
        server.close()
    assert not [m for m in server.received if "id" in m and "error" in m]


@pytest.mark.parametrize("width", [True, 0, 2.5, -3, [80]])
def test_a_width_that_is_no_whole_number_of_columns_is_refused(width: Any) -> None:
    server = RawServer(HOME, WS, width=width)
    try:
        (warned,) = _warnings(server, 1)
        assert "'width' ignored" in warned, warned
        assert _formatted(server, LONG).strip() == LONG  # not width 1
    finally:
        server.close()


def test_good_options_are_taken_without_a_warning() -> None:
    server = RawServer(HOME, WS, width=20, debounce=10)
    try:
        assert "\n" in _formatted(server, LONG).strip()
    finally:
        server.close()
    logged = [m for m in server.received if m.get("method") == "window/logMessage"]
    assert not logged, json.dumps(logged)


def test_a_client_that_cannot_register_dynamically_is_not_asked_to_watch_files() -> None:
    """(tests/test_lsp_watch.py: one that can is asked.)"""
    server = RawServer(HOME, WS)  # no capabilities
    try:
        server.open(DOC, "state = OPEN")
        server.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics")
    finally:
        server.close()
    assert not [m for m in server.received if m.get("method") == "client/registerCapability"]


@pytest.mark.parametrize(
    ("now", "side"), [("9999-12-31T23:59:59-05:00", "after"), ("0001-01-01T00:00+05:00", "before")]
)
def test_a_now_option_past_the_calendar_says_the_range_and_how_it_was_taken(
    now: str, side: str
) -> None:
    """As --now says it (tests/test_now_range.py), with its hint; it said
    only "datetime '...' is out of range"."""
    server = RawServer(HOME, WS, now=now)
    try:
        (warned,) = _warnings(server, 1)
    finally:
        server.close()
    offset = now[-6:]
    assert (
        f"initialization option 'now' ignored: the clock '{now}', taken at its offset "
        f"{offset}, falls {side} the calendar cqlang handles, 0001-01-01 00:00:00 to "
        "9999-12-31 23:59:59 UTC (give a clock inside that range)"
    ) in warned, warned
