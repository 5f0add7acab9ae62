"""The diagnostics' debounce (a real server over stdio): the first change
of an idle document is checked at once, without waiting `debounce`; the
changes of a burst that follow wait, and only the burst's last text is
checked (a save checks at once)."""

from __future__ import annotations

from lsp_support import RawServer, temp_root, uri_of


def _published(raw: RawServer, uri: str, version: int, since: int, timeout: float) -> list[object]:
    got = raw.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        ),
        timeout=timeout,
        since=since,
    )
    return list(got["params"]["diagnostics"])


def _change(raw: RawServer, uri: str, version: int, text: str) -> None:
    raw.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]},
    )


def test_an_idle_document_is_checked_at_once_and_a_burst_once() -> None:
    root = temp_root()
    (root / "home").mkdir()
    (root / "ws").mkdir()
    # A debounce of 10 s: a first change answered before it passes was not debounced.
    raw = RawServer(root / "home", root / "ws", debounce=10_000)
    try:
        uri = uri_of(root / "ws" / "q.cql")
        raw.open(uri, "state = OPEN")
        _published(raw, uri, 1, 0, timeout=8)
        mark = len(raw.received)
        _change(raw, uri, 2, "prioirty > 3")
        assert _published(raw, uri, 2, mark, timeout=8)  # the typo, at once
        mark = len(raw.received)
        for version, text in ((3, "state = OPNE"), (4, "state = OPEN and priority > 3")):
            _change(raw, uri, version, text)  # within the debounce of version 2
        raw.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
        assert _published(raw, uri, 4, mark, timeout=8) == []
        versions = [
            m["params"].get("version")
            for m in raw.received[mark:]
            if m.get("method") == "textDocument/publishDiagnostics"
        ]
        assert 3 not in versions  # the burst's middle text was never checked
    finally:
        raw.close()


def test_a_header_line_past_the_reader_limit_is_skipped() -> None:
    """stdin is read on the event loop (cqlang.lsp.stdio) with a line
    limit: a longer header line is dropped, the next message answered."""
    root = temp_root()
    (root / "home").mkdir()
    (root / "ws").mkdir()
    raw = RawServer(root / "home", root / "ws")
    try:
        assert raw.proc.stdin is not None
        raw.proc.stdin.write(b"X-Junk: " + b"a" * (3 << 20) + b"\r\n")
        raw.proc.stdin.flush()
        uri = uri_of(root / "ws" / "q.cql")
        raw.open(uri, "state = OPEN")
        got = raw.answer(raw.request("textDocument/hover", {
            "textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}
        }))  # fmt: skip
        assert "error" not in got and "state" in str(got["result"])
    finally:
        raw.close()
