"""``workspace/didChangeConfiguration``: the ``cqlang`` section of the
settings is applied as the initialization options are (no restart), an
option left out keeps its value, one set to ``null`` is back to what the
server started with, a bad one is warned about and ignored, and the open
documents are checked again when an option changed. End to end over stdio
with pytest-lsp."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_lsp
from lsp_support import (
    SERVER,
    diagnostics_of,
    init_params,
    make_client,
    record_diagnostics,
    server_env,
    temp_root,
    uri_of,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = temp_root()
(ROOT / "home").mkdir()
WS = ROOT / "ws"
WS.mkdir()
OTHER = ROOT / "other.toml"
OTHER.write_text('[queries.elsewhere]\nquery = "state = OPEN"\n', encoding="utf-8")
OTHER.chmod(0o600)
TEXT = "state = OPEN and priority > 3 and campaign_id = x"
STATE: dict[str, Any] = {}


def _client() -> LanguageClient:
    client = make_client()
    STATE["published"] = record_diagnostics(client)
    return client


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=SERVER, server_env=server_env(ROOT / "home"), client_factory=_client
    ),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(init_params(WS, width=20))
    yield
    await lsp_client.shutdown_session()


def _settings(client: LanguageClient, settings: Any) -> None:
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=settings))


async def _formatted(client: LanguageClient, uri: str) -> str:
    edits = await client.text_document_formatting_async(
        types.DocumentFormattingParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            options=types.FormattingOptions(tab_size=4, insert_spaces=True),
        )
    )
    assert edits is not None
    return edits[0].new_text


def _open(client: LanguageClient, uri: str, text: str) -> None:
    item = types.TextDocumentItem(uri=uri, language_id="cqlang", version=1, text=text)
    client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))


async def _warned(client: LanguageClient, needle: str) -> str:
    for _ in range(500):  # bounded: the warning follows the notification
        found = [m.message for m in client.log_messages if needle in m.message]
        if found:
            return found[-1]
        await asyncio.sleep(0.01)
    raise AssertionError(f"no log message with {needle!r}: {client.log_messages}")


async def test_a_changed_width_applies_without_a_restart(client: LanguageClient) -> None:
    uri = uri_of(WS / "wide.cql")
    _open(client, uri, TEXT)
    assert await _formatted(client, uri) == "state = OPEN\nand priority > 3\nand campaign_id = x\n"
    _settings(client, {"cqlang": {"width": 200}})
    assert await _formatted(client, uri) == TEXT + "\n"
    _settings(client, {"cqlang": {"debounce": 10}})  # width left out: kept
    assert await _formatted(client, uri) == TEXT + "\n"
    _settings(client, {"cqlang": {"width": None}})  # back to the initialization's 20
    assert await _formatted(client, uri) == "state = OPEN\nand priority > 3\nand campaign_id = x\n"
    _settings(client, {"cqlang": {"width": 200}})
    _settings(client, {"cqlang": None})  # the whole section gone: all back
    assert await _formatted(client, uri) == "state = OPEN\nand priority > 3\nand campaign_id = x\n"


async def test_a_bad_or_misplaced_setting_is_warned_about_and_ignored(
    client: LanguageClient,
) -> None:
    uri = uri_of(WS / "bad.cql")
    _open(client, uri, TEXT)
    _settings(client, {"cqlang": {"width": "abc", "witdh": 3}})
    message = await _warned(client, "cqlang.width")
    assert message == (
        "cqlang: setting 'cqlang.width' ignored: expected a whole number of columns "
        'from 1 to 10000, got "abc"'
    )
    assert "did you mean 'width'?" in await _warned(client, "cqlang.witdh")
    _settings(client, {"width": 200})
    assert "cqlang's settings go in a cqlang section" in await _warned(client, "'width' ignored")
    _settings(client, {"python": {"width": 200}})  # another tool's: not cqlang's to judge
    _settings(client, None)
    assert await _formatted(client, uri) == "state = OPEN\nand priority > 3\nand campaign_id = x\n"


async def test_a_changed_config_file_rechecks_the_open_documents(client: LanguageClient) -> None:
    published = STATE["published"]
    uri = uri_of(WS / "named.cql")
    _open(client, uri, "@elsewhere")
    first = await diagnostics_of(published, uri, 1)
    assert [d.code for d in first] == ["CQL115"]
    mark = len(published.events) - 1
    _settings(client, {"cqlang": {"config": str(OTHER)}})
    assert await diagnostics_of(published, uri, 1, after=mark) == []
    mark = len(published.events) - 1
    _settings(client, {"cqlang": {"config": None}})
    again = await diagnostics_of(published, uri, 1, after=mark)
    assert [d.code for d in again] == ["CQL115"]
