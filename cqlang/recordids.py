"""What makes a record's ``id`` usable: the one rule, shared by the client
(which refuses a page that breaks it) and the emulator (which refuses to
serve data that breaks it, rather than let its own client refuse it later).

A record is a JSON object whose ``id`` is a non-empty string, and no two
records of one campaign share an id: the client pages by offset and merges
pages by id, so a missing, non-string, empty or repeated id would make it
lose or double records.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .kinds import JSON, kind

_STR_ONLY = {str}


class RecordIdError(ValueError):
    """A record without a usable id: ``index`` (0-based) of the record,
    ``problem`` (a phrase: ``has no id``, ``has an empty id``, ...), the
    record's ``ident`` (its id when it is a string, else ``None``) and, for
    a repeat, ``first``, the index of the earlier record with that id."""

    def __init__(
        self, index: int, problem: str, ident: str | None = None, first: int | None = None
    ) -> None:
        super().__init__(f"record {index + 1} {problem}")
        self.index = index
        self.problem = problem
        self.ident = ident
        self.first = first


def id_problem(record: object) -> str | None:
    """Why one record has no usable id (a phrase to follow "record N"), or
    ``None``: it is a JSON object whose ``id`` is a non-empty string."""
    if not isinstance(record, dict):
        return f"is not a JSON object (it is {json_kind(record)})"
    if "id" not in record:
        return "has no id"
    ident = record["id"]
    if not isinstance(ident, str):
        shown = f" ({ident!r:.40})" if isinstance(ident, int | float) else ""
        return f"has an id that is {json_kind(ident)}{shown}, not a string"
    if not ident:
        return "has an empty id"
    return None


def record_ids(records: Sequence[Any]) -> list[str]:
    """The ids of ``records`` (a page, or a campaign's records), in order.
    Raises :class:`RecordIdError` for the first record without a usable id
    (:func:`id_problem`) or whose id an earlier record has. All is checked
    with C-level set operations when all is well (no Python code per
    record)."""
    try:
        ids = [r["id"] for r in records]
    except (KeyError, TypeError, IndexError):
        ids = None
    unique = None if ids is None or (ids and set(map(type, ids)) != _STR_ONLY) else set(ids)
    if unique is None or "" in unique:
        for n, r in enumerate(records):
            problem = id_problem(r)
            if problem is not None:
                ident = r.get("id") if isinstance(r, dict) else None
                raise RecordIdError(n, problem, ident if isinstance(ident, str) else None)
    assert ids is not None  # every record passed id_problem, so each has an id
    if unique is None:  # text of a str subclass (a StrEnum member): text all the same
        unique = set(ids)
    if len(unique) != len(ids):
        seen: dict[str, int] = {}
        for n, ident in enumerate(ids):
            if ident in seen:
                raise RecordIdError(
                    n, f"repeats the id of record {seen[ident] + 1}", ident, seen[ident]
                )
            seen[ident] = n
    return ids


def json_kind(value: object) -> str:
    """A JSON value's kind, as a message names it (``an array``, ``a
    number``...): the one wording for data from outside (records, the
    language server's settings), :func:`cqlang.kinds.kind` for JSON."""
    return kind(value, JSON)


__all__ = ["RecordIdError", "id_problem", "json_kind", "record_ids"]
