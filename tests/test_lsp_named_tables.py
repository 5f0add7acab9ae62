"""The language server on named queries, over stdio (a real client): a
``[queries.NAME]`` table with a key typo is said at the key (with its
did-you-mean), and a reference to the query is told the table has a
mistake (the command line refuses the file) instead of "unknown named
query" with a did-you-mean to another name; hover on ``@ref`` names the
zone the query's dates are read in there (its own, unless the query
holding the reference has one)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_support import SyncClient, position_of, temp_root, uri_of
from lsprotocol import types

CONFIG = """[connection]
timezone = "Europe/Warsaw"

[queries.open]
querry = "state = OPEN"

[queries.typo]
query = "priority > 1"
descripton = "a typo"

[queries.hot]
query = "@open and @typo and priority >= 3"

[queries.day]
query = "created_date = 2021-08-10"
timezone = "Asia/Tokyo"

[queries.utc]
query = "@day and priority > 1"
timezone = "UTC"
"""


@pytest.fixture(scope="module")
def lsp() -> Iterator[tuple[SyncClient, Path]]:
    root = temp_root()
    ws = root / "ws"
    ws.mkdir()
    (root / "home").mkdir()
    (ws / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
    client = SyncClient(ws, root / "home")
    try:
        yield client, ws
    finally:
        client.close()


def _hover(c: SyncClient, uri: str, pos: types.Position) -> str:
    params = types.HoverParams(text_document=types.TextDocumentIdentifier(uri), position=pos)
    got = c.run(c.client.text_document_hover_async(params))
    assert got is not None and isinstance(got.contents, types.MarkupContent)
    return got.contents.value


def test_a_key_typo_is_said_at_the_key_and_a_reference_is_not_called_unknown(
    lsp: tuple[SyncClient, Path],
) -> None:
    c, ws = lsp
    uri = uri_of(ws / "cqlang.toml")
    c.open(uri, CONFIG, "toml")
    diags = c.diagnostics_for(uri, 1)
    at_key = [d for d in diags if d.range.start == position_of(CONFIG, "querry")]
    assert [d.message for d in at_key] == ["unknown key 'querry' (did you mean 'query'?)"]
    end = position_of(CONFIG, "querry")
    assert at_key[0].range.end.character == end.character + len("querry")
    typo = [d for d in diags if d.range.start == position_of(CONFIG, "descripton")]
    assert [d.message for d in typo] == ["unknown key 'descripton' (did you mean 'description'?)"]
    refs = [d for d in diags if d.code == "CQL115"]
    assert {d.range.start.character for d in refs} == {9, 19}  # @open, @typo in hot
    for d in refs:
        assert "unknown" not in d.message and "is left out: its table" in d.message
        assert d.data is None  # no quick fix renaming it to another query
    open_ref = next(d for d in refs if "'@open'" in d.message)
    assert "cqlang.toml:4) has mistakes" in open_ref.message
    hint = open_ref.related_information[0].message  # type: ignore[index]
    assert "cqlang.toml:5:1: unknown key 'querry' (did you mean 'query'?)" in hint
    assert 'a named query needs query = "..."' in hint

    # A query file says the same at its reference, and @open's definition
    # is its table.
    q = uri_of(ws / "uses.cql")
    c.open(q, "@open and @hot\n")
    got = c.diagnostics_for(q, 1)
    assert [d.range.start.character for d in got] == [0, 10, 10]
    assert got[0].message.startswith("named query '@open' is left out")
    assert got[1].message.startswith("in @hot: named query '@")
    params = types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(q), position=types.Position(0, 2)
    )
    where = c.run(c.client.text_document_definition_async(params))
    assert isinstance(where, types.Location)
    assert where.range.start == types.Position(line=3, character=0)
    assert "left out, its table" in _hover(c, q, types.Position(0, 2))


def test_hover_on_a_reference_names_the_zone_its_dates_are_read_in(
    lsp: tuple[SyncClient, Path],
) -> None:
    c, ws = lsp
    q = uri_of(ws / "zones.cql")
    c.open(q, "@day and @utc\n")
    c.diagnostics_for(q, 1)
    assert "dates read in zone `Asia/Tokyo` (its own)" in _hover(c, q, types.Position(0, 2))
    uri = uri_of(ws / "cqlang.toml")
    inner = position_of(CONFIG, "@day and priority")
    said = _hover(c, uri, types.Position(inner.line, inner.character + 2))
    assert "dates read in zone `UTC` (the zone of the query it is in holds" in said


def test_hover_and_diagnostics_word_a_broken_table_alike(tmp_path: Path) -> None:
    """A review: hover said "has a mistake" of a table with two, where the
    diagnostic said "has mistakes"; both now use broken.where_broken."""
    from cqlang.lsp.broken import broken_tables, where_broken
    from cqlang.lsp.documents import Document
    from cqlang.lsp.server import CqlangServer

    path = tmp_path / "cqlang.toml"
    path.write_text('[queries.b]\nquerry = "state = OPEN"\ncolour = 1\n', encoding="utf-8")
    server = CqlangServer(str(path))
    config = server.config_for(Document(path.as_uri(), path, path.read_text(), 1, "toml"))
    table, mistakes = where_broken(*broken_tables(config)["b"], "b")
    assert table.endswith("has mistakes") and len(mistakes) >= 2, (table, mistakes)
