"""The emulator as a server facing malformed requests, bursts of clients and
data files that are not files: an answer with the API's JSON error body
every time, never a closed connection without a word."""

from __future__ import annotations

import json
import os
import selectors
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator, load_records
from cqlang.emulator import data as emulator_data
from cqlang.emulator.server import LISTEN_BACKLOG, _Server

PATH = f"/voice_campaign/{DEFAULT_CAMPAIGN}/request"


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    with Emulator(records=20, seed=2) as e:
        yield e


def exchange(emu: Emulator, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; read one answer (status, headers, body) to its end."""
    with socket.create_connection(("127.0.0.1", emu.port), timeout=10) as s:
        s.sendall(raw)
        f = s.makefile("rb")
        status_line = f.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line  # an answer, not a hang-up
        headers = {}
        while (line := f.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = f.read(int(headers.get("content-length", "0")))
        return int(status_line.split()[1]), headers, body


def get(target: str, *, key: str = "demo-key") -> bytes:
    return f"GET {target} HTTP/1.1\r\nHost: x\r\nAuthorization: {key}\r\n\r\n".encode()


def error_of(body: bytes) -> str:
    doc = json.loads(body)
    assert set(doc) == {"error"}
    return str(doc["error"])


@pytest.mark.parametrize(
    ("raw", "status", "says"),
    [
        (b"\r\n", 400, "empty request line"),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "Request-URI Too Long"),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"a" * 70_000 + b"\r\n\r\n", 431, "Line too long"),
        (b"GET / HTTP/9.x\r\n\r\n", 400, "Bad request version"),
        (b"NONSENSE\r\n\r\n", 400, "Bad request syntax"),
        (b"BREW /pot HTTP/1.1\r\n\r\n", 501, "Unsupported method"),
        # HTTP/0.9 sends no headers: answered at once, not after 30 s of silence
        (b"GET /voice_campaign/ID/request\r\n", 400, "HTTP/0.9 is not supported"),
        (b"POST /x\r\n", 400, "HTTP/0.9 is not supported"),
    ],
    ids=[
        "empty",
        "long-line",
        "long-header",
        "version",
        "syntax",
        "method",
        "http09",
        "http09-post",
    ],
)
def test_malformed_requests_get_the_api_error_body(
    emu: Emulator, raw: bytes, status: int, says: str
) -> None:
    code, headers, body = exchange(emu, raw)
    assert code == status and headers["content-type"].startswith("application/json")
    message = error_of(body)
    assert says in message and len(message) < 300
    if status == 400:
        assert message.startswith("Błędne dane: ")


def test_a_request_line_of_60_kb_is_answered(emu: Emulator) -> None:
    code, _, body = exchange(emu, get(PATH + "?exclude=" + quote(json.dumps(["x" * 60_000]))))
    assert code == 200 and len(json.loads(body)["data"]) == 20
    code, _, body = exchange(emu, get(PATH + "?filter=" + "x" * 60_000))
    assert code == 400 and "filter is not JSON" in error_of(body)


@pytest.mark.parametrize("depth", [65, 2000, 10_000])  # 10,000: a 60 KB request line
@pytest.mark.parametrize("param", ["filter", "exclude"])
def test_parameters_nested_too_deep_are_400(emu: Emulator, param: str, depth: int) -> None:
    value = quote("[" * depth + "]" * depth)
    code, _, body = exchange(emu, get(f"{PATH}?{param}={value}"))
    assert code == 400 and f"{param} is nested deeper than 64 levels" in error_of(body)


@pytest.mark.parametrize("param", ["limit", "offset"])
def test_a_limit_or_offset_of_5000_digits_is_400(emu: Emulator, param: str) -> None:
    code, _, body = exchange(emu, get(f"{PATH}?{param}={'9' * 5000}"))
    assert code == 400 and f"{param} must be a non-negative integer" in error_of(body)
    code, _, body = exchange(emu, get(f"{PATH}?{param}={'0' * 5000}1"))  # leading zeros
    assert code == 200


def test_the_server_keeps_serving_after_each_refusal(emu: Emulator) -> None:
    for raw in (b"\r\n", get(f"{PATH}?limit={'9' * 5000}"), get(f"{PATH}?filter={'[' * 3000}")):
        exchange(emu, raw)
    code, _, body = exchange(emu, get(PATH + "?limit=5"))
    assert code == 200 and len(json.loads(body)["data"]) == 5


def test_200_connections_at_once_are_all_accepted_and_answered() -> None:
    # Connections queue in the kernel until the server accepts them; with a
    # backlog of 5 all but a few would wait for SYN retransmits (seconds),
    # and a client with a short timeout gives up. The server is not serving
    # yet, so only the backlog can hold them.
    emu = Emulator(records=5)
    server = _Server(("127.0.0.1", 0), emu)
    assert server.request_queue_size == LISTEN_BACKLOG >= 200
    port = server.server_address[1]
    socks: list[socket.socket] = []
    sel = selectors.DefaultSelector()
    try:
        for _ in range(200):
            s = socket.socket()
            s.setblocking(False)
            s.connect_ex(("127.0.0.1", port))
            socks.append(s)
            sel.register(s, selectors.EVENT_WRITE)
        connected = set()
        for _ in range(20):  # at most 20 * 0.5 s: a connection is made in microseconds
            for key, _ in sel.select(0.5):
                if key.fileobj.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == 0:
                    connected.add(key.fileobj)
                sel.unregister(key.fileobj)
            if len(connected) == 200 or not sel.get_map():
                break
        assert len(connected) == 200
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        try:
            for s in socks:
                s.setblocking(True)
                s.settimeout(20)
                s.sendall(get(PATH + "?limit=1"))
            for s in socks:
                assert s.recv(64).startswith(b"HTTP/1.1 200 ")
        finally:
            server.shutdown()
            thread.join(10)
    finally:
        for s in socks:
            s.close()
        server.server_close()


# ------------------------------------------------------------ data files


def test_a_device_is_not_a_data_file() -> None:
    with pytest.raises(ValueError, match="not a regular file"):
        load_records("/dev/zero")
    with pytest.raises(ValueError, match="not a regular file"):
        Emulator(data="/dev/zero")


def test_a_named_pipe_is_not_a_data_file(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(ValueError, match="not a regular file"):
        load_records(fifo)  # and no wait for a writer


def test_a_folder_is_not_a_data_file(tmp_path: Path) -> None:
    with pytest.raises((ValueError, OSError)):
        load_records(tmp_path)


def test_a_data_file_past_the_cap_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": "a"}\n' * 200, encoding="utf-8")
    monkeypatch.setattr(emulator_data, "MAX_DATA_BYTES", 1000)
    with pytest.raises(ValueError, match="more than 1,000 bytes"):
        load_records(path)
    monkeypatch.setattr(emulator_data, "MAX_DATA_BYTES", 10_000)
    assert len(load_records(path)) == 200


def test_a_data_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(b'[{"id": "\xe9"}]')
    with pytest.raises(ValueError, match="not UTF-8"):
        load_records(path)


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_the_emulator_command_refuses_a_data_file_that_is_not_a_file(
    tmp_path: Path, target: str
) -> None:
    if target == "fifo":
        target = str(tmp_path / "fifo")
        os.mkfifo(target)
    out = subprocess.run(
        [sys.executable, "-m", "cqlang.cli", "emulator", "--port", "0", "--data", target],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "not a regular file" in out.stderr
    assert "Traceback" not in out.stderr
