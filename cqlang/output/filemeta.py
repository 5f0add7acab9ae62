"""What a Parquet or Arrow file (and each record batch's schema) records of
the fetch that made it: :func:`file_metadata` (docs/client.md, "Metadata"),
and what is known only at the end (:func:`ending_metadata`: whether a
limit stopped it). Plain text: no pyarrow needed to make it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, tzinfo
from typing import Any

__all__ = ["clock_text", "ending_metadata", "file_metadata", "zone_name"]


def zone_name(tz: str | tzinfo | None) -> str:
    """The name of the zone a query was read in (``None``: UTC), as
    ``--tz`` takes it: an IANA name as given or as its ``ZoneInfo`` holds
    it, else the zone's own words (``UTC+02:00``)."""
    if tz is None:
        return "UTC"
    if isinstance(tz, str):
        return tz
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else str(tz)


def clock_text(now: datetime) -> str:
    """The clock a query was read against, as ``--now`` takes it: UTC, ISO
    8601, whole seconds (the planner drops the fraction; a naive clock is
    UTC, as :func:`cqlang.timeexpr.resolve_now` reads it)."""
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    try:
        return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    except (OverflowError, ValueError):  # past the calendar in UTC: as given
        return now.replace(microsecond=0).isoformat()


def file_metadata(
    query: str,
    plan: Any,
    fetched_at: datetime,
    campaign: str | None = None,
    *,
    named: Any = None,
    params: Mapping[str, Any] | None = None,
    tz: str | tzinfo | None = None,
    now: datetime | None = None,
    limit: int | None = None,
    columns: Iterable[str] | None = None,
    exclude: Iterable[str] | None = None,
) -> dict[str, str]:
    """What a file (and a batch's schema) records of its fetch, so that it
    says how to fetch it again: the query, its plan (as ``cqlang explain
    --json`` prints it), the time the fetch began (UTC, ISO 8601), the
    campaign and cqlang's version; for a query that is a named query
    (``named``: a :class:`cqlang.config.NamedQuery`; ``query`` is then its
    text), its name; the parameter values bound (``params``, as JSON); the
    zone (``tz``, ``cqlang.tz``: UTC when ``None``) and the clock (``now``,
    ``cqlang.now``) the query was read in; the limit (``cqlang.limit``),
    the columns (``cqlang.columns``) and the fields left out
    (``cqlang.exclude``), when set, each a JSON list of names. Without a
    limit, ``cqlang.complete`` is ``true`` already; with one, it is known
    at the end (:func:`ending_metadata`).

    Without a ``query`` (a fetch given a plan made already), the plan's own
    text and parameters (:attr:`cqlang.Plan.query`, ``params``) are
    recorded, and neither zone nor clock (a plan does not keep them):
    every path that writes a file records the same."""
    from .._version import __version__

    given_plan = not query
    if given_plan:
        query = getattr(plan, "query", "") or ""
        if params is None:
            params = getattr(plan, "params", None)

    meta = {
        "cqlang.query": query,
        "cqlang.plan": json.dumps(plan.to_json(), ensure_ascii=False),
        "cqlang.fetched_at": fetched_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cqlang.version": __version__,
    }
    if campaign:
        meta["cqlang.campaign"] = campaign
    if named is not None and getattr(named, "name", None):
        meta["cqlang.named_query"] = f"@{named.name}"
    if params:
        meta["cqlang.params"] = json.dumps(
            dict(params), ensure_ascii=False, default=str, sort_keys=True
        )
    if not given_plan:
        meta["cqlang.tz"] = zone_name(tz)
        if now is not None:
            meta["cqlang.now"] = clock_text(now)
    if columns is not None:
        meta["cqlang.columns"] = json.dumps(list(columns), ensure_ascii=False)
    if exclude:
        meta["cqlang.exclude"] = json.dumps(list(exclude), ensure_ascii=False)
    if limit is None:
        meta["cqlang.complete"] = "true"
    else:
        meta["cqlang.limit"] = str(limit)
    return meta


def ending_metadata(limit: int | None, complete: bool) -> dict[str, str]:
    """What only the end of a fetch tells: under a ``limit``,
    ``cqlang.complete`` (``true``: every matching record is in the file;
    ``false``: the limit stopped the fetch, see
    :attr:`cqlang.output.counted.Counted.complete`). Without a limit,
    nothing: :func:`file_metadata` said ``true`` at the start."""
    if limit is None:
        return {}
    return {"cqlang.complete": "true" if complete else "false"}
