"""What a Parquet or Arrow file (and each record batch's schema) records of
the fetch that made it: :func:`file_metadata` (docs/client.md, "Metadata").
Plain text: no pyarrow needed to make it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["file_metadata"]


def file_metadata(
    query: str,
    plan: Any,
    fetched_at: datetime,
    campaign: str | None = None,
    *,
    named: Any = None,
    params: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """What a file (and a batch's schema) records of its fetch: the query,
    its plan (as ``cqlang explain --json`` prints it), the time the fetch
    began (UTC, ISO 8601), the campaign and cqlang's version; for a query
    that is a named query (``named``: a :class:`cqlang.config.NamedQuery`;
    ``query`` is then its text), its name; and the parameter values bound
    (``params``, as JSON), so that the file says how to fetch it again.
    Without a ``query`` (a fetch given a plan made already), the plan's own
    text and parameters (:attr:`cqlang.Plan.query`, ``params``) are
    recorded: every path that writes a file records the same."""
    from .._version import __version__

    if not query:
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
    return meta
