"""The client's HTTP plumbing for one page: :class:`Transport`.

A :class:`Transport` holds the session (the client's own, or yours with the
retrying adapter mounted for the base URL alone), the headers and the key,
and GETs one page at a time: urllib3 retries 429, 5xx and connections
dropped before the answer (:mod:`.retry`); its own loop retries a body cut
short after the headers; both share the page's budget, and each try has a
deadline (:mod:`.exchange`). A page's body is read within a size cap
(:mod:`.body`) and parsed with a bound on its nesting; every failure is an
:class:`~.errors.ApiError` worded by :mod:`.words`.
"""

from __future__ import annotations

import http.client
import logging
import random
import time
import zlib
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.auth
from urllib3.exceptions import HTTPError, ReadTimeoutError

from .. import jsonlimit
from .._version import __version__
from ..recordids import RecordIdError, record_ids
from . import scrub
from .body import ACCEPT_ENCODING, BodyTooLarge, UnknownEncoding, read_body
from .errors import ApiError, ResponseFormatError, ResponseTooLargeError, TransportError
from .exchange import EXCHANGE, Adapter, Exchange, ExchangeReport
from .page import MAX_DEPTH, NotEnvelope, page_records
from .retry import BudgetRetry
from .words import ERROR_BODY_MAX, Reporter, duration, json_problem, size

if TYPE_CHECKING:
    from .connection import Connection

log = logging.getLogger("cqlang.client")
log.addHandler(logging.NullHandler())  # a library: the application decides what is shown
# While a client fetches, its secrets are scrubbed from every record logged
# here and by urllib3 (which may quote what a server sent).
scrub.install(
    "cqlang.client",
    *(f"urllib3.{m}" for m in ("connection", "connectionpool", "poolmanager", "response")),
    "urllib3.util.retry",
    "requests",
)

#: Statuses retried (after ``Retry-After`` or a backoff).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The decoded bytes a page may hold per record asked for (``limit``), by
#: default; ``Client(max_record_size=...)``, ``cqlang fetch --max-record-size``.
DEFAULT_MAX_RECORD_SIZE = 64 * 1024
#: The decoded bytes a page may hold besides its records.
PAGE_OVERHEAD = 1024 * 1024


