"""The language server reads the config files the command line reads, with
the same trust: a discovered cqlang.toml that anyone may write to is
skipped (with one warning in the client's log), so an editor never checks
queries against named queries or a schema the CLI would refuse. Over stdio,
with a real client."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_support import SyncClient, uri_of

pytestmark = pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")

CONFIG = '[queries.hot]\nquery = "state = OPEN"\n'


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    ws, home = tmp_path / "ws", tmp_path / "home"
    ws.mkdir()
    (home / ".config").mkdir(parents=True)
    yield ws, home


def _logged(client: SyncClient, needle: str) -> list[str]:
    return [m.message for m in client.client.log_messages if needle in m.message]


def test_a_config_file_anyone_may_write_is_skipped(workspace: tuple[Path, Path]) -> None:
    ws, home = workspace
    toml = ws / "cqlang.toml"
    toml.write_text(CONFIG, encoding="utf-8")
    toml.chmod(0o666)
    client = SyncClient(ws, home)
    try:
        uri = uri_of(ws / "a.cql")
        client.open(uri, "@hot\n")
        diags = client.diagnostics_for(uri, 1)
        assert [d.code for d in diags] == ["CQL115"], diags  # @hot unknown: the file is skipped
        client.open(uri_of(ws / "b.cql"), "@hot and priority > 1\n")
        client.diagnostics_for(uri_of(ws / "b.cql"), 1)
        deadline = time.monotonic() + 10
        while not _logged(client, "skipped the config file") and time.monotonic() < deadline:
            client.run(asyncio.sleep(0.05))
        said = _logged(client, "skipped the config file")
        assert len(said) == 1, said  # once, however many documents use it
        assert "anyone may write to it" in said[0] and str(toml) in said[0]
    finally:
        client.close()


def test_the_same_file_with_a_safe_mode_is_read(workspace: tuple[Path, Path]) -> None:
    ws, home = workspace
    toml = ws / "cqlang.toml"
    toml.write_text(CONFIG, encoding="utf-8")
    toml.chmod(0o644)
    client = SyncClient(ws, home)
    try:
        uri = uri_of(ws / "a.cql")
        client.open(uri, "@hot\n")
        assert client.diagnostics_for(uri, 1) == []
        assert not _logged(client, "skipped the config file")
    finally:
        client.close()
