"""The HTTP client: runs a query's plan against ``GET /voice_campaign/{id}/request``.

:class:`Client` pages each request of a :class:`~cqlang.planner.Plan` with
``limit``/``offset`` until a short page, merges the branches' records by
``id``, applies the residual, and stops as soon as ``limit`` records are
delivered. It streams: one page is in memory at a time, plus the ids needed
to de-duplicate across branches.

Paging guarantee. Consecutive pages overlap by a few records (``overlap``,
default 2): each request after the first asks for ``offset - overlap`` and
checks that the first ids of the new page are the last ids of the previous
one. When records appear or close between two requests the offsets shift;
the client sees it, re-locates the last record it delivered in the new page
(stepping back a few pages if it must) and carries on from there. So every
record that matches throughout the fetch is delivered exactly once; records
created or closed during it may or may not be; and where the client cannot
re-locate, it raises :class:`ResultSetChangedError` rather than skip or
repeat a record. This rests on one assumption about the API: its order is
stable (records do not move relative to each other between requests).

Retries. A ``urllib3`` ``Retry`` on the session retries 429 and 5xx
(honouring ``Retry-After`` up to a cap, exponential backoff with jitter) and
connections dropped before the answer; the client's own loop retries a body
cut short after the headers. Both share one budget per page: retrying stops
after ``retry_budget`` seconds, and at once when ``Retry-After`` asks for
more than is left. A failure to connect (refused, host not found, timed
out) is not retried: it is reported at once, in words. 400, 401, 403 and
404 are raised at once; a 200 whose body is not the ``{"data": [...]}``
envelope is retried once, then raised.

Limits (the server is not trusted): each try, from connecting to the last
byte, has ``timeout`` seconds (a deadline, however slowly bytes trickle); a
page's decoded body may hold at most ``PAGE_OVERHEAD + limit *
max_record_size`` bytes, read in a streaming way (compressed bodies are
decoded here, counting the decoded bytes); JSON nested deeper than
``MAX_DEPTH`` levels is refused. Each ends in a typed :class:`ApiError`.

The API key travels only in the ``Authorization`` header (raw, no
``Bearer``): it is in no message, ``repr``, log line or chained exception,
in any form a server may echo it (see :mod:`cqlang.scrub`).
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.auth
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NameResolutionError,
    NewConnectionError,
    ProxyError,
    ReadTimeoutError,
)

from .. import jsonlimit
from ..encoding import base_url as base_url_of
from ..encoding import encode_json, request_path
from . import scrub
from .errors import (
    STATUS_ERRORS,
    ApiError,
    ConfigurationError,
    ErrorCause,
    ResponseFormatError,
    ResponseTooLargeError,
    ResultSetChangedError,
    ServerError,
    TransportError,
)
from .transport import (
    ACCEPT_ENCODING,
    EXCHANGE,
    Adapter,
    BodyTooLarge,
    BudgetRetry,
    Exchange,
    UnknownEncoding,
    describe,
    error_chain,
    read_body,
)

if TYPE_CHECKING:
    from ..planner import Plan
    from ..schema import Schema

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

#: The largest ``limit`` the API takes.
MAX_PAGE_SIZE = 10_000
#: Statuses retried (after ``Retry-After`` or a backoff).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_STR_ONLY = {str}
#: How much of a response body an error message quotes.
EXCERPT_CHARS = 200
#: The decoded bytes a page may hold per record asked for (``limit``), by
#: default; ``Client(max_record_size=...)``, ``cqlang fetch --max-record-size``.
DEFAULT_MAX_RECORD_SIZE = 64 * 1024
#: The decoded bytes a page may hold besides its records.
PAGE_OVERHEAD = 1024 * 1024
#: The most of an error answer's body that is read (the rest is left unread).
ERROR_BODY_MAX = 64 * 1024
#: The deepest JSON nesting accepted in a page (records are 2 levels below
#: the envelope and hold lists of objects: 5 levels in all).
MAX_DEPTH = jsonlimit.MAX_DEPTH

__all__ = ["DEFAULT_MAX_RECORD_SIZE", "MAX_PAGE_SIZE", "PAGE_OVERHEAD", "Client"]


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


# ------------------------------------------------------------------ client


class Client:
    """A client for ``GET /voice_campaign/{id}/request``.

    ``base_url`` and ``api_key`` default to the environment variables
    ``CONPEEK_URL`` and ``CONPEEK_KEY`` (the key is stripped of surrounding
    whitespace; one holding a control character is a
    :class:`ConfigurationError`). ``timeout`` is (connect, total) seconds:
    connecting may take ``connect``, and one try as a whole, from
    connecting to the last byte of the body, ``total``. A failing request is
    retried at most ``max_retries`` times and for at most ``retry_budget``
    seconds, waiting ``backoff_factor * 2**n`` seconds (plus jitter, at most
    ``backoff_max``) between tries, or what ``Retry-After`` asks up to
    ``retry_after_max``; a failure to connect is not retried. A page's body
    may hold ``max_record_size`` bytes per record asked for (plus
    :data:`PAGE_OVERHEAD`). ``session`` may be your own
    ``requests.Session``: the client mounts its retrying adapter on it for
    ``base_url`` only. ``on_request`` is called after every HTTP exchange
    with ``(url, status, seconds, records)`` (for progress displays).
    """

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | None = None,
        *,
        timeout: float | tuple[float, float] = (5, 30),
        max_retries: int = 5,
        session: requests.Session | None = None,
        backoff_factor: float = 0.5,
        backoff_max: float = 10.0,
        backoff_jitter: float = 0.5,
        retry_after_max: float = 30.0,
        retry_budget: float = 30.0,
        overlap: int = 2,
        max_relocate: int = 4,
        max_record_size: int = DEFAULT_MAX_RECORD_SIZE,
        on_request: Callable[[str, int, float, int], None] | None = None,
    ) -> None:
        base = base_url if base_url is not None else os.environ.get("CONPEEK_URL")
        raw_key = api_key if api_key is not None else os.environ.get("CONPEEK_KEY")
        if not base:
            raise ConfigurationError("no API base URL: pass base_url= or set CONPEEK_URL")
        key = _checked_key(raw_key)
        # A user:password@ in the URL is not used (the key is the auth) and
        # must not show anywhere: base_url() drops it.
        try:
            self.base_url = base_url_of(base)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        try:
            password = urlsplit(base.strip()).password
        except ValueError:
            password = None
        self._auth = _RawKeyAuth(key)
        # Every text the client shows goes through this (see cqlang.scrub).
        self._scrub = scrub.Scrubber(s for s in (key, password) if s)
        if isinstance(timeout, tuple):
            connect, total = float(timeout[0]), float(timeout[1])
        else:
            connect = total = float(timeout)
        if not (connect > 0 and total > 0):
            raise ValueError("timeout must be positive")
        self.timeout = (connect, total)
        if max_record_size < 1:
            raise ValueError("max_record_size must be >= 1")
        self.max_record_size = max_record_size
        self.max_retries = max_retries
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.backoff_jitter = backoff_jitter
        self.retry_budget = retry_budget
        self.overlap = max(1, overlap)
        self.max_relocate = max_relocate
        self.on_request = on_request
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
        self._own_session = session is None
        self.session = session if session is not None else requests.Session()
        adapter = Adapter(max_retries=retry)
        host = urlsplit(self.base_url)  # the requests' own scheme and host
        prefix = urlunsplit((host.scheme, host.netloc, "", "", "")) + "/"
        self.session.mount(prefix, adapter)
        self._where = (host.hostname or "", host.port or (443 if host.scheme == "https" else 80))
        self._headers = {
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
            "Content-Type": "application/json",
            "User-Agent": f"cqlang/{_version()} python-requests/{requests.__version__}",
        }

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key=<hidden>)"

    @classmethod
    def from_config(cls, config: Any, profile: str | None = None, **options: Any) -> Client:
        """A client for a :class:`cqlang.Config`'s connection (``profile``, or
        the one the config was loaded with): base URL and key resolved as the
        command line does, ``CONPEEK_URL``/``CONPEEK_KEY`` before the file.
        ``options`` go to the constructor (``timeout``, ``max_retries``...)."""
        from ..config import client_from_config

        client: Client = client_from_config(config, profile, **options)
        return client

    def close(self) -> None:
        """Close the session (if the client made it)."""
        if self._own_session:
            self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------- fetching

    def voice_campaign_requests(
        self,
        campaign_id: str,
        query: str = "",
        *,
        params: Mapping[str, Any] | None = None,
        tz: str | None = None,
        now: datetime | None = None,
        exclude: Sequence[str] | None = None,
        page_size: int = 1000,
        limit: int | None = None,
        plan: Plan | None = None,
        schema: Schema | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The campaign's requests that match ``query``, streamed.

        The query is planned now (a bad query raises its
        :class:`~cqlang.CqlError` here, before any request); records are
        fetched as the iterator is consumed. ``plan`` runs a plan made
        elsewhere instead of ``query``. ``exclude`` names fields the API
        should leave out (``history``, ``call_history``, ``dialogs``); a
        field that the client-side check (the plan's residual) reads is
        still fetched, and removed from each record once it is judged, so
        ``exclude`` never changes which records match and no record shows an
        excluded field. ``limit`` caps the records delivered (``None``: all).
        """
        if not isinstance(campaign_id, str) or not campaign_id:
            raise ValueError("campaign_id must be a non-empty string")
        if limit is not None and limit < 0:
            raise ValueError("limit must be >= 0")
        if page_size < 1:
            raise ValueError("page_size must be >= 1")
        if exclude is not None and not isinstance(exclude, str) and "id" in exclude:
            raise ValueError("exclude cannot hold 'id': the client pages and merges by id")
        if isinstance(exclude, str):
            raise TypeError("exclude is a list of field names, not a string")
        if plan is None:
            from ..api import plan as make_plan

            plan = make_plan(query, params=params, tz=tz, now=now, schema=schema)
        page_size = min(page_size, MAX_PAGE_SIZE)
        excl = list(dict.fromkeys(exclude)) if exclude else []
        return self._run(campaign_id, plan, excl, page_size, limit)

    def _run(
        self, campaign_id: str, plan: Plan, exclude: list[str], page_size: int, limit: int | None
    ) -> Iterator[dict[str, Any]]:
        """The records; every error leaves through here, scrubbed of secrets."""
        try:
            yield from self._records(campaign_id, plan, exclude, page_size, limit)
        except ApiError as exc:
            raise self._clean(exc) from exc.__cause__

    def _records(
        self, campaign_id: str, plan: Plan, exclude: list[str], page_size: int, limit: int | None
    ) -> Iterator[dict[str, Any]]:
        if plan.never_matches or limit == 0 or not plan.branches:
            return
        residual = plan.residual.matches if plan.residual is not None else None
        # Fields the residual reads are fetched even when excluded (else a
        # missing field would be judged as null), and dropped once judged.
        read = plan.residual.record_fields if plan.residual is not None else frozenset()
        hidden = [f for f in exclude if f in read]
        exclude = [f for f in exclude if f not in read]
        branches = plan.branches
        seen: set[str] | None = set() if len(branches) > 1 else None
        delivered = 0

        def want() -> int | None:
            # How many more records to ask for, when it is knowable.
            if limit is None or residual is not None:
                return None
            return limit - delivered

        base = f"{self.base_url}{request_path(campaign_id)}?"
        tail = f"&exclude={encode_json(exclude)}" if exclude else ""
        for n, filters in enumerate(branches):
            last = n == len(branches) - 1
            extra = f"&filter={encode_json(filters)}" if filters else ""
            for fresh, ids in self._pages(base, extra + tail, page_size, want):
                if seen is None and residual is None:
                    # The hot path: whole pages, no per-record work.
                    if limit is not None and delivered + len(fresh) >= limit:
                        yield from fresh[: limit - delivered]
                        return
                    delivered += len(fresh)
                    yield from fresh
                    fresh, ids = [], []  # let the page go before the next is parsed
                    continue
                for rec, rid in zip(fresh, ids, strict=True):
                    if seen is not None:
                        if rid in seen:
                            continue
                        if not last:
                            seen.add(rid)
                    if residual is not None and not residual(rec):
                        continue
                    for name in hidden:
                        rec.pop(name, None)
                    yield rec
                    delivered += 1
                    if limit is not None and delivered >= limit:
                        return

    def _pages(
        self, base: str, params: str, page_size: int, want: Callable[[], int | None]
    ) -> Iterator[tuple[list[dict[str, Any]], list[str]]]:
        """One request's pages: the records not seen before, and their ids."""
        k = self.overlap
        pos = 0  # the offset just past the last page, in the server's numbering now
        prev: list[str] | None = None  # the last page's ids
        # Records delivered but not found again when re-locating: they may
        # still lie ahead (behind records created meanwhile), so they are
        # skipped if they turn up. Empty unless the results moved.
        pending: set[str] = set()
        stalls = 0  # pages in a row that brought nothing new
        moved = False  # have the results moved under the pages?
        while True:
            need = want()
            off = 0 if prev is None else max(0, pos - k)
            ov = pos - off
            # Ask for just the records still missing (under a limit), unless
            # the results are moving: a small window cannot absorb a shift.
            size = page_size if need is None or moved else max(1, min(page_size, need))
            lim = min(MAX_PAGE_SIZE, size + ov)
            data, ids = self._get_page(base, params, off, lim)
            start = 0
            if prev is not None:
                if ov and ids[:ov] == prev[-ov:]:
                    start = ov
                else:
                    data, ids, off, start, lim, anchor = self._relocate(
                        base, params, prev, off, lim, data, ids
                    )
                    pending.update(prev[anchor + 1 :])
                    moved = True
            pos = off + len(data)
            short = len(data) < lim
            fresh = data[start:] if start else data
            fresh_ids = ids[start:] if start else ids
            data = []  # hold one page at a time: the consumer has it now
            if pending and fresh:
                keep = [j for j, rid in enumerate(fresh_ids) if rid not in pending]
                pending.difference_update(ids)
                fresh = [fresh[j] for j in keep]
                fresh_ids = [fresh_ids[j] for j in keep]
            if fresh:
                stalls = 0
                yield fresh, fresh_ids
                fresh, fresh_ids = [], []
            else:
                stalls += 1
                if stalls > self.max_relocate + 2:
                    raise ResultSetChangedError(
                        "the results keep moving under the pages; fetch again "
                        f"({self._url(base, params)})",
                        url=self._url(base, params),
                    )
            if short:
                return
            prev = ids

    def _relocate(
        self,
        base: str,
        params: str,
        prev: list[str],
        off: int,
        lim: int,
        data: list[dict[str, Any]],
        ids: list[str],
    ) -> tuple[list[dict[str, Any]], list[str], int, int, int, int]:
        """Find where the last page's records went after the results moved.

        The anchor is the last record of the previous page that is still
        there; what follows it is new to us. Returns the page to carry on
        from: its records, ids, offset, the index of its first record after
        the anchor, the limit it was asked with, and the anchor's index in
        the previous page.
        """
        index = {rid: i for i, rid in enumerate(prev)}
        for attempt in range(self.max_relocate + 1):
            best, at = -1, -1
            for j, rid in enumerate(ids):
                i = index.get(rid, -1)
                if i > best:
                    best, at = i, j
            if at >= 0:
                if any(rid in index for rid in ids[at + 1 :]):
                    raise ResultSetChangedError(
                        f"the results changed order while paging ({self._url(base, params)})",
                        url=self._url(base, params),
                    )
                log.warning(
                    "results moved while paging (offset %d): re-located after %d record(s)",
                    off,
                    at + 1,
                )
                return data, ids, off, at + 1, lim, best
            if off == 0 or attempt == self.max_relocate:
                break
            # None of the last page is here: the results shrank past it. Step back.
            off = max(0, off - (lim - 1))
            data, ids = self._get_page(base, params, off, lim)
        raise ResultSetChangedError(
            "the results changed while paging and the last page's records could not be "
            f"found again; fetch again ({self._url(base, params)})",
            url=self._url(base, params),
        )

    # ------------------------------------------------------------ one page

    def _url(self, base: str, params: str) -> str:
        return (base + params.lstrip("&")).rstrip("?")

    def _get_page(
        self, base: str, params: str, offset: int, limit: int
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """GET one page with retries; return its records and their ids."""
        url = f"{base}limit={limit}&offset={offset}{params}"
        ex = Exchange(self.retry_budget, self.timeout[1])
        token = EXCHANGE.set(ex)
        active = scrub.ACTIVE.set(self._scrub)
        try:
            return self._attempts(url, limit, ex)
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
                        raise err from None
                    format_retried = True
                    log.info("retrying %s after %s", url, again.what)
                    continue
                # A body cut short after the headers: retry within the budget.
                broken += 1
                wait = self._backoff(broken)
                if broken > self.max_retries or not ex.budget.allows(wait):
                    raise err from again.cause
                log.info("retrying %s in %.2f s after %s", url, wait, again.what)
                if wait > 0:
                    time.sleep(wait)

    def _attempt(
        self, url: str, limit: int, ex: Exchange
    ) -> tuple[list[dict[str, Any]], list[str]]:
        """One GET (urllib3 retrying underneath) and its body. Raises
        :class:`_Again` for what the client's own loop may retry."""
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
            log.debug("GET %s -> failed (%.0f ms)", url, (time.monotonic() - t0) * 1000)
            if ex.expired:  # the last try ran out of time (before the headers)
                what = f"timed out: no complete answer within {ex.total:g} s"
                raise self._transport_error(exc, url, what, plain=True) from exc
            raise self._transport_error(exc, url) from exc
        except (OSError, ValueError, HTTPError) as exc:
            # Before any request (a missing CA bundle), or what requests
            # does not wrap: no answer.
            ex.end()
            raise self._transport_error(exc, url, "the request could not be made") from exc
        status = resp.status_code
        if status != 200:
            body, cut = self._read(resp, url, ex, ERROR_BODY_MAX, truncate=True)
            self._log(url, status, time.monotonic() - t0, 0)
            raise self._status_error(status, url, resp, body, cut, ex)
        cap = PAGE_OVERHEAD + limit * self.max_record_size
        body, _ = self._read(resp, url, ex, cap)
        elapsed = time.monotonic() - t0
        try:
            doc = jsonlimit.loads(body, MAX_DEPTH)
        except jsonlimit.TooDeep:
            self._log(url, status, elapsed, 0)
            what = f"a body nested deeper than {MAX_DEPTH} levels"
            raise self._format_error(url, body, what) from None
        except ValueError:
            self._log(url, status, elapsed, 0)
            if _looks_cut(body):
                what = "a JSON body cut short"
                raise _Again("body", self._format_error(url, body, what), what) from None
            ctype = resp.headers.get("Content-Type") or "no content type"
            what = f"a body that is not JSON ({ctype})"
            raise _Again("format", self._format_error(url, body, what), what) from None
        data = doc.get("data") if isinstance(doc, dict) else None
        if not isinstance(data, list):
            self._log(url, status, elapsed, 0)
            what = 'a body that is not the {"data": [...]} envelope'
            raise _Again("format", self._format_error(url, body, what), what)
        self._log(url, status, elapsed, len(data))
        try:
            ids = [r["id"] for r in data]
        except (KeyError, TypeError, IndexError):
            ids = None
        # C-level checks (no Python code per record): every id a str, no repeats.
        if ids is None or (ids and set(map(type, ids)) != _STR_ONLY):
            what = "a record without a string id"
            raise _Again("format", self._format_error(url, body, what), what)
        if len(set(ids)) != len(ids):
            what = "a page that repeats an id"
            raise _Again("format", self._format_error(url, body, what), what)
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
                f"HTTP 200 from GET {url}, but the body is larger than {_size(cap)} "
                f"(at most {_size(self.max_record_size)} per record asked for; "
                "raise max_record_size, or --max-record-size, if the records are that big)",
                status=200,
                url=url,
            ) from None
        except UnknownEncoding as exc:
            raise self._format_error(
                url, b"", f"a body in an encoding it did not ask for ({exc})"
            ) from None
        except (HTTPError, OSError, zlib.error) as exc:
            expired = ex.expired
            if expired:
                what = f"timed out: no complete answer within {ex.total:g} s"
            elif isinstance(exc, ReadTimeoutError):
                what = "timed out while reading the answer"
            elif isinstance(exc, zlib.error):
                what = "the compressed body is corrupt"
            else:
                what = "the response broke off"
            log.debug("GET %s -> body: %s", url, what)
            error = self._transport_error(exc, url, what, plain=True)
            raise _Again("body", error, what, exc) from None
        finally:
            ex.end()
            if done:
                raw.release_conn()  # read to the end: the connection is reusable
            else:
                resp.close()  # not drained: it could be endless

    def _backoff(self, n: int) -> float:
        if n <= 1:
            return 0.0
        wait = self.backoff_factor * 2 ** (n - 1) + random.random() * self.backoff_jitter
        return float(min(self.backoff_max, wait))

    def _log(self, url: str, status: int, seconds: float, records: int) -> None:
        noun = "record" if records == 1 else "records"
        log.debug("GET %s -> %d (%.0f ms, %d %s)", url, status, seconds * 1000, records, noun)
        if self.on_request is not None:
            self.on_request(url, status, seconds, records)

    # --------------------------------------------------------------- errors

    def _quote(self, body: bytes, cut: bool = False) -> str:
        """A short excerpt of a body for a message: secrets hidden before it
        is cut short, so that no prefix of one survives the cut."""
        window = body[:ERROR_BODY_MAX]
        text = window.decode("utf-8", "replace")
        return scrub.excerpt(text, self._scrub, EXCERPT_CHARS, cut=cut or len(body) > len(window))

    def _status_error(
        self,
        status: int,
        url: str,
        resp: requests.Response,
        body: bytes,
        cut: bool,
        ex: Exchange,
    ) -> ApiError:
        excerpt = self._quote(body, cut)
        cls = STATUS_ERRORS.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else ApiError
        reason = scrub.excerpt(resp.reason or "", self._scrub, EXCERPT_CHARS)
        head = f"HTTP {status}{' ' + reason if reason else ''} from GET {url}"
        tries = ""
        if ex.attempts > 1:
            tries = f", still after {ex.attempts} tries"
        if ex.gave_up:
            tries += f" ({ex.gave_up}; not retried further)" if tries else f" ({ex.gave_up})"
        if status == 400:
            said = _server_message(body, self._scrub) or excerpt
            message = f"{head}: the API refused the request: {said}"
        elif status in (401, 403):
            where = "check CONPEEK_KEY, or api_key in the config"
            message = f"{head}: the API key was refused ({where}); body: {excerpt}"
        elif status == 404:
            message = f"{head}: no such campaign or endpoint; body: {excerpt}"
        elif 300 <= status < 400:
            to = scrub.excerpt(resp.headers.get("Location") or "", self._scrub, EXCERPT_CHARS)
            message = (
                f"{head}: the API answers with a redirect"
                f"{' to ' + to if to else ''}, which the client does not follow "
                "(check the base URL)"
            )
        else:
            message = f"{head}{tries}; body: {excerpt}"
        return cls(message, status=status, url=url, body=excerpt)

    def _format_error(self, url: str, body: bytes, what: str) -> ResponseFormatError:
        excerpt = self._quote(body)
        return ResponseFormatError(
            f"HTTP 200 from GET {url}, but {what}; body: {excerpt}",
            status=200,
            url=url,
            body=excerpt,
        )

    def _transport_error(
        self,
        exc: BaseException,
        url: str,
        what: str = "the request failed",
        *,
        plain: bool = False,
    ) -> TransportError:
        """A failure without an answer, in words. ``plain``: ``what`` says
        it all (the cause only follows when it adds something)."""
        failed = None if plain else _connect_failure(exc, self.timeout[0])
        if failed is not None:
            host, port = self._where
            message = f"cannot connect to {host} port {port}: {failed} (GET {url})"
            return TransportError(message, url=url)
        cause = describe(exc)
        if plain and ("timed out" in what or cause == "timed out"):
            return TransportError(f"GET {url}: {what}", url=url)
        return TransportError(f"GET {url}: {what}: {cause}", url=url)

    def _clean(self, exc: ApiError) -> ApiError:
        """``exc`` with every secret hidden, in every form: its message,
        body, URL and the chain it came from (replaced with text, as the
        original exceptions hold the request and its headers)."""
        s = self._scrub
        exc.message = s(exc.message)
        exc.args = tuple(s(a) if isinstance(a, str) else a for a in exc.args)
        exc.body = s(exc.body)
        exc.url = s(exc.url)
        cause = exc.__cause__
        if cause is not None and not isinstance(cause, ErrorCause):
            kind = type(cause)
            text = " ".join(str(cause).split())
            exc.__cause__ = ErrorCause(f"{kind.__module__}.{kind.__qualname__}: {s(text)}")
        exc.__context__ = None
        exc.__suppress_context__ = True
        return exc


