"""A small misbehaving HTTP server for tests: loopback, threads, bounded.

Each connection is served by a thread that reads requests (request line and
headers, at most 64 KiB) and hands each one to the test's ``handler(conn,
request)``, which writes whatever raw bytes it likes and returns whether to
keep the connection for another request. Handlers that stream must bound
themselves (a count of bytes or chunks, a time), and stop when the client
goes away (a send fails). ``stop()`` closes everything.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Request:
    method: str
    target: str
    headers: dict[str, str]
    number: int


Handler = Callable[[socket.socket, Request], bool]


@dataclass
class Hostile:
    handler: Handler
    requests: list[Request] = field(default_factory=list)
    #: Bytes of body the handlers reported sending (see ``sent``).
    body_bytes: int = 0
    #: Set when a handler saw the client go away.
    client_left: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0), backlog=64)
        self._conns: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True, name="hostile")
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with self._lock:
                self._conns.add(conn)
            threading.Thread(target=self._one, args=(conn,), daemon=True).start()

    def _one(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        buf = b""
        try:
            for _ in range(100):  # requests on one connection
                while b"\r\n\r\n" not in buf:
                    data = conn.recv(65536)
                    if not data or len(buf) > 65536:
                        return
                    buf += data
                head, buf = buf.split(b"\r\n\r\n", 1)
                line, *rest = head.decode("latin-1").split("\r\n")
                method, target, _ = [*line.split(" ", 2), "", ""][:3]
                headers = {}
                for h in rest:
                    name, _, value = h.partition(":")
                    headers[name.strip().lower()] = value.strip()
                with self._lock:
                    req = Request(method, target, headers, len(self.requests) + 1)
                    self.requests.append(req)
                if not self.handler(conn, req):
                    return
        except OSError:
            self.client_left.set()
        finally:
            with self._lock:
                self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def sent(self, n: int) -> None:
        with self._lock:
            self.body_bytes += n

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() under way
        with contextlib.suppress(OSError):
            self._sock.close()
        with self._lock:
            conns = list(self._conns)
        for c in conns:
            with contextlib.suppress(OSError):
                c.shutdown(socket.SHUT_RDWR)
        self._thread.join(5)

    def __enter__(self) -> Hostile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def head(
    status: int = 200,
    reason: str = "OK",
    headers: dict[str, str] | None = None,
    length: int | None = None,
) -> bytes:
    """A status line and headers (``length``: a Content-Length)."""
    lines = [f"HTTP/1.1 {status} {reason}"]
    hs = dict(headers or {})
    if length is not None:
        hs.setdefault("Content-Length", str(length))
    hs.setdefault("Content-Type", "application/json")
    lines += [f"{k}: {v}" for k, v in hs.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer(
    status: int, body: bytes, reason: str = "", headers: dict[str, str] | None = None
) -> Handler:
    """A handler that answers every request with this status and body."""
    from http import HTTPStatus

    why = reason or (HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "X")

    def handler(conn: socket.socket, req: Request) -> bool:
        conn.sendall(head(status, why, headers, len(body)) + body)
        return True

    return handler


def paged(records: list[dict[str, Any]], cap: int | None = None) -> Handler:
    """A handler that pages ``records`` by the request's ``offset`` and
    ``limit`` (at most ``cap`` a page, when given), as the API does."""
    import json
    from urllib.parse import parse_qs, urlsplit

    def handler(conn: socket.socket, req: Request) -> bool:
        query = parse_qs(urlsplit(req.target).query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        if cap is not None:
            limit = min(limit, cap)
        body = json.dumps({"data": records[offset : offset + limit]}).encode()
        conn.sendall(head(200, "OK", None, len(body)) + body)
        return True

    return handler


def chunked(conn: socket.socket, data: bytes) -> None:
    conn.sendall(b"%x\r\n%s\r\n" % (len(data), data))


def stream(
    server: Hostile, conn: socket.socket, pieces: Iterator[bytes], *, seconds: float = 60
) -> None:
    """Send chunks (already framed) until the client leaves, the pieces run
    out or ``seconds`` pass."""
    end = time.monotonic() + seconds
    try:
        for piece in pieces:
            if time.monotonic() > end:
                return
            conn.sendall(piece)
            server.sent(len(piece))
    except OSError:
        server.client_left.set()
