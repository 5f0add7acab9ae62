"""Reading the client's messages from standard input, every message through
one bounded reader (:class:`_Reader`), whatever standard input is.

pygls reads stdin in a thread (each header line and each body a hop to a
thread pool, and back): on a busy loop each hop waits for the GIL, which
costs a message milliseconds (bench_lsp.py shows it side by side). Where
the event loop can watch stdin (a pipe, a socket, a terminal: what
:func:`watchable` says), it is read by the loop itself
(``connect_read_pipe``). Where it cannot (a regular file, which no
``epoll`` takes; a device such as ``/dev/null``, which Linux's ``epoll``
refuses too), a thread reads it, a hop per read as in pygls
(:class:`_ThreadedStream`); pygls's own reader is never used, since it
holds any body whole and reads any ``Content-Length``.

A message body larger than :data:`MAX_MESSAGE_BYTES` (its
``Content-Length``) is read and dropped in pieces, never held whole, and
stands as ``{"cqlangDropped": SIZE}``, which the protocol answers as an
invalid request (-32600, a null id, as for a body that is not JSON): the
largest document served (a 4 MB query file, its text escaped in JSON) fits
well within the bound. A header line is at most :data:`MAX_LINE_BYTES`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import sys
from collections.abc import Callable
from typing import Any, BinaryIO

from pygls.io_ import StdoutWriter, run_async

log = logging.getLogger("cqlang.lsp")


class _Unreadable(logging.Filter):
    """Drops pygls's traceback for a body that is not JSON (or not UTF-8):
    an expected refusal, answered -32700 and logged in one line by the
    protocol (cqlang.lsp.protocol.unreadable)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, json.JSONDecodeError | UnicodeDecodeError)


log.addFilter(_Unreadable())

#: The largest message body read (bytes).
MAX_MESSAGE_BYTES = 32 * 2**20
_PIECE = 2**20


#: The longest header line read; a longer one is read past and dropped.
MAX_LINE_BYTES = 2**20


def watchable(stream: BinaryIO) -> bool:
    """Whether the event loop can watch ``stream``: asyncio reads only a
    pipe, a socket or a character device that way, and the system's
    selector must take it (Linux's ``epoll`` refuses ``/dev/null`` and
    every regular file), which is tried here on a selector of its own."""
    import selectors

    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
        return False
    probe = selectors.DefaultSelector()
    try:
        probe.register(fd, selectors.EVENT_READ)
    except (OSError, ValueError):
        return False
    finally:
        probe.close()
    return True


class _ThreadedStream:
    """``readline`` and ``readexactly`` of :class:`asyncio.StreamReader`,
    with its bound on a line, over a file the loop cannot watch: each read
    a hop to a thread (the loop's default executor)."""

    def __init__(self, source: BinaryIO, limit: int) -> None:
        self.source = source
        self.limit = limit

    async def _read(self, read: Callable[[int], bytes], n: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(None, read, n)

    async def readline(self) -> bytes:
        """A line, or ValueError for one longer than the limit (read past
        to its end, a piece at a time, never held whole)."""
        line = await self._read(self.source.readline, self.limit + 1)
        if len(line) <= self.limit or line.endswith(b"\n"):
            return line
        while True:
            rest = await self._read(self.source.readline, _PIECE)
            if not rest or rest.endswith(b"\n"):
                raise ValueError("a line longer than the limit")

    async def readexactly(self, n: int) -> bytes:
        data = await self._read(self.source.read, n)
        if len(data) < n:
            raise asyncio.IncompleteReadError(data, n)
        return data


#: The most digits a ``Content-Length`` is read with: pygls turns the digits
#: into an int before any bound is checked, and Python refuses past 4,300
#: digits with a ValueError that would end the server.
_MAX_LENGTH_DIGITS = 15


class _Reader:
    """What pygls's message loop reads from: ``readline`` and
    ``readexactly``, on an asyncio stream (or :class:`_ThreadedStream`);
    the end of input is ``b""``."""

    def __init__(
        self,
        stream: asyncio.StreamReader | _ThreadedStream,
        refuse: Callable[[str], None] | None = None,
    ) -> None:
        self.stream = stream
        #: Answers a message refused here (-32600, a null id).
        self.refuse = refuse

    async def readline(self) -> bytes:
        try:
            line = await self.stream.readline()
        except ValueError:  # a line past the limit, dropped by the stream: not a header
            return b"X-Dropped: a line too long\r\n"
        if len(line) > 15 + _MAX_LENGTH_DIGITS and line[:15].lower() == b"content-length:":
            digits = line[15:].strip()
            if len(digits.lstrip(b"0")) > _MAX_LENGTH_DIGITS:
                log.error("cqlang lsp: a Content-Length of %d digits ignored", len(digits))
                if self.refuse is not None:
                    self.refuse(f"a Content-Length of {len(digits)} digits: not read")
                return b"X-Dropped: a Content-Length too long\r\n"
        return line

    async def readexactly(self, n: int) -> bytes:
        try:
            if n > MAX_MESSAGE_BYTES:
                return await self._drop(n)
            return await self.stream.readexactly(n)
        except asyncio.IncompleteReadError:
            return b""

    async def _drop(self, n: int) -> bytes:
        """Read past a body of ``n`` bytes, a piece at a time."""
        left = n
        while left:
            left -= len(await self.stream.readexactly(min(left, _PIECE)))
        return b'{"cqlangDropped": %d}' % n


def serve(
    server: Any,
    error_handler: Callable[..., Any],
    stdin: BinaryIO | None = None,
    stdout: BinaryIO | None = None,
) -> None:
    """Run ``server``'s message loop on stdin/stdout (or the streams
    given), every message read through :class:`_Reader`: by the loop where
    it can watch stdin, else by a thread (:func:`watchable`). The ``exit``
    notification ends it with status 0 after ``shutdown``, else 1 (raised
    as :class:`SystemExit`), as LSP says."""
    from threading import Event

    source = stdin or sys.stdin.buffer
    server._stop_event = Event()
    server.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))

    async def main() -> None:
        stream: asyncio.StreamReader | _ThreadedStream
        if watchable(source):
            loop = asyncio.get_running_loop()
            stream = asyncio.StreamReader(limit=MAX_LINE_BYTES, loop=loop)
            reading = asyncio.StreamReaderProtocol(stream)
            await loop.connect_read_pipe(lambda: reading, source)
        else:
            stream = _ThreadedStream(source, MAX_LINE_BYTES)
        await run_async(
            stop_event=server._stop_event,
            reader=_Reader(stream, getattr(server.protocol, "refuse", None)),
            protocol=server.protocol,
            logger=log,
            error_handler=error_handler,
        )

    status: Any = 0
    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("cqlang lsp: the client is gone; shutting down")
    except KeyboardInterrupt:
        pass
    except SystemExit as exc:  # `exit`: 0 after `shutdown`, else 1 (LSP)
        status = exc.code
    finally:
        server.shutdown()
    if status:
        raise SystemExit(status)
