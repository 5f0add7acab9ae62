"""Shared pieces of the language server's end-to-end tests: the workspace
they open, the server's command line and environment, and a synchronous
client (for hypothesis, which does not run coroutines)."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine
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


def units(s: str, encoding: str) -> int:
    """The code units of ``s`` in a position encoding."""
    if encoding == "utf-16":
        return len(s.encode("utf-16-le", "surrogatepass")) // 2
    if encoding == "utf-8":
        return len(s.encode("utf-8", "surrogatepass"))
    return len(s)


def lines_of(text: str) -> list[tuple[int, int]]:
    """(start, end before the line break) of each LSP line."""
    out = []
    start = 0
    for m in re.finditer(r"\r\n|\r|\n", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return out


def ref_position(text: str, offset: int, encoding: str) -> tuple[int, int]:
    """The LSP position of ``offset``, the plain way (a reference)."""
    lines = lines_of(text)
    line = max(i for i, (s, _) in enumerate(lines) if s <= offset)
    start, end = lines[line]
    return line, units(text[start : min(offset, end)], encoding)


def ref_offset(text: str, line: int, character: int, encoding: str) -> int:
    """The offset of an LSP position, the plain way (a reference): past the
    end of its line is the line's end, past the last line the text's end,
    inside a character of several units just after it."""
    lines = lines_of(text)
    if line < 0:
        return 0
    if line >= len(lines):
        return len(text)
    start, end = lines[line]
    for i in range(start, end + 1):
        if units(text[start:i], encoding) >= character:
            return i
    return end


def position_of(text: str, needle: str, nth: int = 0) -> types.Position:
    """The UTF-16 position of the ``nth`` occurrence of ``needle``."""
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at)
    start = text.rfind("\n", 0, at) + 1
    return types.Position(line=line, character=utf16(text[start:at]))


def make_client() -> LanguageClient:
    """pytest-lsp's test client, which also takes the server's
    ``client/registerCapability`` (the watch of the config files it asks
    for, cqlang.lsp.publish.initialized) as an editor does: the test client
    has no handler of its own and would fail the test."""
    client = make_test_lsp_client()

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def registered(params: types.RegistrationParams) -> None:
        return None

    return client


class SyncClient:
    """A real client over stdio, driven without async code (one event loop
    of its own)."""

    def __init__(self, ws: Path, home: Path, **options: Any) -> None:
        self.loop = asyncio.new_event_loop()
        self.client: LanguageClient = make_client()
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


class RawServer:
    """``cqlang lsp`` over pipes, spoken to in raw JSON-RPC: for the
    messages no LSP client library sends (malformed params, odd ids). Every
    wait is bounded; the server's standard error goes to a file (``log``)."""

    def __init__(
        self,
        home: Path,
        folder: Path | None,
        capabilities: dict[str, Any] | None = None,
        command: list[str] | None = None,
        initialize: bool = True,
        **options: Any,
    ) -> None:
        self.log = Path(tempfile.mkstemp(prefix="cqlang-lsp-stderr-")[1])
        self._stderr = self.log.open("wb")
        self.proc = subprocess.Popen(
            command or SERVER,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=server_env(home),
        )
        self.inbox: queue.Queue[dict[str, Any] | None] = queue.Queue()
        #: Every message received, in order.
        self.received: list[dict[str, Any]] = []
        self._next = 0
        threading.Thread(target=self._read, daemon=True).start()
        params: dict[str, Any] = {
            "processId": None,
            "capabilities": capabilities or {},
            "initializationOptions": {"debounce": 0, "now": NOW, **options},
        }
        if folder is not None:
            params["rootUri"] = uri_of(folder)
            params["workspaceFolders"] = [{"uri": uri_of(folder), "name": "ws"}]
        else:
            params["rootUri"] = None
        #: The ``initialize`` params, and the answer to it (None: the
        #: server was started without, ``initialize=False``).
        self.params = params
        self.initialized: dict[str, Any] | None = None
        if initialize:
            self.initialized = self.answer(self.request("initialize", params))
            self.notify("initialized", {})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    self.inbox.put(None)
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            if length is None:
                continue
            self.inbox.put(json.loads(out.read(length)))

    def send_bytes(self, body: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_bytes(json.dumps(message).encode("utf-8"))

    def request(self, method: str, params: Any = None, *, omit_params: bool = False) -> int:
        self._next += 1
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": self._next, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return self._next

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def wait(
        self, match: Callable[[dict[str, Any]], bool], timeout: float = 20, since: int = 0
    ) -> dict[str, Any]:
        """The first message received that ``match`` accepts, from the
        ``since``-th on (every message is kept in ``received``)."""
        for message in self.received[since:]:
            if match(message):
                return message
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("no such message from the server")
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                raise TimeoutError("no such message from the server") from None
            if message is None:
                raise EOFError("the server closed its output")
            self.received.append(message)
            if match(message):
                return message

    def answer(self, msg_id: Any, timeout: float = 20) -> dict[str, Any]:
        """The response to request ``msg_id``."""
        return self.wait(lambda m: "method" not in m and m.get("id") == msg_id, timeout)

    def open(self, uri: str, text: str, language: str = "cqlang", version: int = 1) -> None:
        item = {"uri": uri, "languageId": language, "version": version, "text": text}
        self.notify("textDocument/didOpen", {"textDocument": item})

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                self.answer(self.request("shutdown"), timeout=10)
                self.notify("exit", None)
                self.proc.wait(timeout=10)
        except (OSError, TimeoutError, EOFError, subprocess.TimeoutExpired):
            pass
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(timeout=10)
            self._stderr.close()