class Transport:
    """GETs pages from ``connection``'s base URL with its key, which is
    hidden from every text shown (with a password its URL came with). The
    other arguments are :class:`~cqlang.Client`'s."""

    def __init__(
        self,
        connection: Connection,
        *,
        timeout: tuple[float, float],
        max_retries: int,
        session: requests.Session | None,
        backoff_factor: float,
        backoff_max: float,
        backoff_jitter: float,
        retry_after_max: float,
        retry_budget: float,
        max_record_size: int,
        on_request: Callable[[str, int, float, int], None] | None,
        on_exchange: Callable[[ExchangeReport], None] | None = None,
    ) -> None:
        self.timeout = timeout
        self.max_record_size = max_record_size
        self.max_retries = max_retries
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.backoff_jitter = backoff_jitter
        self.retry_budget = retry_budget
        self.on_request = on_request
        self.on_exchange = on_exchange
        self._auth = _RawKeyAuth(connection.api_key)
        retry = BudgetRetry(
            total=max_retries,
            connect=0,  # refused, unknown host, timed out: say so at once
            read=max_retries,
            status=max_retries,
            other=0,
            redirect=0,
            allowed_methods=frozenset({"GET"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_jitter,
            retry_after_max=retry_after_max,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
            budget=retry_budget,
        )
        self.own_session = session is None
        self.session = session if session is not None else requests.Session()
        host = urlsplit(connection.base_url)  # the requests' own scheme and host
        prefix = urlunsplit((host.scheme, host.netloc, "", "", "")) + "/"
        self.session.mount(prefix, Adapter(max_retries=retry))
        where = (host.hostname or "", host.port or (443 if host.scheme == "https" else 80))
        # Every text the client shows goes through its scrubber (see .scrub).
        self.reporter = Reporter(
            scrub.Scrubber(connection.secrets()), where, timeout[0], connection.api_key_source
        )
        self._headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "Content-Type": "application/json",
            "User-Agent": f"cqlang/{__version__} python-requests/{requests.__version__}",
        }

    def close(self) -> None:
        """Close the session (if the transport made it)."""
        if self.own_session:
            self.session.close()

    def get_page(self, url: str, limit: int) -> tuple[list[dict[str, Any]], list[str]]:
        """GET one page (asked with ``limit``) with retries; return its
        records and their ids."""
        ex = Exchange(self.retry_budget, self.timeout[1], url, self._log)
        token = EXCHANGE.set(ex)
        active = scrub.ACTIVE.set(self.reporter.scrub)
        try:
            return self._attempts(url, limit, ex)
        except (TransportError, ResponseFormatError) as exc:
            self.reporter.retried(exc, ex)  # how many tries it made, when more than one
            raise
        finally:
            ex.end()
            scrub.ACTIVE.reset(active)
            EXCHANGE.reset(token)

    def _attempts(
        self, url: str, limit: int, ex: Exchange
    ) -> tuple[list[dict[str, Any]], list[str]]:
        broken = 0
        format_retried = False
        while True:
            try:
                return self._attempt(url, limit, ex)
            except _Again as again:
                err = again.error
                if again.kind == "format":
                    # Not the envelope: one more try, then it is what it is.
                    if format_retried or not ex.budget.allows(0):
                        if not format_retried:
                            ex.gave_up = "the retry budget is spent"
                        raise err from None
                    format_retried = True
                    log.info("retrying %s after %s", url, again.what)
                    continue
                # A body cut short after the headers: retry within the budget.
                broken += 1
                wait = self._backoff(broken)
                if broken > self.max_retries or not ex.budget.allows(wait):
                    if broken <= self.max_retries:
                        ex.gave_up = "the retry budget is spent"
                    raise err from again.cause
                log.info("retrying %s in %s after %s", url, duration(wait), again.what)
                if wait > 0:
                    time.sleep(wait)

    def _attempt(
        self, url: str, limit: int, ex: Exchange
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """One GET (urllib3 retrying underneath) and its body. Raises
        :class:`_Again` for what the client's own loop may retry. Every try
        is reported (:meth:`Exchange.report`): those urllib3 retried by it,
        the last one here."""
        t0 = time.monotonic()
        try:
            resp = self.session.get(
                url,
                headers=self._headers,
                auth=self._auth,
                timeout=self.timeout,
                stream=True,  # the body is read here, within a cap
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            ex.end()
            if not ex.report(0):  # no request was sent: no exchange to count
                log.debug("GET %s -> failed (%.0f ms)", url, (time.monotonic() - t0) * 1000)
            if ex.expired:  # the last try ran out of time (before the headers)
                what = f"timed out: no complete answer within {duration(ex.total)}"
                raise self.reporter.transport_error(exc, url, what, plain=True) from exc
            raise self.reporter.transport_error(exc, url) from exc
        except (OSError, ValueError, HTTPError, http.client.HTTPException) as exc:
            # Before any request (a missing CA bundle), or what requests
            # does not wrap (a redirect to a URL it cannot parse): no answer.
            ex.end()
            ex.report(0)
            what = "the answer could not be read" if ex.sent else "the request could not be made"
            raise self.reporter.transport_error(exc, url, what) from exc
        status = resp.status_code
        try:
            return self._page(resp, status, url, limit, ex)
        finally:
            ex.report(status)  # a try that ended without a page (else reported already)

    def _page(
        self, resp: requests.Response, status: int, url: str, limit: int, ex: Exchange
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """The page of an answer with ``status``, or the error it is."""
        if status != 200:
            body, cut = self._read(resp, url, ex, ERROR_BODY_MAX, truncate=True)
            ex.report(status)
            raise self.reporter.status_error(status, url, resp, body, cut, ex)
        cap = PAGE_OVERHEAD + limit * self.max_record_size
        body, _ = self._read(resp, url, ex, cap)
        try:
            data = page_records(body)
        except jsonlimit.TooDeep:
            what = f"a body nested deeper than {MAX_DEPTH} levels"
            raise self.reporter.format_error(url, body, what) from None
        except jsonlimit.BadNumber as exc:  # NaN, 1e400, 5000 digits: as any JSON with a mistake
            what = f"a body with a number cqlang cannot read: {exc}"
            raise _Again("format", self.reporter.format_error(url, body, what), what) from None
        except NotEnvelope:
            what = 'a body that is not the {"data": [...]} envelope'
            raise _Again("format", self.reporter.format_error(url, body, what), what) from None
        except ValueError as exc:
            ctype = resp.headers.get("Content-Type") or "no content type"
            problem = json_problem(body, exc, ctype)
            if problem is None:  # the start of JSON: retried like a body that broke off
                what = "a JSON body cut short"
                raise _Again("body", self.reporter.format_error(url, body, what), what) from None
            error = self.reporter.format_error(url, body, problem)
            raise _Again("format", error, problem) from None
        ex.report(status, len(data))
        try:  # C-level checks when all is well (no Python code per record)
            ids = record_ids(data)
        except RecordIdError as exc:
            if exc.first is None:
                what = f"record {exc.index + 1} of the page {exc.problem}"
            else:
                what = f"a page that repeats an id (records {exc.first + 1} and {exc.index + 1})"
            raise _Again("format", self.reporter.format_error(url, body, what), what) from None
        return data, ids

    def _read(
        self,
        resp: requests.Response,
        url: str,
        ex: Exchange,
        cap: int,
        *,
        truncate: bool = False,
    ) -> tuple[bytes, bool]:
        """The decoded body, at most ``cap`` bytes: past that, the first
        ``cap`` bytes and ``True`` with ``truncate``, else
        :class:`ResponseTooLargeError`. A body that breaks off (or misses
        the deadline) raises :class:`_Again`."""
        raw = resp.raw
        done = False
        try:
            body, cut = read_body(raw, cap, truncate=truncate)
            done = not cut
            return body, cut
        except BodyTooLarge:
            raise ResponseTooLargeError(
                f"HTTP 200 from GET {url}, but the body is larger than {size(cap)} "
                f"(at most {size(self.max_record_size)} per record asked for; "
                "raise max_record_size, or --max-record-size, if the records are that big)",
                status=200,
                url=url,
            ) from None
        except UnknownEncoding as exc:
            raise self.reporter.format_error(
                url, b"", f"a body in an encoding it did not ask for ({exc})"
            ) from None
        except (HTTPError, OSError, zlib.error, http.client.HTTPException) as exc:
            expired = ex.expired
            if expired:
                what = f"timed out: no complete answer within {duration(ex.total)}"
            elif isinstance(exc, ReadTimeoutError):
                what = "timed out while reading the answer"
            elif isinstance(exc, zlib.error):
                what = "the compressed body is corrupt"
            else:
                what = "the response broke off"
            error = self.reporter.transport_error(exc, url, what, plain=True)
            raise _Again("body", error, what, exc) from None
        finally:
            ex.end()
            if done:
                raw.release_conn()  # read to the end: the connection is reusable
            else:
                resp.close()  # not drained: it could be endless

    def _backoff(self, n: int) -> float:
        """The wait before the n-th retry, as urllib3's ``Retry`` waits: none
        before the first; ``backoff_factor * 2**(n-1)`` seconds plus up to
        ``backoff_jitter`` before the n-th, at most ``backoff_max``."""
        if n <= 1:
            return 0.0
        wait = self.backoff_factor * 2 ** (n - 1) + random.random() * self.backoff_jitter
        return float(min(self.backoff_max, wait))

    def _log(self, sent: ExchangeReport) -> None:
        """One exchange is over (each try, retried or not): logged (a retry
        says which try it was), and told to ``on_request`` and
        ``on_exchange``."""
        url, status, seconds, records = sent.url, sent.status, sent.seconds, sent.records
        ms = round(seconds * 1000)
        again = f", try {sent.attempt}" if sent.retry else ""
        if status:
            noun = "record" if records == 1 else "records"
            log.debug("GET %s -> %d (%d ms, %d %s%s)", url, status, ms, records, noun, again)
        else:
            log.debug("GET %s -> no answer (%d ms%s)", url, ms, again)
        if self.on_request is not None:
            self.on_request(url, status, seconds, records)
        if self.on_exchange is not None:
            self.on_exchange(sent)


class _Secret:
    """A string that never shows itself in a ``repr`` (or ``vars()`` dump)."""

    __slots__ = ("value",)

    def __init__(self, value: str) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "<hidden>"

    __str__ = __repr__


class _RawKeyAuth(requests.auth.AuthBase):
    """The raw key in ``Authorization`` (no ``Bearer``). Being the request's
    auth also keeps a ``.netrc`` entry from replacing it."""

    def __init__(self, key: str) -> None:
        self._key = _Secret(key)

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = self._key.value
        return r

    def __repr__(self) -> str:
        return "<api key>"


class _Again(Exception):
    """A failed attempt the client's own loop may retry: ``kind`` is
    ``"body"`` (cut short: retried within the budget) or ``"format"`` (not
    the envelope: retried once)."""

    def __init__(
        self, kind: str, error: ApiError, what: str, cause: BaseException | None = None
    ) -> None:
        super().__init__(what)
        self.kind = kind
        self.error = error
        self.what = what
        self.cause = cause
