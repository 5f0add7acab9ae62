"""Reading the client's messages from standard input on the event loop.

pygls reads stdin in a thread (each header line and each body a hop to a
thread pool, and back): on a busy loop each hop waits for the GIL, which
costs a message milliseconds (bench_lsp.py shows it side by side). Where
stdin is a pipe, a socket or a terminal, it is read here by the loop
itself (``connect_read_pipe``); otherwise (a regular file) pygls's way.

A message body larger than :data:`MAX_MESSAGE_BYTES` (its
``Content-Length``) is read and dropped in pieces, never held whole, and
stands as ``{"cqlangDropped": SIZE}``, which the protocol answers as an
invalid request (-32600, a null id, as for a body that is not JSON): the
largest document served (a 4 MB query file, its text escaped in JSON) fits
well within the bound.
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


def pollable(stream: BinaryIO) -> bool:
    """Whether the loop can watch ``stream`` (a pipe, socket or terminal)."""
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)


#: The most digits a ``Content-Length`` is read with: pygls turns the digits
#: into an int before any bound is checked, and Python refuses past 4,300
#: digits with a ValueError that would end the server.
_MAX_LENGTH_DIGITS = 15


class _Reader:
    """What pygls's message loop reads from: ``readline`` and
    ``readexactly``, on an asyncio stream; the end of input is ``b""``."""

    def __init__(
        self, stream: asyncio.StreamReader, refuse: Callable[[str], None] | None = None
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


def serve(server: Any, error_handler: Callable[..., Any], stdin: BinaryIO | None = None) -> None:
    """Run ``server``'s message loop on stdin/stdout, stdin read by the loop."""
    from threading import Event

    source = stdin or sys.stdin.buffer
    server._stop_event = Event()
    server.protocol.set_writer(StdoutWriter(sys.stdout.buffer))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        stream = asyncio.StreamReader(limit=1 << 20, loop=loop)
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(stream), source)
        await run_async(
            stop_event=server._stop_event,
            reader=_Reader(stream, getattr(server.protocol, "refuse", None)),
            protocol=server.protocol,
            logger=log,
            error_handler=error_handler,
        )

    try:
        asyncio.run(main())
    except BrokenPipeError:
        log.error("cqlang lsp: the client is gone; shutting down")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