# ------------------------------------------------------------------ helpers


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


def _version() -> str:
    from .. import __version__

    return __version__


def _checked_key(key: str | None) -> str:
    """The key stripped of surrounding whitespace, or a
    :class:`ConfigurationError` that does not show it."""
    key = (key or "").strip()
    if not key:
        raise ConfigurationError("no API key: pass api_key= or set CONPEEK_KEY")
    for n, c in enumerate(key, 1):
        if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"):
            raise ConfigurationError(
                f"the API key holds a control character (U+{ord(c):04X}, character {n} "
                f"of {len(key)}), which cannot be sent in a header: check CONPEEK_KEY or "
                "api_key in the config (a key file saved with Windows line ends?)"
            )
        if not c.isascii():
            raise ConfigurationError(
                f"the API key holds a character that is not ASCII (character {n} of "
                f"{len(key)}), which cannot be sent in a header: check CONPEEK_KEY or "
                "api_key in the config"
            )
    return key


def _looks_cut(body: bytes) -> bool:
    """Whether a body that is not valid JSON looks like JSON cut short."""
    head = body.lstrip()[:1]
    return head in (b"{", b"[")


def _connect_failure(exc: BaseException, connect_timeout: float) -> str | None:
    """Why a connection could not be made, in words (``None``: it was made,
    or a proxy stood in the way)."""
    chain = error_chain(exc)
    if any(isinstance(e, ProxyError) for e in chain):
        return None
    if any(isinstance(e, NameResolutionError | socket.gaierror) for e in chain):
        return "host not found"
    if any(isinstance(e, ConnectionRefusedError) for e in chain):
        return "connection refused"
    for e in chain:
        if isinstance(e, NewConnectionError):
            os_error = next((x for x in chain if isinstance(x, OSError) and x.strerror), None)
            if os_error is not None and os_error.strerror:
                text = os_error.strerror
                return text[:1].lower() + text[1:]
            if "timed out" in str(e).lower():
                return f"timed out connecting (after {connect_timeout:g} s)"
            return "the connection could not be made"
    if any(isinstance(e, ConnectTimeoutError) for e in chain):
        return f"timed out connecting (after {connect_timeout:g} s)"
    return None


def _size(n: int) -> str:
    """A byte count in words: ``64 KiB``, ``65.0 MiB``."""
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MiB"
    if n >= 1024:
        return f"{n / 1024:.0f} KiB"
    return f"{n} bytes"


def _server_message(body: bytes, scrubber: scrub.Scrubber) -> str:
    """The API's own message from a JSON error body (scrubbed, then cut
    short), else the empty string."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    if isinstance(doc, dict):
        for key in ("error", "message", "detail", "errors"):
            value = doc.get(key)
            if isinstance(value, str) and value:
                return scrub.excerpt(value, scrubber, EXCERPT_CHARS)
    return ""
