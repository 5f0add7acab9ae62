"""Random edits of a document never crash the language server, every
request sent between them is answered, and the diagnostics it ends with are
those of cqlang.check on the final text (a real server over stdio; bounded
examples, edits and requests, every wait bounded): whole texts sent by an
LSP client, and ranges (UTF-16 and UTF-8 columns, positions past the end
of a line or of the text, inside an emoji, ranges written backwards) sent
in raw JSON-RPC."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import strategies as S
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_support import (
    RawServer,
    SyncClient,
    lines_of,
    ref_offset,
    ref_position,
    temp_root,
    units,
    uri_of,
    utf16,
)

import cqlang

SNIPPETS = [
    "(",
    ")",
    '"',
    "'",
    "#",
    "\n",
    "\r\n",
    " and ",
    " or ",
    "not ",
    "prioirty",
    "state = OPEN",
    "custom.",
    "@x",
    "$p",
    "zażółć",
    "😀",
    "🇵🇱",
    "\u2028",
    "\\",
    ">=",
    "2021-08-10",
    "today - 7d",
]


@pytest.fixture(scope="module")
def server() -> Iterator[SyncClient]:
    root = temp_root()
    ws = root / "empty"
    ws.mkdir()
    (root / "home").mkdir()
    client = SyncClient(ws, root / "home", now="2021-08-10T14:30:30Z")
    client.ws = ws  # type: ignore[attr-defined]
    yield client
    client.close()


def expected(text: str) -> list[tuple[str | None, int, int, int, int, str]]:
    """cqlang.check's diagnostics as LSP would place them (UTF-16 columns;
    lines end at \\n, \\r\\n or \\r)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]

    def pos(offset: int) -> tuple[int, int]:
        line = max(i for i, s in enumerate(starts) if s <= offset)
        end = starts[line + 1] if line + 1 < len(starts) else len(text)
        content = text[starts[line] : end].rstrip("\r\n")
        return line, utf16(content[: offset - starts[line]])

    out = []
    for d in cqlang.check(text, now=S.NOW):
        (l1, c1), (l2, c2) = pos(d.start), pos(d.end)
        out.append((d.code, l1, c1, l2, c2, d.message))
    return out


_counter = [0]


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_random_edits_end_with_the_diagnostics_of_check(
    server: SyncClient, data: st.DataObject
) -> None:
    _, text = data.draw(S.query_texts(max_leaves=4))
    _counter[0] += 1
    uri = uri_of(Path(server.ws) / f"doc{_counter[0]}.cql")  # type: ignore[attr-defined]
    server.open(uri, text)
    version = 1
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:i] + data.draw(st.sampled_from(SNIPPETS)) + text[i:]
        else:
            j = data.draw(st.integers(i, min(len(text), i + 8)))
            text = text[:i] + text[j:]
        version += 1
        server.change(uri, text, version)
    got = server.diagnostics_for(uri, version)
    assert [
        (
            d.code if d.code is None or isinstance(d.code, str) else str(d.code),
            d.range.start.line,
            d.range.start.character,
            d.range.end.line,
            d.range.end.character,
            d.message,
        )
        for d in got
    ] == expected(text)


# ------------------------------------------------------------ ranged changes

#: Requests sent between the changes, each about the document.
REQUESTS = (
    "textDocument/hover",
    "textDocument/completion",
    "textDocument/definition",
    "textDocument/references",
    "textDocument/codeAction",
    "textDocument/formatting",
    "textDocument/rangeFormatting",
    "textDocument/semanticTokens/full",
    "textDocument/codeLens",
    "workspace/executeCommand",
)
FORMAT = {"tabSize": 4, "insertSpaces": True}


@pytest.fixture(scope="module", params=["utf-16", "utf-8"])
def ranged_server(request: pytest.FixtureRequest) -> Iterator[tuple[RawServer, str, Path]]:
    encoding = request.param
    root = temp_root()
    ws = root / "ws"
    ws.mkdir()
    (root / "home").mkdir()
    raw = RawServer(
        root / "home",
        ws,
        capabilities={"general": {"positionEncodings": [encoding]}},
        now="2021-08-10T14:30:30Z",
    )
    assert raw.initialized["result"]["capabilities"].get("positionEncoding", "utf-16") == encoding
    yield raw, encoding, ws
    raw.close()


def _position(data: st.DataObject, text: str, encoding: str) -> dict[str, int]:
    """A position in ``text``, or past the end of its line or of the text,
    or inside a character of several units."""
    lines = lines_of(text)
    line = data.draw(st.integers(0, len(lines)))
    widest = units(text[lines[line][0] : lines[line][1]], encoding) if line < len(lines) else 0
    return {"line": line, "character": data.draw(st.integers(0, widest + 2))}


def _params(method: str, uri: str, at: dict[str, int], to: dict[str, int]) -> dict[str, Any]:
    doc = {"uri": uri}
    if method == "workspace/executeCommand":
        return {"command": "cqlang.explain", "arguments": [uri]}
    if method in ("textDocument/semanticTokens/full", "textDocument/codeLens"):
        return {"textDocument": doc}
    if method == "textDocument/formatting":
        return {"textDocument": doc, "options": FORMAT}
    if method == "textDocument/rangeFormatting":
        return {"textDocument": doc, "range": {"start": at, "end": to}, "options": FORMAT}
    if method == "textDocument/codeAction":
        rng = {"start": at, "end": to}
        return {"textDocument": doc, "range": rng, "context": {"diagnostics": []}}
    params: dict[str, Any] = {"textDocument": doc, "position": at}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    return params


