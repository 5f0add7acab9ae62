"""What kind of value this is, and how it is written, for the reader of a
message: the one wording of "got an array" in cqlang.

A value reaches cqlang from one of three places, and a message names it in
the words of that place (docs/errors.md, "Values in messages"):

* ``JSON``: data from outside, as JSON has it (a record from the API, the
  language server's settings): ``null``, ``a boolean``, ``a number``,
  ``a string``, ``an array``, ``an object``.
* ``TOML``: a config file's value, as TOML has it: ``true or false``,
  ``an integer``, ``a number with a fraction``, ``a string``, ``an
  array``, ``a table``, ``a TOML datetime``, ``a TOML date``, ``a TOML
  time`` (a query's own datetimes are another thing: the one wording for
  a setting, ``got a TOML date``, and a parameter's default, ``got a
  TOML date, 2026-10-25``).
* ``PYTHON``: an argument of the Python API, as Python has it: the type's
  name (``bool``, ``int``, ``NoneType``) and the value as Python writes
  it (``True``, ``None``, ``[1, "a"]``).

:func:`kind` names the kind; :func:`written` writes the value as that
place writes it; :func:`given` is what a "got ..." says: the value, with
its kind in front where the spelling alone does not say it (``an array,
[3, "a", true]``, ``a TOML time, 10:00:00``). A string is written in
double quotes with JSON's escapes in all three (``"it's"``): that is a
valid string in JSON, TOML and Python alike. Query text is the language's
own (``cqlang.parser.quote``), not a place of this module.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any, Literal

    Audience = Literal["json", "toml", "python"]

__all__ = ["AUDIENCES", "JSON", "PYTHON", "TOML", "given", "kind", "written"]

JSON: Audience = "json"
TOML: Audience = "toml"
PYTHON: Audience = "python"
AUDIENCES = (JSON, TOML, PYTHON)

#: The most characters :func:`written` gives a value it cannot spell out
#: (a Python object's repr), so that a message stays a line.
MOST = 80

#: The most characters of a value a message writes out: a longer one is
#: cut there and its length said (:func:`given`).
LONGEST = 60


#: The frozen forms an ``Env`` keeps a caller's dict and list in
#: (cqlang.env.freeze), named as what the caller gave.
_FROZEN = {"FrozenDict": "dict", "FrozenList": "list"}


def _python_type(value: object) -> str:
    name = type(value).__name__
    return _FROZEN.get(name, name)


def _check(audience: str) -> None:
    if audience not in AUDIENCES:
        raise ValueError(f"audience is one of {', '.join(AUDIENCES)}, not {audience}")


def kind(value: object, audience: Audience) -> str:
    """The kind of ``value`` in the words of ``audience`` (see the module's
    docstring). A value that place has no kind for is named by its Python
    type (``bytes``)."""
    _check(audience)
    if audience == PYTHON:
        return _python_type(value)
    if isinstance(value, bool):
        return "a boolean" if audience == JSON else "true or false"
    if isinstance(value, str):
        return "a string"
    if audience == JSON:
        if value is None:
            return "null"
        if isinstance(value, int | float):
            return "a number"
        if isinstance(value, list | tuple):
            return "an array"
        if isinstance(value, dict):
            return "an object"
        return type(value).__name__
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number with a fraction"
    if isinstance(value, list | tuple):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    from datetime import date, datetime, time

    # "TOML" said: a query's own datetimes are another thing.
    if isinstance(value, datetime):
        return "a TOML datetime"
    if isinstance(value, date):
        return "a TOML date"
    if isinstance(value, time):
        return "a TOML time"
    return type(value).__name__


def _string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _cut(text: str) -> str:
    return text if len(text) <= MOST else text[: MOST - 1] + "…"


def _repr(value: object) -> str:
    """Python's repr of ``value``, cut to :data:`MOST`; a repr that fails
    (a set of integers past Python's 4300 digits) names the type instead."""
    try:
        return _cut(repr(value))
    except Exception:  # a caller's object: its repr may raise anything
        return f"<{_python_type(value)}>"


#: How a message writes an integer of more than :data:`LONGEST` digits
#: inside a value (at the top, :func:`given` names it in words).
_HUGE_INT = "<an integer of more than {} digits>"


def written(value: Any, audience: Audience, limit: int | None = None) -> str:
    """``value`` as ``audience`` writes it: ``true``/``True``, ``3``,
    ``"a"``, ``[3, "a"]``, a TOML table ``{a = 1, "a b" = 2}``, a Python
    dict ``{"a": 1}``, a TOML date ``2026-10-25``. What that place cannot
    write is Python's repr, cut to :data:`MOST` characters; an integer of
    more than :data:`LONGEST` digits is named (``<an integer of more than
    60 digits>``: past 4300 Python cannot write it); a list or dict that
    holds itself is ``[...]``/``{...}``, as Python writes it. ``limit``: the
    most characters, the rest cut (``…``). Any nesting is walked without
    recursion, and with a ``limit`` only as far as it shows."""
    return _written(value, audience, limit)[0]


def _written(value: Any, audience: Audience, limit: int | None) -> tuple[str, bool]:
    """:func:`written`, and whether it was cut at ``limit``."""
    _check(audience)
    pieces: list[str] = []
    size = 0
    open_ids: set[int] = set()  # the containers being written: a cycle is [...]
    # Work items, last first: text to add, a value to write, or (an int)
    # the id of a container whose writing ends there.
    todo: list[tuple[int, Any]] = [(_VALUE, value)]
    while todo:
        what, item = todo.pop()
        if what == _CLOSE:
            open_ids.discard(item)
            continue
        if what == _TEXT:
            text = item
        else:
            text = _one(item, audience, todo, open_ids, None if limit is None else limit - size)
        pieces.append(text)
        size += len(text)
        if limit is not None and size > limit:
            return "".join(pieces)[: max(limit - 1, 0)] + "…", True
    return "".join(pieces), False


_TEXT, _VALUE, _CLOSE = 0, 1, 2


def _one(
    value: Any,
    audience: Audience,
    todo: list[tuple[int, Any]],
    open_ids: set[int],
    room: int | None,
) -> str:
    """The text that starts ``value``; what follows it (a container's
    items) is pushed onto ``todo``, in reverse. ``room``: the characters
    left (a long string is escaped only as far as shows)."""
    if isinstance(value, str):
        text = str.__str__(value)
        if room is not None and len(text) > room:
            text = text[: room + 1]  # past the room: cut, the quote never closes
            return _string(text)[:-1]
        return _string(text)
    if isinstance(value, bool):
        return repr(value) if audience == PYTHON else ("true" if value else "false")
    if isinstance(value, int):
        if abs(value) >= 10**LONGEST:
            return _HUGE_INT.format(LONGEST)
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    if value is None and audience != TOML:
        return "None" if audience == PYTHON else "null"
    sets = isinstance(value, set | frozenset)
    if isinstance(value, list | tuple | dict) or sets:
        python_tuple = audience == PYTHON and _python_type(value) == "tuple"
        if id(value) in open_ids:  # it holds itself
            return "(...)" if python_tuple else "{...}" if isinstance(value, dict) else "[...]"
        if sets:
            if not value:
                return f"{_python_type(value)}()"
            start, end = ("{", "}") if _python_type(value) == "set" else ("frozenset({", "})")
        elif isinstance(value, dict):
            start, end = "{", "}"
        elif python_tuple:
            start, end = "(", ",)" if len(value) == 1 else ")"
        else:
            start, end = "[", "]"
        open_ids.add(id(value))
        todo.append((_CLOSE, id(value)))
        todo.append((_TEXT, end))
        parts: list[tuple[int, Any]] = []
        for n, item in enumerate(value.items() if isinstance(value, dict) else value):
            if n:
                parts.append((_TEXT, ", "))
            if isinstance(value, dict):
                k, v = item
                if audience == TOML and _bare(k):
                    parts.append((_TEXT, f"{k} = "))
                else:
                    parts.append((_VALUE, k))
                    parts.append((_TEXT, " = " if audience == TOML else ": "))
                parts.append((_VALUE, v))
            else:
                parts.append((_VALUE, item))
            if room is not None and len(parts) > room:
                break  # more than can show: each item is a character at least
        todo.extend(reversed(parts))
        return start
    if audience == TOML:
        from datetime import date, time

        if isinstance(value, date | time):
            return value.isoformat()
    return _repr(value)


def _bare(key: object) -> bool:
    """Whether ``key`` is a bare TOML key: ASCII letters, digits, ``_``
    and ``-``."""
    return (
        isinstance(key, str)
        and bool(key)
        and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
    )


def given(value: Any, audience: Audience) -> str:
    """What a "got ..." says of ``value``: :func:`written`, after its
    :func:`kind` where the spelling alone does not say it: a JSON or TOML
    array or table (``an array, [3, "a"]``), a TOML date or time (``a
    TOML time, 10:00:00``). Python's own spelling says the kind
    (``[1, "a"]``, ``b'x'``, ``Decimal('3')``). A string longer than
    :data:`LONGEST` is cut, its length said; an integer of more digits is
    named, not written (past 4300 digits Python cannot write it). Anything
    else is written as far as :data:`LONGEST` characters, and a list or
    dict cut there says how many items it holds (``{"0": 0, …
    (2,000 items)``)."""
    if isinstance(value, str) and len(value) > LONGEST:
        text = str.__str__(value)
        return f"{_string(text[:LONGEST])}… ({len(text):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**LONGEST:
        return f"an integer of more than {LONGEST} digits"
    shown, cut = _written(value, audience, LONGEST)
    if cut and isinstance(value, list | tuple | dict | set | frozenset):
        shown += f" ({len(value):,} item{'s' if len(value) != 1 else ''})"
    if audience == PYTHON or isinstance(value, str | bool | int | float) or value is None:
        return shown
    return f"{kind(value, audience)}, {shown}"
