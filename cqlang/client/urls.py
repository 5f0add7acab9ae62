"""The requests of a plan as URLs: the one builder of ``?limit=&offset=
&filter=&exclude=``, for the client (:mod:`.fetch`), for ``fetch
--dry-run`` (``cqlang.cli.dryrun``) and for ``compile --format url``
(:meth:`cqlang.config.fetchspec.FetchSpec.request_url`), so that what those
show is what the client sends. Pure: nothing here sends anything."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..encoding import encode_json, request_path
from .guards import ne_guard
from .paging import page_limit

if TYPE_CHECKING:
    from ..planner import Plan
    from ..schema import Schema

__all__ = ["Requests", "first_page_url", "page_url", "request_base", "request_urls"]

Guard = Callable[[dict[str, Any]], bool]


class Requests:
    """What a plan sends, worked out once: per request its guard
    (:func:`~.guards.ne_guard`) and its parameters after ``limit`` and
    ``offset`` (``filter=...&exclude=...``, encoded; ``""`` for none); the
    excluded fields the API still sends because the client-side check or a
    guard reads them (``hidden``: dropped from each record once judged)."""

    __slots__ = ("guards", "hidden", "params", "residual")

    def __init__(
        self, plan: Plan, exclude: Iterable[str] | None, schema: Schema | None = None
    ) -> None:
        reads = plan.residual.record_fields if plan.residual is not None else None
        self._build(plan.filters, reads, exclude, schema)

    @classmethod
    def of_filters(
        cls,
        requests: Sequence[Sequence[Mapping[str, Any]]],
        exclude: Iterable[str] | None,
        schema: Schema | None = None,
    ) -> Requests:
        """The requests of filter lists given as they are (one request
        each, nothing checked on the client but their ``ne`` guards), as a
        plan with those ``filters`` and no residual makes them."""
        self = cls.__new__(cls)
        self._build(requests, None, exclude, schema)
        return self

    def _build(
        self,
        requests: Sequence[Sequence[Mapping[str, Any]]],
        residual_reads: frozenset[str] | None,
        exclude: Iterable[str] | None,
        schema: Schema | None,
    ) -> None:
        guarded = [ne_guard(filters, schema) for filters in requests]
        read = residual_reads if residual_reads is not None else frozenset()
        read = read.union(*(fields for _, fields in guarded))
        wanted = list(dict.fromkeys(exclude or ()))
        sent = [f for f in wanted if f not in read]
        self.hidden: list[str] = [f for f in wanted if f in read]
        self.guards: list[Guard | None] = [guard for guard, _ in guarded]
        self.residual = residual_reads is not None
        tail = f"exclude={encode_json(sent)}" if sent else ""
        self.params: list[str] = [_params(filters, tail) for filters in requests]

    def first_size(self, n: int, page_size: int, limit: int | None) -> int:
        """The ``limit`` of request ``n``'s first page: the page size (at
        most the API's), or, when every record it brings is delivered (no
        check on the client, no guard), no more than the records wanted
        (the paging's ``want``: cqlang.client.paging.records), by the
        paging's own rule (:func:`~.paging.page_limit`)."""
        return page_limit(page_size, None if self.checked(n) else limit)

    def checked(self, n: int) -> bool:
        """Whether the client judges each record request ``n`` brings (the
        plan's residual, or the request's guard), so that the records a
        page brings are not all delivered."""
        return self.residual or self.guards[n] is not None


def _params(filters: Sequence[Mapping[str, Any]], tail: str) -> str:
    head = f"filter={encode_json(filters)}" if filters else ""
    return "&".join(p for p in (head, tail) if p)


def request_base(base_url: str, campaign: str) -> str:
    """The URL of a campaign's requests, before the ``?``."""
    return base_url.rstrip("/") + request_path(campaign)


def page_url(base: str, params: str, offset: int, limit: int) -> str:
    """One page's URL: ``base`` (:func:`request_base`), then ``limit`` and
    ``offset``, then a request's ``params``."""
    return f"{base}?limit={limit}&offset={offset}" + (f"&{params}" if params else "")


def request_urls(
    plan: Plan,
    *,
    base_url: str,
    campaign: str,
    exclude: Iterable[str] | None = None,
    page_size: int = 1000,
    limit: int | None = None,
    schema: Schema | None = None,
) -> list[str]:
    """The first page's URL of each request of ``plan``, exactly as the
    client sends it (none when the plan never matches or ``limit`` is 0)."""
    if plan.never_matches or limit == 0 or not plan.filters:
        return []
    return _first_pages(Requests(plan, exclude, schema), base_url, campaign, page_size, limit)


def first_page_url(
    filters: Sequence[Mapping[str, Any]],
    *,
    base_url: str,
    campaign: str,
    exclude: Iterable[str] | None = None,
    page_size: int = 1000,
    limit: int | None = None,
    schema: Schema | None = None,
) -> str | None:
    """The first page's URL of the one request ``filters`` makes (a
    one-request plan's filter list, no check on the client but its ``ne``
    guard), exactly as the client sends it: :func:`request_urls` of such a
    plan. ``None`` when ``limit`` is 0 (the client sends nothing)."""
    if limit == 0:
        return None
    reqs = Requests.of_filters([filters], exclude, schema)
    (url,) = _first_pages(reqs, base_url, campaign, page_size, limit)
    return url


def _first_pages(
    reqs: Requests, base_url: str, campaign: str, page_size: int, limit: int | None
) -> list[str]:
    base = request_base(base_url, campaign)
    return [
        page_url(base, params, 0, reqs.first_size(n, page_size, limit))
        for n, params in enumerate(reqs.params)
    ]
