"""The language server reads every message through its bounded reader
(cqlang.lsp.stdio), whatever its standard input is: a pipe (as editors
start it), a socket, a regular file, a device. With a regular file it used
pygls's own reader, which held a body of any size whole and turned a
Content-Length of 5,000 digits into an error that ended the server; with
/dev/null (which epoll refuses) it never read at all and never ended."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
from pathlib import Path
from typing import IO, Any

import pytest
from lsp_support import SERVER, server_env

from cqlang.lsp.stdio import MAX_LINE_BYTES, MAX_MESSAGE_BYTES, watchable

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX pipes, sockets and devices")


def _message(obj: dict[str, Any]) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _request(msg_id: int, method: str, params: Any = None) -> bytes:
    return _message({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})


#: Initialize; a body past the bound; a header line past its bound; a
#: Content-Length of 5,000 digits; then shutdown and exit, which must be
#: answered: the server read past all three and went on.
INPUT = b"".join(
    [
        _request(1, "initialize", {"processId": None, "rootUri": None, "capabilities": {}}),
        b"Content-Length: %d\r\n\r\n" % (MAX_MESSAGE_BYTES + 1) + b" " * (MAX_MESSAGE_BYTES + 1),
        b"X" * (MAX_LINE_BYTES * 3) + b"\r\n",
        b"Content-Length: " + b"9" * 5000 + b"\r\n\r\n",
        _request(2, "shutdown"),
        _message({"jsonrpc": "2.0", "method": "exit"}),
    ]
)


def _answers(out: bytes) -> list[dict[str, Any]]:
    """The messages the server wrote."""
    found = []
    while out:
        head, _, rest = out.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.startswith(b"Content")
        )
        found.append(json.loads(rest[:length]))
        out = rest[length:]
    return found


def _serve(stdin: int | IO[bytes], home: Path, feed: bytes | None = None) -> tuple[bytes, str]:
    """Run the server with ``stdin`` (``feed``, written for a pipe); its
    output and its log."""
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            SERVER, stdin=stdin, stdout=subprocess.PIPE, stderr=err, env=server_env(home)
        )
        try:
            out, _ = proc.communicate(feed, timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()  # a server that does not end is the failure
            proc.communicate()
            raise
        err.seek(0)
        log = err.read().decode("utf-8", "replace")
    assert proc.returncode == 0, log
    assert "Traceback" not in log, log
    return out, log


def _check(out: bytes, log: str) -> None:
    answers = _answers(out)
    assert [a.get("id") for a in answers] == [1, None, None, 2], answers
    refused = [a["error"] for a in answers[1:3]]
    assert [e["code"] for e in refused] == [-32600, -32600]
    size, bound = MAX_MESSAGE_BYTES + 1, MAX_MESSAGE_BYTES
    assert refused[0]["message"] == f"a message of {size} bytes: larger than the {bound} bytes read"
    assert refused[1]["message"] == "a Content-Length of 5000 digits: not read"
    assert "result" in answers[3]


def test_standard_input_a_regular_file(tmp_path: Path) -> None:
    (tmp_path / "in.bin").write_bytes(INPUT)
    with open(tmp_path / "in.bin", "rb") as stdin:
        assert not watchable(stdin)  # read by a thread, through the same bound
        _check(*_serve(stdin, tmp_path))


def test_standard_input_a_pipe(tmp_path: Path) -> None:
    _check(*_serve(subprocess.PIPE, tmp_path, INPUT))


def test_standard_input_a_socket(tmp_path: Path) -> None:
    ours, theirs = socket.socketpair()
    with ours, theirs:
        assert watchable(theirs.makefile("rb"))

        def write() -> None:
            ours.sendall(INPUT)
            ours.shutdown(socket.SHUT_WR)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        result = _serve(theirs.fileno(), tmp_path)
        writer.join(timeout=60)
    _check(*result)


def test_standard_input_a_device_the_loop_cannot_watch(tmp_path: Path) -> None:
    """/dev/null: epoll refuses it, so asyncio's pipe reader never read it
    (a traceback in the log, and a server that never ended)."""
    with open(os.devnull, "rb") as stdin:
        assert not watchable(stdin)
        out, _ = _serve(stdin, tmp_path)
    assert out == b""
