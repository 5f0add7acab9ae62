"""The HTTP client: runs a query's plan against ``GET /voice_campaign/{id}/request``.

:class:`Client` pages each request of a :class:`~cqlang.planner.Plan` with
``limit``/``offset`` until a short page, merges the branches' records by
``id``, applies the residual, and stops as soon as ``limit`` records are
delivered. It streams: one page is in memory at a time, plus the ids needed
to de-duplicate across branches.

The pages and their guarantee (every record that matches throughout the
fetch is delivered exactly once, or :class:`ResultSetChangedError`) are
:mod:`.paging`'s, over a fetch of one page that is an HTTP GET here.

Retries, deadlines, the limits on what a server may send, and keeping the
key secret are the transport's (:mod:`.transport`); every error leaves the
client scrubbed of secrets (:mod:`.scrub`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING, Any

import requests

from .. import argcheck
from . import paging
from .connection import Connection
from .errors import ApiError
from .exchange import ExchangeReport
from .paging import MAX_PAGE_SIZE
from .transport import DEFAULT_MAX_RECORD_SIZE, PAGE_OVERHEAD, Transport
from .urls import Requests, page_url, request_base

if TYPE_CHECKING:
    from ..planner import Plan
    from ..schema import Schema

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
    ``max_retries`` times and for at most ``retry_budget`` seconds: the
    first retry goes at once, the n-th (n >= 2) after
    ``backoff_factor * 2**(n-1)`` seconds plus up to ``backoff_jitter``, at
    most ``backoff_max`` (urllib3's backoff), or after what ``Retry-After``
    asks, up to ``retry_after_max``; a
    failure to connect is not retried. A page's body may hold
    ``max_record_size`` bytes per record asked for (plus
    :data:`PAGE_OVERHEAD`). ``session`` may be your own
    ``requests.Session``: the client mounts its retrying adapter on it for
    ``base_url`` only. ``on_request`` is called after every HTTP exchange,
    each retried one included, with ``(url, status, seconds, records)``
    (for progress displays): ``status`` 0 when no answer came, ``seconds``
    that exchange's own, ``records`` 0 but for a page. ``on_exchange`` is
    called with the same as an :class:`ExchangeReport`, which also has the
    ``attempt`` (1, or 2 and on for a retry) and ``retry``.
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
        on_exchange: Callable[[ExchangeReport], None] | None = None,
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
        if isinstance(timeout, tuple) and len(timeout) != 2:
            raise TypeError(
                "timeout is a number of seconds or a (connect, total) pair of them, "
                f"not a tuple of {len(timeout)}"
            )
        if not isinstance(timeout, tuple):
            # A list is no pair (requests takes a tuple); a Decimal no number:
            # the message says both forms it takes.
            takes = "a number of seconds (an int or a float) or a (connect, total) tuple of them"
            argcheck.number("timeout", timeout, takes=takes)
        pair = timeout if isinstance(timeout, tuple) else (timeout, timeout)
        connect = argcheck.seconds("timeout", pair[0], zero=False)
        total = argcheck.seconds("timeout", pair[1], zero=False)
        # As floats: any real number type passes (numpy's, a Fraction).
        backoff_factor = argcheck.seconds("backoff_factor", backoff_factor)
        backoff_max = argcheck.seconds("backoff_max", backoff_max)
        backoff_jitter = argcheck.seconds("backoff_jitter", backoff_jitter)
        retry_after_max = argcheck.seconds("retry_after_max", retry_after_max)
        retry_budget = argcheck.seconds("retry_budget", retry_budget)
        max_retries = argcheck.count("max_retries", max_retries, least=0)
        max_record_size = argcheck.count("max_record_size", max_record_size, least=1)
        argcheck.instance("session", session, requests.Session, "a requests.Session", optional=True)
        for name, hook in (("on_request", on_request), ("on_exchange", on_exchange)):
            if hook is not None and not callable(hook):
                raise argcheck.wrong_type(name, "a function or None", hook)
        #: Records by which consecutive pages overlap (at least 1: a page
        #: that overlaps nothing could not tell that the results moved).
        self.overlap = argcheck.count("overlap", overlap, least=1)
        self.max_relocate = argcheck.count("max_relocate", max_relocate, least=0)
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
            on_exchange=on_exchange,
        )
        self.session = self._transport.session

    def __repr__(self) -> str:
        return f"Client(base_url={self.base_url!r}, api_key=<hidden>)"

    def hide(self, text: str) -> str:
        """``text`` with this client's secrets (its key, a password in its
        base URL) hidden in every form a server may echo them
        (:mod:`cqlang.client.scrub`): for a text that quotes what the server
        sent, such as the notes about values that did not fit a file's
        columns."""
        return self._transport.reporter.scrub(text)

    @classmethod
    def from_config(cls, config: Any, profile: str | None = None, **options: Any) -> Client:
        """A client for a :class:`cqlang.Config`'s connection (``profile``, or
        the one the config was loaded with): base URL and key resolved as the
        command line does. ``CONPEEK_URL``/``CONPEEK_KEY`` come before the
        file's ``[connection]``, but a profile with a connection of its own
        uses its own ``base_url`` and key and not the environment's (a key
        only goes to the host its source names; docs/config.md, "Settings:
        who wins").
        ``options`` go to the constructor (``timeout``, ``max_retries``...).

        The config is asked, not imported: ``config.connection(profile)``
        gives the resolved settings, whose ``for_client()`` is the
        :class:`Connection` (a missing base URL or key is the config's
        error, which says where it should come from). ``None``, or anything
        without ``connection()``, is a ``TypeError``: the client does not
        look for config files (``cqlang.Config.load()`` does; ``Client()``
        takes the environment alone)."""
        if not callable(getattr(config, "connection", None)):
            hint = (
                ": for the config files the command line reads, pass "
                "cqlang.Config.load(); for CONPEEK_URL and CONPEEK_KEY alone, use Client()"
                if config is None
                else ""
            )
            raise TypeError(
                "Client.from_config() takes a config (an object with a connection() "
                f"method, such as cqlang.Config), not {type(config).__name__}{hint}"
            )
        argcheck.text("profile", profile, optional=True)
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
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        exclude: str | Iterable[str] | None = None,
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

        The arguments are checked here, before anything is planned or sent
        (:mod:`cqlang.argcheck`): one of the wrong type is a ``TypeError``
        (``limit=1.5``, ``page_size=True``, a ``plan`` given with a query
        or its inputs, which it would ignore); a value that cannot work a
        :class:`~cqlang.errors.SettingError` (a ``ValueError``): a campaign
        id that cannot be one (blank, ``..``), a negative ``limit``, a
        ``page_size`` below 1, ``id`` in ``exclude``. ``exclude`` may be one
        text, read as ``--exclude`` reads it (``"history,dialogs"``).
        """
        campaign_id = argcheck.campaign("campaign_id", campaign_id)
        argcheck.query(query)
        argcheck.zone("tz", tz)
        limit = argcheck.count("limit", limit, least=0, optional=True)
        page_size = argcheck.count("page_size", page_size, least=1)
        excluded = argcheck.exclude_names("exclude", exclude) or ()
        if plan is None:
            from ..api import plan as make_plan

            plan = make_plan(query, params=params, tz=tz, now=now, schema=schema)
        else:
            from ..planner import Plan

            argcheck.instance("plan", plan, Plan, "a cqlang.Plan")
            inputs = (("params", params), ("tz", tz), ("now", now), ("schema", schema))
            given = [name for name, value in inputs if value is not None]
            if query or given:
                both = "a query" if query else ", ".join(given)
                raise TypeError(
                    f"plan= runs a plan made already: give it or {both}, not both "
                    "(the plan would be run and the rest ignored)"
                )
        page_size = min(page_size, MAX_PAGE_SIZE)
        return self._run(campaign_id, plan, list(excluded), page_size, limit, schema)

    def iter_batches(
        self,
        campaign_id: str,
        query: str = "",
        *,
        columns: str | Iterable[str] | None = None,
        batch_size: int = 4096,
        params: Mapping[str, Any] | None = None,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        exclude: str | Iterable[str] | None = None,
        page_size: int = 1000,
        limit: int | None = None,
        plan: Plan | None = None,
        schema: Schema | None = None,
    ) -> Iterator[Any]:
        """The matching records as ``pyarrow.RecordBatch``es of typed
        columns (needs ``cqlang[arrow]``), ``batch_size`` records each.
        ``columns`` chooses and orders them (``"id,state,custom.region"``);
        the heavy fields no column reads are not fetched. The other
        arguments are those of :meth:`voice_campaign_requests`. See
        :mod:`cqlang.output.arrow`."""
        from ..output.arrow import record_batches

        argcheck.zone("tz", tz)
        return record_batches(
            self,
            campaign_id,
            query,
            columns=columns,
            batch_size=batch_size,
            params=params,
            tz=tz,
            now=now,
            exclude=exclude,
            page_size=page_size,
            limit=limit,
            plan=plan,
            schema=schema,
        )

    def to_arrow(
        self,
        campaign_id: str,
        query: str = "",
        *,
        columns: str | Iterable[str] | None = None,
        batch_size: int = 4096,
        params: Mapping[str, Any] | None = None,
        tz: str | tzinfo | None = None,
        now: datetime | None = None,
        exclude: str | Iterable[str] | None = None,
        page_size: int = 1000,
        limit: int | None = None,
        plan: Plan | None = None,
        schema: Schema | None = None,
    ) -> Any:
        """The matching records as one ``pyarrow.Table`` (the arguments of
        :meth:`iter_batches`); its metadata records the query, the plan and
        the fetch time."""
        from ..output.arrow import to_table

        argcheck.zone("tz", tz)
        return to_table(
            self,
            campaign_id,
            query,
            columns=columns,
            batch_size=batch_size,
            params=params,
            tz=tz,
            now=now,
            exclude=exclude,
            page_size=page_size,
            limit=limit,
            plan=plan,
            schema=schema,
        )

    def _run(
        self,
        campaign_id: str,
        plan: Plan,
        exclude: list[str],
        page_size: int,
        limit: int | None,
        schema: Schema | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The records; every error leaves through here, scrubbed of secrets."""
        try:
            if plan.never_matches:
                return
            residual = plan.residual
            # What the API leaves open about ``ne`` is checked on the client,
            # request by request (.guards); fields the residual and the guards
            # read are fetched even when excluded (else a missing field would
            # be judged as null), and dropped once judged (.urls.Requests).
            reqs = Requests(plan, exclude, schema)
            hidden = reqs.hidden
            found = paging.records(
                self._requests(campaign_id, reqs.params),
                page_size=page_size,
                limit=limit,
                keep=residual.matches_decoded if residual is not None else None,
                overlap=self.overlap,
                max_relocate=self.max_relocate,
                guards=reqs.guards,
            )
            if not hidden:
                yield from found
                return
            for rec in found:
                for name in hidden:
                    rec.pop(name, None)
                yield rec
        except ApiError as exc:
            raise self._transport.reporter.clean(exc) from exc.__cause__

    def _requests(
        self, campaign_id: str, params: Sequence[str]
    ) -> list[tuple[paging.FetchPage[dict[str, Any]], str]]:
        """One fetch per request of the plan (a GET of its parameters,
        :class:`.urls.Requests`), and the URL its errors name."""
        base = request_base(self.base_url, campaign_id)
        get = self._transport.get_page
        out: list[tuple[paging.FetchPage[dict[str, Any]], str]] = []
        for tail in params:

            def fetch(
                offset: int, limit: int, tail: str = tail
            ) -> tuple[list[dict[str, Any]], list[str]]:
                return get(page_url(base, tail, offset, limit), limit)

            out.append((fetch, f"{base}?{tail}" if tail else base))
        return out
