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

Retries, deadlines, the limits on what a server may send, and keeping the
key secret are the transport's (:mod:`.transport`); every error leaves the
client scrubbed of secrets (:mod:`.scrub`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import requests

from ..encoding import encode_json, request_path
from .connection import Connection
from .errors import ApiError, ResultSetChangedError
from .transport import DEFAULT_MAX_RECORD_SIZE, PAGE_OVERHEAD, Transport

if TYPE_CHECKING:
    from ..planner import Plan
    from ..schema import Schema

log = logging.getLogger("cqlang.client")

#: The largest ``limit`` the API takes.
MAX_PAGE_SIZE = 10_000

__all__ = ["DEFAULT_MAX_RECORD_SIZE", "MAX_PAGE_SIZE", "PAGE_OVERHEAD", "Client"]


class Client:
    """A client for ``GET /voice_campaign/{id}/request``.

    ``Client(connection)`` sends its requests to ``connection.base_url`` with
    ``connection.api_key`` (a :class:`~.connection.Connection`). As sugar,
    ``Client(base_url, api_key)`` (either by keyword) makes the connection,
    and what is not given comes from ``CONPEEK_URL`` and ``CONPEEK_KEY``
    (:meth:`Connection.from_environment`): what is missing, or a key that
    cannot be sent, is a :class:`ConfigurationError`.

    ``timeout`` is (connect, total) seconds: connecting may take
    ``connect``, and one try as a whole, from connecting to the last byte of
    the body, ``total``. A failing request is retried at most
    ``max_retries`` times and for at most ``retry_budget`` seconds, waiting
    ``backoff_factor * 2**n`` seconds (plus jitter, at most ``backoff_max``)
    between tries, or what ``Retry-After`` asks up to ``retry_after_max``; a
    failure to connect is not retried. A page's body may hold
    ``max_record_size`` bytes per record asked for (plus
    :data:`PAGE_OVERHEAD`). ``session`` may be your own
    ``requests.Session``: the client mounts its retrying adapter on it for
    ``base_url`` only. ``on_request`` is called after every HTTP exchange
    with ``(url, status, seconds, records)`` (for progress displays).
    """

    def __init__(
        self,
        connection: Connection | str | None = None,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
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
        if isinstance(connection, Connection):
            if base_url is not None or api_key is not None:
                raise TypeError("Client(connection) takes no base_url or api_key")
        elif connection is None or isinstance(connection, str):
            if connection is not None and base_url is not None:
                raise TypeError("Client() got the base URL twice (positional and base_url=)")
            url = connection if connection is not None else base_url
            connection = Connection.from_environment(base_url=url, api_key=api_key)
        else:
            kind = type(connection).__name__
            raise TypeError(f"Client() takes a Connection or a base URL, not {kind}")
        #: Where the requests go, and with which key.
        self.connection = connection
        self.base_url = connection.base_url
        if isinstance(timeout, tuple):
            connect, total = float(timeout[0]), float(timeout[1])
        else:
            connect = total = float(timeout)
        if not (connect > 0 and total > 0):
            raise ValueError("timeout must be positive")
        if max_record_size < 1:
            raise ValueError("max_record_size must be >= 1")
        self.overlap = max(1, overlap)
        self.max_relocate = max_relocate
        self._transport = Transport(
            connection,
            timeout=(connect, total),
            max_retries=max_retries,
            session=session,
            backoff_factor=backoff_factor,
            backoff_max=backoff_max,
            backoff_jitter=backoff_jitter,
            retry_after_max=retry_after_max,
            retry_budget=retry_budget,
            max_record_size=max_record_size,
            on_request=on_request,
        )
        self.session = self._transport.session

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key=<hidden>)"

    @classmethod
    def from_config(cls, config: Any, profile: str | None = None, **options: Any) -> Client:
        """A client for a :class:`cqlang.Config`'s connection (``profile``, or
        the one the config was loaded with): base URL and key resolved as the
        command line does, ``CONPEEK_URL``/``CONPEEK_KEY`` before the file.
        ``options`` go to the constructor (``timeout``, ``max_retries``...).

        The config is asked, not imported: ``config.connection(profile)``
        gives the resolved settings, whose ``for_client()`` is the
        :class:`Connection` (a missing base URL or key is the config's
        error, which says where it should come from)."""
        connection: Connection = config.connection(profile).for_client()
        return cls(connection, **options)

    def close(self) -> None:
        """Close the session (if the client made it)."""
        self._transport.close()

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
            raise self._transport.reporter.clean(exc) from exc.__cause__

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
        return self._transport.get_page(f"{base}limit={limit}&offset={offset}{params}", limit)
