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

Retries. A ``urllib3`` ``Retry`` on the session retries connection errors,
429 and 5xx (honouring ``Retry-After`` up to a cap, exponential backoff with
jitter); the client's own loop retries a body cut short after the headers.
Both share one budget per page: retrying stops after ``retry_budget``
seconds. 400, 401, 403 and 404 are raised at once; a 200 whose body is not
the ``{"data": [...]}`` envelope is retried once, then raised.

The API key travels only in the ``Authorization`` header (raw, no
``Bearer``): it is in no message, ``repr``, log line or chained exception.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
import random
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import requests
import requests.adapters
import requests.auth
from urllib3.exceptions import (
    InvalidHeader,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
    ResponseError,
)
from urllib3.util.retry import Retry

from .encoding import base_url as base_url_of
from .encoding import encode_json, request_path
from .errors import (
    ApiError,
    AuthError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    RateLimitError,
    ResponseFormatError,
    ResultSetChangedError,
    ServerError,
    TransportError,
)

if TYPE_CHECKING:
    from urllib3.connectionpool import ConnectionPool
    from urllib3.response import BaseHTTPResponse

    from .planner import Plan
    from .schema import Schema

log = logging.getLogger("cqlang.client")
log.addHandler(logging.NullHandler())  # a library: the application decides what is shown

#: The largest ``limit`` the API takes.
MAX_PAGE_SIZE = 10_000
#: Statuses retried (after ``Retry-After`` or a backoff).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_STR_ONLY = {str}
#: How much of a response body an error message quotes.
EXCERPT_CHARS = 200

__all__ = [
    "MAX_PAGE_SIZE",
    "ApiError",
    "AuthError",
    "BadRequestError",
    "Client",
    "ConfigurationError",
    "NotFoundError",
    "RateLimitError",
    "ResponseFormatError",
    "ResultSetChangedError",
    "ServerError",
    "TransportError",
]


# ------------------------------------------------------------------ errors


# The API errors live in cqlang.errors (under the one root, CqlError) and
# are re-exported here; ConfigurationError (no base URL or key) is a
# ConfigError there, not an ApiError.


_STATUS_ERRORS: dict[int, type[ApiError]] = {
    400: BadRequestError,
    401: AuthError,
    403: AuthError,
    404: NotFoundError,
    429: RateLimitError,
}


# ------------------------------------------------------------------ budget


@dataclass
class _Budget:
    """One page's retrying time, shared by urllib3's retries and ours."""

    seconds: float
    started: float | None = None

    def allows(self, wait: float) -> bool:
        """Whether waiting ``wait`` seconds more stays within the budget
        (the clock starts at the first failure)."""
        now = time.monotonic()
        if self.started is None:
            self.started = now
        return now + wait - self.started <= self.seconds


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar(
    "cqlang_client_budget", default=None
)


