"""The notes about what did not fit a file quote the server's data (a
value, a field's name), which may echo the API key: every front end shows
them with the key hidden, as the client's own errors and logs do (`fetch
-o`, the REPL's `\\o`, `Client.to_arrow`'s MisfitWarning)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from cqlang.client import Client
from tests.hostile import Hostile, Request, head

KEY = "SEKRETKEY-1234567890abcdef"
CAMPAIGN = "5b7c389fe8df7b60af688989"


def echoing(conn: socket.socket, req: Request) -> bool:
    """One record whose values and names echo the key the request sent:
    an integer field holding it (a misfit), a field named after it (left
    out of a CSV), a custom key named after it."""
    key = req.headers.get("authorization", "").split()[-1]
    offset = int(req.target.split("offset=")[1].split("&")[0]) if "offset=" in req.target else 0
    data = []
    if offset == 0:
        data = [
            {
                "id": "r1",
                "priority": key,
                f"x-{key}": 1,
                "custom": json.dumps({f"k-{key}": {"deep": [1]}, "region": "PL"}),
            }
        ]
    body = json.dumps({"data": data}).encode()
    conn.sendall(head(length=len(body)) + body)
    return True


@pytest.fixture
def server() -> Hostile:
    with Hostile(echoing) as s:
        yield s


def cli(*args: str, url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {"CONPEEK_URL": url, "CONPEEK_KEY": KEY, "PATH": "/usr/bin:/bin", "HOME": str(cwd)}
    return subprocess.run(
        [sys.executable, "-m", "cqlang.cli", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("name", ["out.parquet", "out.arrow", "out.csv"])
def test_fetch_notes_hide_the_key(server: Hostile, tmp_path: Path, name: str) -> None:
    pytest.importorskip("pyarrow")
    res = cli("fetch", "--campaign", CAMPAIGN, "-o", name, url=server.url, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "warning" in res.stderr  # there is a note, and it quotes the record
    assert "<hidden>" in res.stderr
    assert KEY not in res.stderr and KEY not in res.stdout


def test_client_to_arrow_warning_hides_the_key(server: Hostile) -> None:
    pytest.importorskip("pyarrow")
    with warnings.catch_warnings(record=True) as seen, Client(server.url, KEY) as client:
        warnings.simplefilter("always")
        table = client.to_arrow(CAMPAIGN)
    assert table.num_rows == 1
    notes = [str(w.message) for w in seen]
    assert notes and all(KEY not in n for n in notes)
    assert any("<hidden>" in n for n in notes)


def test_repl_o_notes_hide_the_key(server: Hostile, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    script = f"\\campaign {CAMPAIGN}\nstate is null\n\\o out.parquet\n\\fetch all\n"
    env = {"CONPEEK_URL": server.url, "CONPEEK_KEY": KEY, "PATH": "/usr/bin:/bin"}
    res = subprocess.run(
        [sys.executable, "-m", "cqlang.cli", "repl"],
        input=script,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**env, "HOME": str(tmp_path)},
        timeout=120,
        check=False,
    )
    out = res.stdout + res.stderr
    assert "wrote 1 record" in out, out
    assert "<hidden>" in out
    assert KEY not in out
