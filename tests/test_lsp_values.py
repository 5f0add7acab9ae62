"""Completion of enum values that are not plain words, in a query file and
in each kind of TOML string of a config file: every edit the server
offers, applied, gives a config that TOML reads and a query that checks."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from typing import Any

import pytest
from lsp_support import RawServer, temp_root, uri_of

from cqlang import api
from cqlang.schema import DEFAULT_SCHEMA

ROOT = temp_root()
HOME = ROOT / "home"
HOME.mkdir()
WS = ROOT / "ws"
WS.mkdir()
VALUES = ["Lower Silesia", "null", "it's", "web", 'a"b', "back\\slash", "three'''"]
DECLARED = (
    "[schema.custom_fields]\n"
    'flag = { type = "enum", values = ["Lower Silesia", "null", "it\'s", "web", '
    '"a\\"b", "back\\\\slash", "three\'\'\'"] }\n'
)
(WS / "cqlang.toml").write_text(DECLARED, encoding="utf-8")
SCHEMA = DEFAULT_SCHEMA.with_custom_fields({"flag": {"type": "enum", "values": VALUES}})


@pytest.fixture(scope="module")
def server() -> Iterator[RawServer]:
    raw = RawServer(HOME, WS)
    yield raw
    raw.close()


def _complete(server: RawServer, uri: str, line: int, character: int) -> list[dict[str, Any]]:
    at = {"line": line, "character": character}
    got = server.answer(
        server.request("textDocument/completion", {"textDocument": {"uri": uri}, "position": at})
    )
    return list(got["result"]["items"])


def _apply(text: str, edit: dict[str, Any]) -> str:
    lines = text.split("\n")
    start, end = edit["range"]["start"], edit["range"]["end"]
    assert start["line"] == end["line"]  # one line, all ASCII but the values
    line = lines[start["line"]]
    lines[start["line"]] = line[: start["character"]] + edit["newText"] + line[end["character"] :]
    return "\n".join(lines)


def test_values_in_a_query_file(server: RawServer) -> None:
    uri = uri_of(WS / "flag.cql")
    text = "custom.flag = "
    server.open(uri, text)
    items = _complete(server, uri, 0, len(text))
    got = {i["label"]: i["textEdit"]["newText"] for i in items}
    assert got["Lower Silesia"] == '"Lower Silesia"'
    assert got["null"] == '"null"' and got["web"] == "web"
    for item in items:
        query = _apply(text, item["textEdit"])
        assert api.check(query, schema=SCHEMA) == [], query


@pytest.mark.parametrize("opener", ['"', "'", '"""', "'''"])
def test_values_in_each_kind_of_toml_string(server: RawServer, opener: str) -> None:
    uri = uri_of(WS / "cqlang.toml")
    before = f"[queries.t]\nquery = {opener}custom.flag = "
    text = DECLARED + before + opener + "\n"
    server.open(uri, text, language="toml", version=len(opener) + (opener[0] == "'") * 10)
    line = text.count("\n", 0, len(DECLARED + before))
    items = _complete(server, uri, line, len(before.split("\n")[-1]))
    assert {i["label"] for i in items} >= set(VALUES)
    for item in items:
        edited = _apply(text, item["textEdit"])
        query = tomllib.loads(edited)["queries"]["t"]["query"]
        assert api.check(query, schema=SCHEMA) == [], (opener, item["label"], query)
        if item["label"] in VALUES:
            assert api.parse(query).expr.value.value == item["label"]  # type: ignore[union-attr]
