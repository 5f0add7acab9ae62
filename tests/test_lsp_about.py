"""Completion documentation for operators, enum values and custom keys, and
hover on a value, from a real server over stdio: worded from the schema
(the property's type, description, values, how the API takes it)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_lsp
from lsp_support import (
    SERVER,
    diagnostics_of,
    init_params,
    make_client,
    make_workspace,
    position_of,
    record_diagnostics,
    server_env,
    temp_root,
    uri_of,
)
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = pytest.mark.asyncio(loop_scope="module")

ROOT = temp_root()
WS = make_workspace(ROOT)
PUBLISHED: dict[str, Any] = {}


def _client() -> LanguageClient:
    client = make_client()
    PUBLISHED["log"] = record_diagnostics(client)
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


_count = [0]


async def _open(client: LanguageClient, text: str) -> str:
    _count[0] += 1
    uri = uri_of(WS / f"about{_count[0]}.cql")
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="cqlang", version=1, text=text
            )
        )
    )
    await diagnostics_of(PUBLISHED["log"], uri, 1)
    return uri


async def _items(client: LanguageClient, text: str) -> dict[str, types.CompletionItem]:
    uri = await _open(client, text)
    end = types.Position(line=0, character=len(text))
    result = await client.text_document_completion_async(
        types.CompletionParams(text_document=types.TextDocumentIdentifier(uri=uri), position=end)
    )
    items = result.items if isinstance(result, types.CompletionList) else result or []
    return {i.label: i for i in items}


def _doc_of(item: types.CompletionItem) -> str:
    assert isinstance(item.documentation, types.MarkupContent), item
    return item.documentation.value


async def test_operator_items_say_what_they_mean_for_the_property(client: LanguageClient) -> None:
    ints = await _items(client, "priority ")
    assert "less than" in _doc_of(ints["<"]) and "`priority` (integer)" in _doc_of(ints["<"])
    assert "gt, gte, lte, lt, eq, ne" in _doc_of(ints[">="])  # how the API takes it
    times = await _items(client, "created_date ")
    assert "earlier than the time" in _doc_of(times["<"])
    enums = await _items(client, "state ")
    assert "any of the values" in _doc_of(enums["in"]) and "a list of values" in _doc_of(
        enums["in"]
    )
    custom = await _items(client, "custom.region ")
    assert "`custom.region` (enum)" in _doc_of(custom["="])


async def test_value_and_custom_key_items_are_documented(client: LanguageClient) -> None:
    values = await _items(client, "state = ")
    doc = _doc_of(values["OPEN"])
    assert "a value of `state`" in doc and "the request's state" in doc and "`CLOSED`" in doc
    regions = await _items(client, "custom.region = ")
    assert "a value of `custom.region`" in _doc_of(regions["PL"])
    keys = await _items(client, "custom.")
    assert "declared enum" in _doc_of(keys["region"]) and "PL" in _doc_of(keys["region"])
    assert "declared integer" in _doc_of(keys["score"])
    bracket = await _items(client, "custom[")
    assert "declared string" in _doc_of(bracket['"lead source"]'])


async def _hover(client: LanguageClient, text: str, needle: str) -> str:
    uri = await _open(client, text)
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri), position=position_of(text, needle)
        )
    )
    assert result is not None and isinstance(result.contents, types.MarkupContent), needle
    return result.contents.value


async def test_hover_on_a_value_says_what_it_is(client: LanguageClient) -> None:
    enum = await _hover(client, "state = OPEN", "OPEN")
    assert "`OPEN`: a value of `state`" in enum
    listed = await _hover(client, "state in (OPEN,CLOSED)", "CLOSED")
    assert "`CLOSED`: a value of `state`" in listed
    number = await _hover(client, "priority > 3", "3")
    assert "an integer compared with `priority`" in number
    low = await _hover(client, "priority between 1 and 5", "5")
    assert "`priority`" in low
    custom = await _hover(client, "custom.region = PL", "PL")
    assert "a value of `custom.region`" in custom
    wrong = await _hover(client, "state = OPNE", "OPNE")
    assert "not a value of `state`" in wrong
    day = await _hover(client, 'created_date >= "2021-08-10"', "2021")
    assert "2021-08-09 22:00:00" in day  # a datetime's UTC interval, as before


async def test_hover_on_a_value_of_no_known_property_shows_the_plan(client: LanguageClient) -> None:
    text = "prioirty > 3 or state = OPEN"
    got = await _hover(client, text, "3")
    assert "prioirty" in got or "plan" in got
