"""The emulator's reading of a request's query parameters (``limit``,
``offset``, ``exclude``, the filter objects): anything the API would answer
with 400 raises :class:`BadRequest`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import jsonlimit

#: The deepest JSON nesting of ``filter`` and ``exclude`` (a filter list is 3 levels).
MAX_PARAM_DEPTH = jsonlimit.MAX_DEPTH
#: The most digits of ``limit`` and ``offset``.
MAX_DIGITS = 18


class BadRequest(Exception):
    """A request the API would answer with 400."""


def int_param(query: Mapping[str, list[str]], name: str, default: int) -> int:
    values = query.get(name)
    if not values:
        return default
    raw = values[0].strip()
    if not raw.isdigit() or not raw.isascii():
        raise BadRequest(f"{name} must be a non-negative integer, not {raw[:40]!r}")
    if len(raw.lstrip("0")) > MAX_DIGITS:
        raise BadRequest(f"{name} must be a non-negative integer of at most {MAX_DIGITS} digits")
    return int(raw.lstrip("0") or "0")


def exclude_param(text: str) -> tuple[str, ...]:
    if not text.strip():
        return ()
    try:
        names = jsonlimit.loads(text, MAX_PARAM_DEPTH)
    except jsonlimit.TooDeep as exc:
        raise BadRequest(f"exclude is {exc}") from None
    except jsonlimit.BadNumber as exc:
        raise BadRequest(f"exclude holds {exc}") from None
    except ValueError as exc:
        raise BadRequest(f"exclude is not JSON: {exc}") from None
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BadRequest("exclude must be a JSON list of field names")
    return tuple(sorted(set(names)))


def check_duplicates(filters: list[Any]) -> None:
    seen: set[tuple[Any, ...]] = set()
    for obj in filters:
        if not isinstance(obj, dict):
            continue  # compile_filters says what is wrong with it
        ident = (_hashable(obj.get("property")), _hashable(obj.get("key")), obj.get("operator"))
        if not all(isinstance(x, str | None) for x in ident):
            continue
        if ident in seen:
            prop, key, op = ident
            where = f"{prop}" + (f"[{key}]" if key is not None else "")
            raise BadRequest(
                f"two filter objects on {where} with operator {op or '(none)'}: "
                "the API does not document what that means"
            )
        seen.add(ident)


def _hashable(v: Any) -> Any:
    return v if isinstance(v, str | int | float | bool | None) else repr(v)
