"""A config file changed on disk while it is not open: the server has the
client watch ``**/cqlang.toml`` and ``**/pyproject.toml`` (a dynamic
registration, where the client can make one) and checks the open
documents again when one changes. End to end with pytest-lsp."""

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
TOML = WS / "cqlang.toml"
DECLARED = '[schema.custom_fields]\nregion = { type = "enum", values = [%s] }\n'
TOML.write_text(DECLARED % '"PL"', encoding="utf-8")
STATE: dict[str, Any] = {"registrations": []}


def _client() -> LanguageClient:
    from pytest_lsp import make_test_lsp_client

    client = make_test_lsp_client()
    STATE["published"] = record_diagnostics(client)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def registered(params: types.RegistrationParams) -> None:
        STATE["registrations"].extend(params.registrations)

    return client


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(
        server_command=SERVER, server_env=server_env(ROOT / "home"), client_factory=_client
    ),
)
async def client(lsp_client: LanguageClient) -> AsyncIterator[None]:
    await lsp_client.initialize_session(init_params(WS))
    yield
    await lsp_client.shutdown_session()


async def test_the_server_has_the_client_watch_the_config_files(client: LanguageClient) -> None:
    for _ in range(400):  # the registration follows `initialized`: bounded wait
        if STATE["registrations"]:
            break
        await asyncio.sleep(0.01)
    (registration,) = STATE["registrations"]
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    globs = [w["globPattern"] for w in registration.register_options["watchers"]]
    assert globs == ["**/cqlang.toml", "**/pyproject.toml"]


async def test_a_config_changed_on_disk_rechecks_the_open_documents(
    client: LanguageClient,
) -> None:
    published = STATE["published"]
    uri = uri_of(WS / "q.cql")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="cqlang", version=1, text="custom.region = DE"
            )
        )
    )
    first = await diagnostics_of(published, uri, 1)
    assert [d.code for d in first] == ["CQL105"]
    mark = len(published.events) - 1
    TOML.write_text(DECLARED % '"PL", "DE"', encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=uri_of(TOML), type=types.FileChangeType.Changed)]
        )
    )
    again = await diagnostics_of(published, uri, 1, after=mark)
    assert again == []
