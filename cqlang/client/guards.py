"""What the API page leaves open about a filter, checked on the client.

The page documents ``ne`` ("różne od", different from) on ``priority``,
``consultant_try`` and ``contact_try`` without saying what it does with a
record that has no value there: a MongoDB-style ``$ne`` matches a missing or
null field. cqlang's ``!=`` never does (a comparison with a missing value is
unknown), so of the records a request sent with ``ne`` brings, only those
that make its ``ne`` objects true, as the evaluator reads a filter list
(:func:`cqlang.filterlists.compile_filters`: one semantics of records), are
that request's answer. A request without ``ne`` needs no guard and costs
nothing; when the API already leaves such records out, the guard drops
nothing."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..schema import Schema

__all__ = ["guarded", "ne_guard"]

Record = dict[str, Any]


def _ne(filters: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    return [dict(f) for f in filters if f.get("operator") == "ne"]


def guarded(filters: Sequence[Mapping[str, Any]]) -> bool:
    """Whether a request with ``filters`` has a guard (:func:`ne_guard`),
    without making it."""
    return any(f.get("operator") == "ne" for f in filters)


def ne_guard(
    filters: Sequence[Mapping[str, Any]], schema: Schema | None = None
) -> tuple[Callable[[Record], bool] | None, frozenset[str]]:
    """The guard of one request's records (``None`` when it needs none),
    and the record fields it reads (fetched even when excluded)."""
    ne = _ne(filters)
    if not ne:
        return None, frozenset()
    from ..evaluator import compile_matcher
    from ..filterlists import filter_atoms
    from ..ir import IAnd, record_fields

    checked = IAnd(tuple(filter_atoms(ne, schema)))
    # The records are a page's, plain dicts as JSON decodes them.
    return compile_matcher(checked, plain_dicts=True), record_fields(checked)
