"""Where a value is in a JSON text: the span a diagnostic about a filter
list points at (CQL301 of :func:`cqlang.encoding.check_filters` and of the
decompiler), rather than the whole input.

A place is a *path*: the keys of objects and the indices of lists from the
top value down (``(1, "value", 2)`` is ``filters[1]["value"][2]``).
:func:`value_span` walks a JSON text along a path, each value passed over
read by the JSON decoder (which says where it ends), and gives the span of
the value there; :func:`too_deep` finds, in Python values, the first
list or object nested past a depth. Nothing here is a regular expression:
the text is read as JSON, value by value.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

__all__ = ["Path", "too_deep", "value_span"]

#: A place in a JSON value: object keys and list indices, from the top down.
Path = tuple["str | int", ...]

_BLANK = " \t\n\r"  # JSON's whitespace
_decode = json.JSONDecoder().raw_decode  # reads NaN and Infinity too, as json.dumps writes them


def _skip(text: str, i: int) -> int:
    """The first position from ``i`` on that is not JSON whitespace."""
    n = len(text)
    while i < n and text[i] in _BLANK:
        i += 1
    return i


def value_span(text: str, path: Sequence[str | int], start: int = 0) -> tuple[int, int] | None:
    """The span ``(start, end)`` in ``text`` of the value at ``path`` of the
    JSON value that begins at ``start`` (blanks before it allowed); ``None``
    when the text holds no such value (it is not JSON there, an index is
    past a list's end, an object lacks the key). A key written twice is
    the last one's value, as the JSON decoder keeps it."""
    try:
        at = _skip(text, start)
        for step in path:
            found = _member(text, at, step) if isinstance(step, str) else _element(text, at, step)
            if found is None:
                return None
            at = found
        _, end = _decode(text, at)
    except (ValueError, IndexError, RecursionError):  # not JSON after all, or too deep to read
        return None
    return at, end


def _element(text: str, i: int, index: int) -> int | None:
    """Where element ``index`` of the list at ``i`` starts."""
    if text[i] != "[":
        return None
    i = _skip(text, i + 1)
    for _ in range(index):
        if text[i] == "]":
            return None
        _, i = _decode(text, i)
        i = _skip(text, i)
        if text[i] != ",":
            return None
        i = _skip(text, i + 1)
    return None if text[i] == "]" else i


def _member(text: str, i: int, key: str) -> int | None:
    """Where the value of member ``key`` of the object at ``i`` starts (the
    last such member's)."""
    if text[i] != "{":
        return None
    found = None
    i = _skip(text, i + 1)
    while text[i] != "}":
        name, i = _decode(text, i)
        i = _skip(text, i)
        if text[i] != ":":
            return None
        i = _skip(text, i + 1)
        if name == key:
            found = i
        _, i = _decode(text, i)
        i = _skip(text, i)
        if text[i] == ",":
            i = _skip(text, i + 1)
        elif text[i] != "}":
            return None
    return found


def too_deep(value: Any, limit: int) -> Path | None:
    """The path of the first list or object (depth first, in order) that
    lies more than ``limit`` levels deep in ``value`` (``value`` itself is
    level 1), else ``None``. Walked without recursion, never past that
    level, so a hostile value (or one that holds itself) costs no more."""
    stack: list[tuple[Any, Path]] = [(value, ())]
    while stack:
        v, path = stack.pop()
        if isinstance(v, dict):
            items: list[tuple[str | int, Any]] = list(v.items())
        elif isinstance(v, list | tuple):
            items = list(enumerate(v))
        else:
            continue
        if len(path) >= limit:
            return path
        stack.extend((item, (*path, key)) for key, item in reversed(items))
    return None