def placed(text: str, encoding: str) -> list[tuple[str | None, int, int, int, int, str]]:
    """cqlang.check's diagnostics placed in ``encoding``'s columns."""
    out = []
    for d in cqlang.check(text, now=S.NOW):
        (l1, c1), (l2, c2) = (
            ref_position(text, d.start, encoding),
            ref_position(text, d.end, encoding),
        )
        out.append((d.code, l1, c1, l2, c2, d.message))
    return out


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_random_ranged_changes_never_crash_the_server(
    ranged_server: tuple[RawServer, str, Path], data: st.DataObject
) -> None:
    raw, encoding, ws = ranged_server
    _, text = data.draw(S.query_texts(max_leaves=4))
    _counter[0] += 1
    uri = uri_of(ws / f"ranged{_counter[0]}.cql")
    mark = len(raw.received)
    raw.open(uri, text)
    version = 1
    for _ in range(data.draw(st.integers(1, 6))):
        changes = []
        for _ in range(data.draw(st.integers(1, 3))):
            start = _position(data, text, encoding)
            end = _position(data, text, encoding) if data.draw(st.booleans()) else start
            new = data.draw(st.sampled_from(["", *SNIPPETS]))
            a = ref_offset(text, start["line"], start["character"], encoding)
            b = ref_offset(text, end["line"], end["character"], encoding)
            a, b = min(a, b), max(a, b)
            text = text[:a] + new + text[b:]
            changes.append({"range": {"start": start, "end": end}, "text": new})
        version += 1
        raw.notify(
            "textDocument/didChange",
            {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes},
        )
        for method in data.draw(st.lists(st.sampled_from(REQUESTS), max_size=3)):
            at, to = _position(data, text, encoding), _position(data, text, encoding)
            got = raw.answer(raw.request(method, _params(method, uri, at, to)), timeout=30)
            assert "error" not in got, (method, got)
    published = raw.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        ),
        timeout=30,
        since=mark,
    )
    got = [
        (
            d.get("code"),
            d["range"]["start"]["line"],
            d["range"]["start"]["character"],
            d["range"]["end"]["line"],
            d["range"]["end"]["character"],
            d["message"],
        )
        for d in published["params"]["diagnostics"]
    ]
    assert got == placed(text, encoding)
    raw.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


# ------------------------------------------------------- a config document

TOML_START = """# the team's queries
[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE"] }

[queries]
short = "state = OPEN and custom.region = PL"

[queries.basic]
query = "priority >= $min and @short"
params = { min = 3 }

[queries.literal]
query = 'dialing_method = "PREVIEW"'

[queries.multi]
query = '''
state in (OPEN, CLOSED)  # kept
and created_date >= today - 7d
'''
"""

#: What edits of a config file insert: query text, and TOML's own marks.
TOML_SNIPPETS = [*SNIPPETS, "'''", '"""', "[queries.x]\n", "query = ", " = ", "[", "]", "{", "}"]


@pytest.fixture(scope="module")
def toml_server() -> Iterator[tuple[RawServer, Path]]:
    root = temp_root()
    ws = root / "ws"
    ws.mkdir()
    (root / "home").mkdir()
    raw = RawServer(root / "home", ws, now="2021-08-10T14:30:30Z")
    yield raw, ws
    raw.close()


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_random_edits_of_a_config_document_never_crash_the_server(
    toml_server: tuple[RawServer, Path], data: st.DataObject
) -> None:
    """Queries inside TOML strings, edited at random (the TOML broken and
    mended too): every request between the edits is answered, never with
    an internal error, and the last version gets its diagnostics."""
    raw, ws = toml_server
    _counter[0] += 1
    folder = ws / f"t{_counter[0]}"
    folder.mkdir()
    uri = uri_of(folder / "cqlang.toml")
    text = TOML_START
    mark = len(raw.received)
    raw.open(uri, text, language="toml")
    version = 1
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(text)))
        if data.draw(st.booleans()):
            text = text[:i] + data.draw(st.sampled_from(TOML_SNIPPETS)) + text[i:]
        else:
            j = data.draw(st.integers(i, min(len(text), i + 12)))
            text = text[:i] + text[j:]
        version += 1
        raw.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"text": text}],
            },
        )
        for method in data.draw(st.lists(st.sampled_from(REQUESTS), max_size=3)):
            at, to = _position(data, text, "utf-16"), _position(data, text, "utf-16")
            params = _params(method, uri, at, to)
            if method == "workspace/executeCommand":
                name = data.draw(st.sampled_from(["short", "basic", "literal", "multi", "x"]))
                params["arguments"] = [uri, name]
            got = raw.answer(raw.request(method, params), timeout=30)
            # A query the edits removed is refused (invalid params), never a bug.
            if method == "workspace/executeCommand":
                assert got.get("error", {}).get("code") in (None, -32602), got
            else:
                assert "error" not in got, (method, got)
    raw.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version
        ),
        timeout=30,
        since=mark,
    )
    assert raw.proc.poll() is None
    raw.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
