"""What kind a document is: by its language id (``cqlang`` a query,
``toml`` or Emacs's ``conf-toml`` a config), else by its suffix; a TOML
document that is no file (``git:``, ``untitled:``) is checked as a config
under a config file's name and gets nothing otherwise; a document of
another language gets nothing."""

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
(WS / "cqlang.toml").write_text('[queries.a]\nquery = "state = OPEN"\n', encoding="utf-8")
BAD_CONFIG = '[queries.a]\nquery = "state = OPNE"\n'


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _diagnostics(server: RawServer, uri: str, text: str, language: str) -> list[dict[str, Any]]:
    mark = len(server.received)
    server.open(uri, text, language=language)
    got = server.wait(
        lambda m: (
            m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
        ),
        since=mark,
    )
    return list(got["params"]["diagnostics"])


def _codes(diags: list[dict[str, Any]]) -> list[tuple[Any, int]]:
    return [(d.get("code"), d["range"]["start"]["line"]) for d in diags]


@pytest.mark.parametrize("language", ["toml", "conf-toml"])
def test_a_toml_revision_with_no_file_is_checked_as_a_config(
    server: RawServer, language: str
) -> None:
    uri = f"git:/p/cqlang.toml?%7B%22ref%22%3A%22HEAD%22%2C%22l%22%3A%22{language}%22%7D"
    assert _codes(_diagnostics(server, uri, BAD_CONFIG, language)) == [("CQL105", 1)]
    good = _diagnostics(server, uri + "x", BAD_CONFIG.replace("OPNE", "OPEN"), language)
    assert good == []


@pytest.mark.parametrize("language", ["toml", "conf-toml", "plaintext"])
def test_an_untitled_toml_gets_nothing(server: RawServer, language: str) -> None:
    uri = f"untitled:Untitled-{language}"
    assert _diagnostics(server, uri, "[package]\nname = 'x'\n", language) == []


@pytest.mark.parametrize(
    ("uri", "language"),
    [
        ("untitled:Untitled-md", "markdown"),
        (uri_of(WS / "notes.md"), "markdown"),
        (uri_of(WS / "notes.txt"), "plaintext"),
    ],
)
def test_a_document_of_another_language_gets_nothing(
    server: RawServer, uri: str, language: str
) -> None:
    assert _diagnostics(server, uri, "# Notes\n\nstate = OPNE and\n", language) == []
    at = {"textDocument": {"uri": uri}, "position": {"line": 2, "character": 1}}
    assert server.answer(server.request("textDocument/hover", at))["result"] is None
    assert server.answer(server.request("textDocument/completion", at))["result"] is None


@pytest.mark.parametrize(
    ("uri", "language"),
    [
        ("untitled:Untitled-q", "cqlang"),
        (uri_of(WS / "plain.cql"), "plaintext"),
        (uri_of(WS / "typed.cql"), ""),
    ],
)
def test_a_query_by_its_language_or_its_suffix(server: RawServer, uri: str, language: str) -> None:
    assert _codes(_diagnostics(server, uri, "state = OPNE", language)) == [("CQL105", 0)]


def test_a_config_file_opened_with_emacs_language_id_is_a_config(server: RawServer) -> None:
    uri = uri_of(WS / "cqlang.toml")
    assert _codes(_diagnostics(server, uri, BAD_CONFIG, "conf-toml")) == [("CQL105", 1)]
    server.open(uri, '[queries.a]\nquery = "state = OPEN"\n', language="conf-toml", version=2)


CARGO = '[package]\nname = "x"\n\n[queries.a]\nquery = "prioirty > 1"\n'


@pytest.mark.parametrize("opened", [True, False])
def test_a_toml_file_that_is_no_config_file_gets_nothing_open_or_not(
    server: RawServer, opened: bool
) -> None:
    """Whether a document is ignored is decided in one place: a request
    about a file that is not open (read from disk) gets what the open
    document would (a re-reading: the closed Cargo.toml got code lenses)."""
    path = WS / f"{'open' if opened else 'closed'}-Cargo" / "Cargo.toml"
    path.parent.mkdir()
    path.write_text(CARGO, encoding="utf-8")
    uri = uri_of(path)
    if opened:
        assert _diagnostics(server, uri, CARGO, "toml") == []
    at = {"textDocument": {"uri": uri}}
    assert server.answer(server.request("textDocument/codeLens", at))["result"] in (None, [])
    tokens = server.answer(server.request("textDocument/semanticTokens/full", at))["result"]
    assert tokens is None or tokens["data"] == []
