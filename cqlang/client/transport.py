"""The client's HTTP plumbing: retries within a budget, a deadline for each
exchange, and bodies read with a bound on their size.

- :class:`Exchange`: one page's request, as the client and urllib3 see it:
  the retry budget its tries share, the deadline of the try under way, how
  many tries were made and why retrying stopped early. It lives in a
  context variable while the page is fetched.
- :class:`BudgetRetry`: urllib3's ``Retry`` that gives up when the next wait
  would overrun the budget, at once when the server's ``Retry-After`` asks
  for more than the budget has left, and never retries a failure to
  connect (a refused connection, an unknown host: retrying only delays
  the error).
- :class:`Adapter`: requests' adapter whose connections report to the
  exchange, so that a try that outlives its deadline has its socket shut
  down (by one watchdog thread) however slowly the server trickles bytes.
- :func:`read_body`: the decoded body, read in a streaming way and refused
  once it passes a size cap (gzip and deflate are decoded here, counting the
  decoded bytes, with zlib's ``max_length``, so a compression bomb never
  expands past the cap).
"""

from __future__ import annotations

import contextlib
import contextvars
import email.utils
import heapq
import http.client
import logging
import os
import re
import socket
import threading
import time
import zlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests.adapters
import urllib3.exceptions
import urllib3.poolmanager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

log = logging.getLogger("cqlang.client")

#: Content encodings the client asks for and decodes itself.
ACCEPT_ENCODING = "gzip, deflate"
#: Bytes read from the wire at a time from a compressed body.
_CHUNK = 256 * 1024


# ------------------------------------------------------------------ budget


@dataclass
class Budget:
    """One page's retrying time, shared by urllib3's retries and the client's."""

    seconds: float
    started: float | None = None

    def left(self) -> float:
        """Seconds left (the clock starts at the first failure)."""
        now = time.monotonic()
        if self.started is None:
            self.started = now
        return self.seconds - (now - self.started)

    def allows(self, wait: float) -> bool:
        """Whether waiting ``wait`` seconds more stays within the budget."""
        return wait <= self.left()


class Exchange:
    """One page's request: its budget, the deadline of each try, the count.

    Each try (urllib3's retries included) starts when its connection
    connects or sends, and ends when the client has read the body or the
    retry logic takes over. A try still under way ``total`` seconds after
    it started has its socket shut down (by :data:`WATCHDOG`), so the read
    under way returns and fails; :attr:`expired` tells the failure was the
    deadline.
    """

    def __init__(self, budget: float, total: float) -> None:
        self.budget = Budget(budget)
        self.total = total
        self.attempts = 0
        self.expired = False
        #: Why retrying stopped before the retries ran out, in words.
        self.gave_up: str | None = None
        self._lock = threading.Lock()
        self._running = False
        self._conn: Any = None
        self._generation = 0

    def begin(self, conn: Any) -> None:
        """A connection connects or sends: a try starts, unless one is under way."""
        with self._lock:
            self._conn = conn
            if self._running:
                return
            self._running = True
            self.attempts += 1
            self.expired = False
            self._generation += 1
            generation = self._generation
        WATCHDOG.watch(time.monotonic() + self.total, self, generation)

    def end(self) -> None:
        """The try is over (answered, failed, or handed to the retry logic)."""
        with self._lock:
            self._running = False
            self._generation += 1
            self._conn = None

    def current(self, generation: int) -> bool:
        return generation == self._generation

    def expire(self, generation: int) -> None:
        """The deadline of try ``generation`` passed: cut its socket."""
        with self._lock:
            if generation != self._generation:
                return
            self.expired = True
            sock = getattr(self._conn, "sock", None)
        if sock is None:
            # Still connecting (or in the TLS handshake, which the connect
            # timeout bounds): cut the socket as soon as there is one.
            WATCHDOG.watch(time.monotonic() + 0.05, self, generation)
            return
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread for every deadline of the process: a heap of
    (when, exchange, try) woken by a condition. Arming a deadline costs a
    heap push, not a thread (a thread per request cost a millisecond each);
    deadlines of tries that ended are dropped when they come up."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[tuple[float, int, Exchange, int]] = []
        self._count = 0
        self._thread: threading.Thread | None = None

    def watch(self, when: float, ex: Exchange, generation: int) -> None:
        with self._cond:
            self._count += 1
            heapq.heappush(self._heap, (when, self._count, ex, generation))
            if len(self._heap) > 4096:  # mostly ended tries: keep it small
                self._heap = [e for e in self._heap if e[2].current(e[3])]
                heapq.heapify(self._heap)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="cqlang-deadlines", daemon=True
                )
                self._thread.start()
            elif self._heap[0][1] == self._count:  # the earliest now: wake up sooner
                self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    heap = self._heap
                    while heap and not heap[0][2].current(heap[0][3]):
                        heapq.heappop(heap)
                    now = time.monotonic()
                    if heap and heap[0][0] <= now:
                        _, _, ex, generation = heapq.heappop(heap)
                        break
                    self._cond.wait(heap[0][0] - now if heap else None)
            ex.expire(generation)

    def reset(self) -> None:
        """In a forked child: the parent's thread is not there."""
        self._cond = threading.Condition(threading.Lock())
        self._heap = []
        self._thread = None


