"""Shared pieces of the language server's end-to-end tests: the workspace
they open, the server's command line and environment, and a synchronous
client (for hypothesis, which does not run coroutines)."""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient, client_capabilities, make_test_lsp_client

T = TypeVar("T")

#: The clock the server is given (initialization option ``now``).
NOW = "2021-08-10T12:00:00Z"

CONFIG = '''# The workspace's config: named queries and declared custom fields.
[connection]
timezone = "Europe/Warsaw"

[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE"] }
"lead source" = "string"
score = "integer"

[queries.hot]
description = "Open, important"
query = "state = OPEN and priority >= $min"
params = { min = 5 }

[queries.bad]
query = """
state = OPEN
and close_reason = "żółw 🐢" and prioirty >= 3
"""

[queries.escaped]
query = "custom[\\"lead source\\"] = \\"web\\" and prioirty > 1"

[queries.uses]
query = '@hot and custom.region = PL'
'''


def server_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CQLANG_", "CONPEEK_"))}
    env.update(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    return env


SERVER = [sys.executable, "-m", "cqlang", "lsp"]


def make_workspace(root: Path) -> Path:
    ws = root / "ws"
    (ws / "sub").mkdir(parents=True)
    (root / "home").mkdir()
    (ws / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
    (ws / "sub" / "saved.cql").write_text("@hot or @uses\n", encoding="utf-8")
    return ws


def init_params(ws: Path, **options: Any) -> types.InitializeParams:
    uri = from_fs_path(str(ws)) or ""
    return types.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        workspace_folders=[types.WorkspaceFolder(uri=uri, name="ws")],
        root_uri=uri,
        initialization_options={"debounce": 0, "now": NOW, **options},
    )


def uri_of(path: Path) -> str:
    return from_fs_path(str(path)) or ""


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def position_of(text: str, needle: str, nth: int = 0) -> types.Position:
    """The UTF-16 position of the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return types.Position(line=line, character=utf16(text[start:at]))


class SyncClient:
    """A real client over stdio, driven without async code (one event loop
    of its own)."""

    def __init__(self, ws: Path, home: Path, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client: LanguageClient = make_test_lsp_client()
        self.published = record_diagnostics(self.client)
        self.run(self.client.start_io(*SERVER, env=server_env(home)))
        self.run(self.client.initialize_session(init_params(ws, **options)))

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def open(self, uri: str, text: str, language: str = "cqlang", version: int = 1) -> None:
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id=language, version=version, text=text
                )
            )
        )

    def change(self, uri: str, text: str, version: int) -> None:
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )

    def diagnostics_for(self, uri: str, version: int) -> list[types.Diagnostic]:
        """Wait until the diagnostics of ``version`` of ``uri`` arrive."""
        return self.run(diagnostics_of(self.published, uri, version))

    def close(self) -> None:
        try:
            self.run(self.client.shutdown_session(), timeout=10)
        finally:
            self.run(self.client.stop(), timeout=10)
            self.loop.close()


class Published:
    """Every publishDiagnostics a client receives: the latest by (uri,
    version), and all of them in order."""

    def __init__(self) -> None:
        self.latest: dict[tuple[str, int | None], list[types.Diagnostic]] = {}
        self.events: list[tuple[str, int | None, list[types.Diagnostic]]] = []

    def __contains__(self, key: tuple[str, int | None]) -> bool:
        return key in self.latest

    def __getitem__(self, key: tuple[str, int | None]) -> list[types.Diagnostic]:
        return self.latest[key]


def record_diagnostics(client: LanguageClient) -> Published:
    """Keep every publishDiagnostics the client receives."""
    published = Published()
    previous = client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS]

    def record(params: types.PublishDiagnosticsParams) -> None:
        diags = list(params.diagnostics)
        published.latest[(params.uri, params.version)] = diags
        published.events.append((params.uri, params.version, diags))
        previous(params)

    client.protocol.fm.features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    return published


async def diagnostics_of(
    published: Published, uri: str, version: int | None, timeout: float = 20, after: int = -1
) -> list[types.Diagnostic]:
    """The diagnostics of ``version`` of ``uri``; with ``after``, those
    published after the ``after``-th publication."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if after < 0 and (uri, version) in published:
            return published[(uri, version)]
        for u, v, diags in published.events[after + 1 :] if after >= 0 else ():
            if (u, v) == (uri, version):
                return diags
        if loop.time() > deadline:
            raise TimeoutError(f"no diagnostics for {uri} version {version}")
        await asyncio.sleep(0.005)


def temp_root() -> Path:
    return Path(tempfile.mkdtemp(prefix="cqlang-lsp-"))
