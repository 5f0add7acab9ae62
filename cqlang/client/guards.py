"""What the API page leaves open about a filter, checked on the client.

The page documents ``ne`` ("różne od", different from) on ``priority``,
``consultant_try`` and ``contact_try`` without saying what it does with a
record that has no value there: a MongoDB-style ``$ne`` matches a missing or
null field. cqlang's ``!=`` never does (a comparison with a missing value is
unknown), so of the records a request sent with ``ne`` brings, those whose
property does not hold a value of the filter's own type (an integer: ``True``
is not one) are not that request's answer. A request without ``ne`` needs no
guard and costs nothing; when the API already leaves such records out, the
guard drops nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["ne_guard"]

Record = dict[str, Any]


def ne_guard(
    filters: Sequence[Mapping[str, Any]],
) -> tuple[Callable[[Record], bool] | None, frozenset[str]]:
    """The guard of one request's records (``None`` when it needs none),
    and the record fields it reads (fetched even when excluded)."""
    checks = tuple(
        (f["property"], f["value"].__class__)
        for f in filters
        if f.get("operator") == "ne" and "key" not in f
    )
    if not checks:
        return None, frozenset()
    fields = frozenset(name for name, _ in checks)
    if len(checks) == 1:
        ((name, kind),) = checks
        return (lambda r: r.get(name).__class__ is kind), fields
    return (lambda r: all(r.get(n).__class__ is k for n, k in checks)), fields