class _BudgetRetry(Retry):
    """``Retry`` that gives up when the next wait would overrun the budget.

    The budget comes from the client (per page, through a context variable)
    or, for requests made outside it, is ``budget`` seconds from the first
    failure. The planned wait is computed once, in :meth:`increment`, so
    what is checked is what is slept.
    """

    def __init__(
        self,
        *args: Any,
        budget: float = 30.0,
        planned: float | None = None,
        own_budget: _Budget | None = None,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.budget = budget
        self.planned = planned
        self.own_budget = own_budget

    def new(self, **kw: Any) -> _BudgetRetry:
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
    ) -> _BudgetRetry:
        new = super().increment(method, url, response, error, _pool, _stacktrace)
        budget = _BUDGET.get() or self.own_budget or _Budget(self.budget)
        new.own_budget = budget
        wait: float | None = None
        if (
            response is not None
            and self.respect_retry_after_header
            and response.status in self.RETRY_AFTER_STATUS_CODES
        ):
            try:
                wait = new.get_retry_after(response)
            except InvalidHeader:  # "Retry-After: soon": fall back to the backoff
                wait = None
        if wait is None:
            wait = new.get_backoff_time()
        cause = f"status {response.status}" if response is not None else _describe(error)
        if not budget.allows(wait):
            log.info("giving up on %s after %s: retry budget spent", url, cause)
            reason = error or ResponseError(f"retry budget spent ({cause})")
            raise MaxRetryError(_pool, url or "", reason)  # type: ignore[arg-type]
        new.planned = wait
        log.info("retrying %s in %.2f s after %s", url, wait, cause)
        return new

    def sleep(self, response: BaseHTTPResponse | None = None) -> None:
        # What increment() planned (and checked against the budget); urllib3
        # would otherwise parse Retry-After again, and could not do better.
        if self.planned is not None:
            if self.planned > 0:
                time.sleep(self.planned)
            return
        super().sleep(response)


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
    ``CONPEEK_URL`` and ``CONPEEK_KEY``. ``timeout`` is (connect, read)
    seconds. A failing request is retried at most ``max_retries`` times and
    for at most ``retry_budget`` seconds, waiting ``backoff_factor * 2**n``
    seconds (plus jitter, at most ``backoff_max``) between tries, or what
    ``Retry-After`` asks up to ``retry_after_max``. ``session`` may be your
    own ``requests.Session``: the client mounts its retrying adapter on it for
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
        on_request: Callable[[str, int, float, int], None] | None = None,
    ) -> None:
        base = base_url if base_url is not None else os.environ.get("CONPEEK_URL")
        key = api_key if api_key is not None else os.environ.get("CONPEEK_KEY")
        if not base:
            raise ConfigurationError("no API base URL: pass base_url= or set CONPEEK_URL")
        if not key:
            raise ConfigurationError("no API key: pass api_key= or set CONPEEK_KEY")
        # A user:password@ in the URL is not used (the key is the auth) and
        # must not show anywhere: base_url() drops it.
        try:
            self.base_url = base_url_of(base)
        except ValueError as exc:
            raise ConfigurationError(str(exc)) from None
        password = urlsplit(base.strip()).password
        self._auth = _RawKeyAuth(key)
        # scrubbed from every message
        self._secrets = tuple(_Secret(s) for s in (key, password) if s and len(s) >= 4)
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff_factor = backoff_factor
        self.backoff_max = backoff_max
        self.backoff_jitter = backoff_jitter
        self.retry_budget = retry_budget
        self.overlap = max(1, overlap)
        self.max_relocate = max_relocate
        self.on_request = on_request
        retry = _BudgetRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            redirect=5,
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
        adapter = requests.adapters.HTTPAdapter(max_retries=retry)
        host = urlsplit(self.base_url)  # the requests' own scheme and host
        prefix = urlunsplit((host.scheme, host.netloc, "", "", "")) + "/"
        self.session.mount(prefix, adapter)
        self._headers = {
            "Accept": "application/json",
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
        from .config import client_from_config

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
            from .api import plan as make_plan

            plan = make_plan(query, params=params, tz=tz, now=now, schema=schema)
        page_size = min(page_size, MAX_PAGE_SIZE)
        excl = list(dict.fromkeys(exclude)) if exclude else []
        return self._run(campaign_id, plan, excl, page_size, limit)

    def _run(
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
        token = _BUDGET.set(_Budget(self.retry_budget))
        try:
            return self._attempts(url)
        finally:
            _BUDGET.reset(token)

    def _attempts(self, url: str) -> tuple[list[dict[str, Any]], list[str]]:
        budget = _BUDGET.get()
        assert budget is not None
        broken = 0
        format_retried = False
        while True:
            try:
                return self._attempt(url)
            except _Again as again:
                err = again.error
                if again.kind == "format":
                    # Not the envelope: one more try, then it is what it is.
                    if format_retried or not budget.allows(0):
                        raise err from None
                    format_retried = True
                    log.info("retrying %s after %s", url, again.what)
                    continue
                # A body cut short after the headers: retry within the budget.
                broken += 1
                wait = self._backoff(broken)
                if broken > self.max_retries or not budget.allows(wait):
                    raise err from again.cause
                log.info("retrying %s in %.2f s after %s", url, wait, again.what)
                if wait > 0:
                    time.sleep(wait)

    def _attempt(self, url: str) -> tuple[list[dict[str, Any]], list[str]]:
        """One GET (urllib3 retrying underneath). Raises :class:`_Again` for
        what the client's own loop may retry."""
        t0 = time.monotonic()
        try:
            resp = self.session.get(
                url, headers=self._headers, auth=self._auth, timeout=self.timeout
            )
        except requests.RequestException as exc:
            elapsed = time.monotonic() - t0
            if _body_broke(exc):
                log.debug("GET %s -> body broke off (%.0f ms)", url, elapsed * 1000)
                what = "the response broke off"
                error = self._transport_error(exc, url, what)
                raise _Again("body", error, what, _scrubbed(exc)) from None
            log.debug("GET %s -> failed (%.0f ms)", url, elapsed * 1000)
            raise self._transport_error(exc, url) from _scrubbed(exc)
        except OSError as exc:  # raised before any request: e.g. a missing CA bundle
            raise self._transport_error(exc, url, "the request could not be made") from None
        elapsed = time.monotonic() - t0
        status = resp.status_code
        body = resp.content
        if status != 200:
            self._log(url, status, elapsed, 0)
            raise self._status_error(status, url, resp)
        try:
            doc = json.loads(body)
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

    def _scrub(self, text: str) -> str:
        for s in self._secrets:
            text = text.replace(s.value, "<hidden>")
        return text

    def _excerpt(self, body: bytes) -> str:
        text = body[: EXCERPT_CHARS * 4].decode("utf-8", "replace")
        text = " ".join(text.split())
        if len(text) > EXCERPT_CHARS:
            text = text[: EXCERPT_CHARS - 1] + "…"
        return self._scrub(text)

    def _status_error(self, status: int, url: str, resp: requests.Response) -> ApiError:
        body = resp.content
        excerpt = self._excerpt(body)
        cls = _STATUS_ERRORS.get(status)
        if cls is None:
            cls = ServerError if status >= 500 else ApiError
        reason = self._scrub(resp.reason or "")
        head = f"HTTP {status}{' ' + reason if reason else ''} from GET {url}"
        if status == 400:
            message = f"{head}: the API refused the request: {_server_message(body, excerpt)}"
        elif status in (401, 403):
            where = "check CONPEEK_KEY, or api_key in the config"
            message = f"{head}: the API key was refused ({where}); body: {excerpt}"
        elif status == 404:
            message = f"{head}: no such campaign or endpoint; body: {excerpt}"
        elif status in RETRY_STATUSES:
            message = f"{head}, still after retrying; body: {excerpt}"
        else:
            message = f"{head}; body: {excerpt}"
        return cls(self._scrub(message), status=status, url=url, body=excerpt)

    def _format_error(self, url: str, body: bytes, what: str) -> ResponseFormatError:
        excerpt = self._excerpt(body)
        return ResponseFormatError(
            self._scrub(f"HTTP 200 from GET {url}, but {what}; body: {excerpt}"),
            status=200,
            url=url,
            body=excerpt,
        )

    def _transport_error(
        self, exc: BaseException, url: str, what: str = "the request failed"
    ) -> TransportError:
        cause = _describe(exc)
        return TransportError(self._scrub(f"GET {url}: {what}: {cause}"), url=url)


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
    from ._version import __version__

    return __version__


def _body_broke(exc: requests.RequestException) -> bool:
    """Whether the failure came while reading the body, after the headers:
    urllib3 has not retried it, so the client does. (Failures before the
    headers reach here only after urllib3's retries, as a ``MaxRetryError``
    wrapped with the request attached.)"""
    if isinstance(
        exc, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError
    ):
        return True
    if isinstance(exc, requests.exceptions.ConnectionError) and exc.request is None:
        # Response.iter_content wraps a read timeout mid-body this way.
        inner = exc.args[0] if exc.args else None
        return isinstance(inner, ReadTimeoutError | ProtocolError)
    return False


def _looks_cut(body: bytes) -> bool:
    """Whether a body that is not valid JSON looks like JSON cut short."""
    head = body.lstrip()[:1]
    return head in (b"{", b"[")


def _describe(exc: BaseException | None) -> str:
    """A one-line cause: the innermost reason of a requests/urllib3 error."""
    if exc is None:
        return "an unknown error"
    seen = 0
    cur: BaseException = exc
    while seen < 8:
        seen += 1
        inner: Any = getattr(cur, "reason", None)
        if not isinstance(inner, BaseException):
            inner = cur.args[0] if cur.args and isinstance(cur.args[0], BaseException) else None
        if inner is None:
            break
        cur = inner
    text = str(cur)
    # urllib3 prefixes messages with the connection object's repr: drop it.
    if text.startswith("<") and ">: " in text:
        text = text.split(">: ", 1)[1]
    text = " ".join(text.split())
    kind = type(cur).__name__
    if "timed out" in text.lower() or "timeout" in kind.lower():
        return f"timed out ({text})" if text else "timed out"
    return f"{kind}: {text}" if text else kind


def _scrubbed(exc: BaseException) -> BaseException:
    """``exc`` with the request and response (which hold the key in their
    headers) detached, so a chained exception carries no secret."""
    cur: BaseException | None = exc
    for _ in range(8):
        if cur is None:
            break
        if isinstance(cur, requests.RequestException):
            cur.request = None
            cur.response = None
        cur = cur.__cause__ or cur.__context__
    return exc


def _server_message(body: bytes, excerpt: str) -> str:
    """The API's own message from a JSON error body, else the excerpt."""
    try:
        doc = json.loads(body)
    except ValueError:
        return excerpt
    if isinstance(doc, dict):
        for key in ("error", "message", "detail", "errors"):
            value = doc.get(key)
            if isinstance(value, str) and value:
                return " ".join(value.split())[:EXCERPT_CHARS]
    return excerpt
