"""A named query's parameter defaults, in hover and in completion's
documentation, are written as the config file writes them (TOML: ``"x"``,
``true``, ``2021-01-01T10:00:00``), as its diagnostics word them, never as
Python's repr (``'x'``, ``True``, ``datetime.datetime(2021, 1, 1, 10,
0)``). End to end over stdio."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of

from cqlang.lsp.about import code

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
CONFIG = (
    "[schema.custom_fields]\n"
    'flag = "string"\n'
    "[queries.since]\n"
    'query = "created_date >= $d and custom.flag = $f and priority in $p"\n'
    'params = { d = 2021-01-01T10:00:00, f = "it\'s", p = [1, 2] }\n'
)
(WS / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
REPRS = ("datetime.datetime", "'it", "(1, 2)")


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _at(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def test_hover_on_a_parameter_gives_its_default_as_toml_writes_it(server: RawServer) -> None:
    uri = uri_of(WS / "cqlang.toml")
    server.open(uri, CONFIG, language="toml")
    line = CONFIG.split("\n")[3]
    shown = {}
    for name in ("d", "f", "p"):
        at = line.index(f"${name}") + 1
        got = server.answer(server.request("textDocument/hover", _at(uri, 3, at)))
        shown[name] = got["result"]["contents"]["value"]
    assert shown == {
        "d": "parameter `$d`: default `2021-01-01T10:00:00`",
        "f": 'parameter `$f`: default `"it\'s"`',
        "p": "parameter `$p`: default `[1, 2]`",
    }


def test_completion_and_hover_of_a_named_query_give_its_defaults_as_toml(
    server: RawServer,
) -> None:
    uri = uri_of(WS / "uses.cql")
    server.open(uri, "@since and @")
    got = server.answer(server.request("textDocument/completion", _at(uri, 0, 12)))
    (item,) = [i for i in got["result"]["items"] if i["label"] == "@since"]
    about = item["documentation"]["value"]
    expected = 'defaults: `$d` = `2021-01-01T10:00:00`, `$f` = `"it\'s"`, `$p` = `[1, 2]`'
    assert about.endswith(expected), about
    hovered = uri_of(WS / "hovered.cql")
    server.open(hovered, "@since and priority > 1")
    hover = server.answer(server.request("textDocument/hover", _at(hovered, 0, 2)))
    text = hover["result"]["contents"]["value"]
    assert expected in text
    assert not any(r in text or r in about for r in REPRS)


@pytest.mark.parametrize(
    ("text", "span"),
    [("x", "`x`"), ("a`b", "``a`b``"), ("`a", "`` `a ``"), ("a``", "``` a`` ```")],
)
def test_a_code_span_holds_any_backticks(text: str, span: str) -> None:
    assert code(text) == span
