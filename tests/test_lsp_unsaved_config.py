"""A config file open in the editor counts as found, saved or not: a new
``cqlang.toml`` not yet written to disk (or a ``pyproject.toml`` whose
``[tool.cqlang]`` is not yet saved) gives its named queries and schema to
the other documents at once, as docs/editors.md says; closed unsaved, it is
gone again. End to end over stdio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
(WS / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
NEW = '[queries.fresh]\nquery = "state = OPEN"\n[schema.custom_fields]\nscore = "integer"\n'


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _published(server: RawServer, uri: str, since: int) -> list[dict[str, Any]]:
    """The next diagnostics of ``uri`` published after message ``since``."""
    got = server.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ),
        since=since,
    )
    return list(got["params"]["diagnostics"])


def _messages(diags: list[dict[str, Any]]) -> list[str]:
    return [d["message"] for d in diags]


def test_a_new_config_file_not_yet_saved_counts(server: RawServer) -> None:
    query = uri_of(WS / "q.cql")
    toml = WS / "cqlang.toml"
    assert not toml.exists()
    mark = len(server.received)
    server.open(query, "@fresh and custom.score > 3")
    before = _messages(_published(server, query, mark))
    assert any("unknown named query" in m for m in before), before
    mark = len(server.received)
    server.open(uri_of(toml), NEW, language="toml")
    assert _published(server, query, mark) == []
    assert not toml.exists()  # read as the editor has it
    mark = len(server.received)
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri_of(toml)}})
    after = _messages(_published(server, query, mark))
    assert any("unknown named query" in m for m in after), after


def test_a_pyproject_tables_unsaved_tool_cqlang_counts(server: RawServer) -> None:
    query = uri_of(WS / "p.cql")
    pyproject = WS / "pyproject.toml"
    mark = len(server.received)
    server.open(query, "@mine")
    assert any("unknown named query" in m for m in _messages(_published(server, query, mark)))
    mark = len(server.received)
    text = '[project]\nname = "x"\n[tool.cqlang.queries]\nmine = "priority > 2"\n'
    server.open(uri_of(pyproject), text, language="toml")
    assert _published(server, query, mark) == []
    assert "cqlang" not in pyproject.read_text(encoding="utf-8")
