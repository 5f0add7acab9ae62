"""Random edits of a document never crash the language server, and the
diagnostics it ends with are those of cqlang.check on the final text (a
real client over stdio; bounded examples and edits)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import strategies as S
from hypothesis import given, settings
from hypothesis import strategies as st
from lsp_support import SyncClient, temp_root, uri_of, utf16

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