WATCHDOG = _Watchdog()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=WATCHDOG.reset)


#: The exchange of the page being fetched in this context.
EXCHANGE: contextvars.ContextVar[Exchange | None] = contextvars.ContextVar(
    "cqlang_client_exchange", default=None
)


def _begin(conn: Any) -> None:
    ex = EXCHANGE.get()
    if ex is not None:
        ex.begin(conn)


class _Connection(HTTPConnection):
    def connect(self) -> None:
        _begin(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _begin(self)
        super().request(*args, **kwargs)


class _TLSConnection(HTTPSConnection):
    def connect(self) -> None:
        _begin(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _begin(self)
        super().request(*args, **kwargs)


class _Pool(HTTPConnectionPool):
    ConnectionCls = _Connection


class _TLSPool(HTTPSConnectionPool):
    ConnectionCls = _TLSConnection


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _Pool, "https": _TLSPool}


class Adapter(requests.adapters.HTTPAdapter):
    """An ``HTTPAdapter`` whose connections keep the exchange's deadline."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        # A SOCKS manager has pools of its own kind: leave those alone.
        if manager.pool_classes_by_scheme is urllib3.poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = _POOLS
        return manager


# ----------------------------------------------------------------- retries


def retry_after(value: str | None) -> float | None:
    """The seconds a ``Retry-After`` asks for (a number or an HTTP date);
    ``None`` when absent or unreadable. Not capped: a huge value stays huge."""
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(text) if len(text) < 16 else float("inf")
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


class BudgetRetry(Retry):
    """``Retry`` that gives up when the next wait would overrun the budget.

    The budget comes from the page's :class:`Exchange` or, for requests made
    outside one, is ``budget`` seconds from the first failure. The planned
    wait is computed once, in :meth:`increment`, so what is checked is what
    is slept.
    """

    def __init__(
        self,
        *args: Any,
        budget: float = 30.0,
        planned: float | None = None,
        own_budget: Budget | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.budget = budget
        self.planned = planned
        self.own_budget = own_budget

    def new(self, **kw: Any) -> BudgetRetry:
        kw.setdefault("budget", self.budget)
        kw.setdefault("own_budget", self.own_budget)
        kw.setdefault("planned", None)
        return super().new(**kw)

    def increment(
        self,
        method: str | None = None,
        url: str | None = None,
        response: BaseHTTPResponse | None = None,
        error: Exception | None = None,
        _pool: ConnectionPool | None = None,
        _stacktrace: Any = None,
    ) -> BudgetRetry:
        ex = EXCHANGE.get()
        if ex is not None:
            ex.end()  # this try is over
            if ex.expired and error is not None:  # the deadline cut it short
                error = ReadTimeoutError(
                    _pool,  # type: ignore[arg-type]
                    url or "",
                    f"no complete answer within {ex.total:g} s",
                )
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        budget = ex.budget if ex is not None else (self.own_budget or Budget(self.budget))
        new.own_budget = budget
        cause = f"status {response.status}" if response is not None else describe(error)
        asked: float | None = None
        if (
            response is not None
            and self.respect_retry_after_header
            and response.status in self.RETRY_AFTER_STATUS_CODES
        ):
            asked = retry_after(response.headers.get("Retry-After"))
        if asked is not None and not budget.allows(asked):
            # The server says it will not answer within the budget: waiting
            # part of it and failing after one more try helps nobody.
            why = (
                f"the server asked to retry after {_seconds(asked)}, "
                "more than the retry budget left"
            )
            if ex is not None:
                ex.gave_up = why
            log.info("giving up on %s after %s: %s", url, cause, why)
            raise MaxRetryError(_pool, url or "", error or ResponseError(why))  # type: ignore[arg-type]
        wait = min(asked, self.retry_after_max) if asked is not None else new.get_backoff_time()
        if not budget.allows(wait):
            if ex is not None:
                ex.gave_up = "the retry budget is spent"
            log.info("giving up on %s after %s: retry budget spent", url, cause)
            reason = error or ResponseError(f"retry budget spent ({cause})")
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        if response is not None:
            # Not drained: a hostile body could be endless. The connection
            # is closed instead, and the next try opens a new one.
            with contextlib.suppress(Exception):
                response.close()
        new.planned = wait
        log.info("retrying %s in %.2f s after %s", url, wait, cause)
        return new

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        # What increment() planned (and checked against the budget).
        if self.planned is not None:
            if self.planned > 0:
                time.sleep(self.planned)
            return
        super().sleep(response)


def _seconds(s: float) -> str:
    return "a very long time" if s == float("inf") else f"{s:g} s"


def describe(exc: BaseException | None) -> str:
    """A one-line cause in words: the innermost reason of a requests or
    urllib3 error (class names only for what has no words here)."""
    if exc is None:
        return "an unknown error"
    chain = error_chain(exc)
    for e in chain:
        if isinstance(e, http.client.IncompleteRead | urllib3.exceptions.IncompleteRead):
            got = e.partial if isinstance(e.partial, int) else len(e.partial)
            more = f", {e.expected} more expected" if e.expected is not None else ""
            return f"the connection closed after {got} bytes of the body{more}"
        if isinstance(e, http.client.RemoteDisconnected):
            return "the server closed the connection without an answer"
        if isinstance(e, ConnectionResetError):
            return "the connection was reset"
        if isinstance(e, urllib3.exceptions.InvalidChunkLength):
            return "a malformed chunk of the body"
        if isinstance(e, http.client.BadStatusLine):
            return "a malformed status line"
    cur = chain[-1]
    text = " ".join(str(cur).split())
    # urllib3 prefixes messages with the connection or pool: drop it.
    text = _OWNER.sub("", text)
    kind = type(cur).__name__
    if "timed out" in text.lower() or "timeout" in kind.lower():
        return f"timed out ({text})" if text else "timed out"
    return f"{kind}: {text}" if text else kind


_OWNER = re.compile(r"^(?:<[^>]*>|\w+\((?:host|scheme)=[^)]*\)): ")


def error_chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and what it wraps (reasons, arguments, causes), outermost first."""
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and cur not in chain and len(chain) < 16:
        chain.append(cur)
        nxt: Any = getattr(cur, "reason", None)
        if not isinstance(nxt, BaseException):
            nxt = next((a for a in cur.args if isinstance(a, BaseException)), None)
        cur = nxt or cur.__cause__ or cur.__context__
    return chain


def innermost(exc: BaseException) -> BaseException:
    """The deepest ``reason`` (or exception argument) of a wrapped error."""
    cur = exc
    for _ in range(8):
        inner: Any = getattr(cur, "reason", None)
        if not isinstance(inner, BaseException):
            inner = cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None
        if inner is None:
            break
        cur = inner
    return cur


# -------------------------------------------------------------------- body


class BodyTooLarge(Exception):
    """The decoded body passed the cap."""


class UnknownEncoding(Exception):
    """A ``Content-Encoding`` the client did not ask for."""


def read_body(raw: BaseHTTPResponse, cap: int, *, truncate: bool = False) -> tuple[bytes, bool]:
    """The body of ``raw`` (urllib3's response, not yet read), decoded, and
    whether it was cut: past ``cap`` bytes, :class:`BodyTooLarge` (or, with
    ``truncate``, the first ``cap`` bytes and ``True``). Memory stays within
    about twice the cap however the server sends it (endless, chunked,
    compressed); the rest of a body past the cap is not read."""
    encoding = (raw.headers.get("Content-Encoding") or "").strip().lower()
    parts: list[bytes] = []
    size = 0
    if encoding in ("", "identity"):
        length = _content_length(raw)
        if length is not None and length > cap and not truncate:
            raise BodyTooLarge  # said so up front: not a byte is read
        # A body of known length in one read (then EOF); of unknown length
        # (chunked, or until the connection closes) in pieces.
        step = cap + 1 if length is not None else _CHUNK * 4
        while True:
            data = raw.read(min(step, cap + 1 - size), decode_content=False)
            if not data:
                break
            parts.append(data)
            size += len(data)
            if size > cap:
                return _too_large(parts, cap, truncate)
        return (parts[0] if len(parts) == 1 else b"".join(parts)), False
    if encoding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif encoding == "deflate":
        wbits = zlib.MAX_WBITS  # zlib-wrapped; raw deflate is tried if that fails
    else:
        raise UnknownEncoding(encoding)
    dec = zlib.decompressobj(wbits)
    started = False
    while True:
        data = raw.read(_CHUNK, decode_content=False)
        if not data:
            break
        while data:
            try:
                piece = dec.decompress(data, cap + 1 - size)  # never more than fits
            except zlib.error:
                if started or wbits != zlib.MAX_WBITS:
                    raise
                wbits = -zlib.MAX_WBITS  # "deflate" sent as raw deflate
                dec = zlib.decompressobj(wbits)
                continue
            started = True
            parts.append(piece)
            size += len(piece)
            if size > cap:
                return _too_large(parts, cap, truncate)
            if dec.unconsumed_tail:
                data = dec.unconsumed_tail
            elif dec.eof and dec.unused_data and wbits == 16 + zlib.MAX_WBITS:
                data = dec.unused_data  # the next member of a multi-member gzip
                dec = zlib.decompressobj(wbits)
            else:
                data = b""
    parts.append(dec.flush())  # input all consumed: at most a few bytes left
    body = b"".join(parts)
    if len(body) > cap:
        return _too_large([body], cap, truncate)
    return body, False


def _content_length(raw: BaseHTTPResponse) -> int | None:
    value = (raw.headers.get("Content-Length") or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 19 else None


def _too_large(parts: list[bytes], cap: int, truncate: bool) -> tuple[bytes, bool]:
    if not truncate:
        raise BodyTooLarge
    return b"".join(parts)[:cap], True
