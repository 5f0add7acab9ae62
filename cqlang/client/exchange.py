"""One page's request as urllib3 and the client both see it: its retry
budget, the deadline of the try under way, and the connections that keep it.

- :class:`Exchange`: the retry budget the page's tries share, the deadline
  of the try under way, how many tries were made and why retrying stopped
  early, and the report of each try that sent its request (:meth:`Exchange.report`,
  whichever retry loop ends it). It lives in the context variable
  :data:`EXCHANGE` while the page is fetched.
- :class:`Adapter`: requests' adapter whose connections report to the
  exchange, so that a try that outlives its deadline has its socket shut
  down (by one watchdog thread, :data:`WATCHDOG`) however slowly the server
  trickles bytes.
"""

from __future__ import annotations

import contextlib
import contextvars
import heapq
import os
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests.adapters
import urllib3.poolmanager
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool


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


@dataclass(frozen=True, slots=True)
class ExchangeReport:
    """One HTTP exchange, as ``Client(on_exchange=...)`` is told of it: the
    request's ``url``, the answer's ``status`` (0 when none came), the
    ``seconds`` it took, the ``records`` of the page (0 but for a page),
    and ``attempt``: 1 for a request's first try, 2 and on for its retries
    (of a status, of a dropped connection, of a body cut short)."""

    url: str
    status: int
    seconds: float
    records: int
    attempt: int

    @property
    def retry(self) -> bool:
        """Whether this exchange retried an earlier one."""
        return self.attempt > 1


class Exchange:
    """One page's request: its budget, the deadline of each try, the count.

    Each try (urllib3's retries included) starts when its connection
    connects or sends, and ends when the client has read the body or the
    retry logic takes over. A try still under way ``total`` seconds after
    it started has its socket shut down (by :data:`WATCHDOG`), so the read
    under way returns and fails; :attr:`expired` tells the failure was the
    deadline.

    Each try that sent its request is reported once to ``on_try`` as a
    :class:`ExchangeReport` (:meth:`report`): by urllib3's retry logic for a try it
    retries, by the client for the last one (``status`` 0: no answer came).
    """

    def __init__(
        self,
        budget: float,
        total: float,
        url: str = "",
        on_try: Callable[[ExchangeReport], None] | None = None,
    ) -> None:
        self.budget = Budget(budget)
        self.total = total
        #: The request's URL, as the client shows it.
        self.url = url
        self.on_try = on_try
        self.attempts = 0
        #: The tries reported so far (the number of the last one).
        self.exchanges = 0
        self.expired = False
        #: Why retrying stopped before the retries ran out, in words.
        self.gave_up: str | None = None
        #: When the try under way (or the last one) began, and whether it
        #: sent its request and was reported.
        self.began = 0.0
        self.sent = False
        self._reported = False
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
            self.sent = False
            self._reported = False
            self._generation += 1
            generation = self._generation
            self.began = now = time.monotonic()
        WATCHDOG.watch(now + self.total, self, generation)

    def report(self, status: int, records: int = 0) -> bool:
        """The try under way (or the last) is over with ``status`` (0: no
        answer came) and ``records``: tell ``on_try``, once per try, and
        only for a try that sent its request (a connection that could not
        be made is no exchange). Whether this try has been reported."""
        if self._reported:
            return True
        if self.attempts == 0 or (status == 0 and not self.sent):
            return False
        self._reported = True
        self.exchanges += 1
        if self.on_try is not None:
            seconds = time.monotonic() - self.began
            self.on_try(ExchangeReport(self.url, status, seconds, records, self.exchanges))
        return True

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
                    # a far deadline waits in steps: Condition.wait overflows past
                    # threading.TIMEOUT_MAX (the client bounds timeouts, but this
                    # thread must never die of one)
                    left = heap[0][0] - now if heap else None
                    self._cond.wait(None if left is None else min(left, 3600.0))
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


def _sent() -> None:
    ex = EXCHANGE.get()
    if ex is not None:
        ex.sent = True  # the request is out (connecting was part of it)


class _Connection(HTTPConnection):
    def connect(self) -> None:
        _begin(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _begin(self)
        super().request(*args, **kwargs)
        _sent()


class _TLSConnection(HTTPSConnection):
    def connect(self) -> None:
        _begin(self)
        super().connect()

    def request(self, *args: Any, **kwargs: Any) -> None:
        _begin(self)
        super().request(*args, **kwargs)
        _sent()


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
