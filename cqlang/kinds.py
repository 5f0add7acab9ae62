"""What kind of value this is, and how it is written, for the reader of a
message: the one wording of "got an array" in cqlang.

A value reaches cqlang from one of three places, and a message names it in
the words of that place (docs/errors.md, "Values in messages"):

* ``JSON``: data from outside, as JSON has it (a record from the API, the
  language server's settings): ``null``, ``a boolean``, ``a number``,
  ``a string``, ``an array``, ``an object``.
* ``TOML``: a config file's value, as TOML has it: ``true or false``,
  ``an integer``, ``a number with a fraction``, ``a string``, ``an
  array``, ``a table``, ``a datetime``, ``a date``, ``a time``.
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

    if isinstance(value, datetime):
        return "a datetime"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, time):
        return "a time"
    return type(value).__name__


def _string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


def _cut(text: str) -> str:
    return text if len(text) <= MOST else text[: MOST - 1] + "…"


def written(value: Any, audience: Audience) -> str:
    """``value`` as ``audience`` writes it: ``true``/``True``, ``3``,
    ``"a"``, ``[3, "a"]``, a TOML table ``{a = 1, "a b" = 2}``, a Python
    dict ``{"a": 1}``, a TOML date ``2026-10-25``. What that place cannot
    write is Python's repr, cut to :data:`MOST` characters."""
    _check(audience)
    if isinstance(value, str):
        return _string(str.__str__(value))
    if isinstance(value, bool):
        return repr(value) if audience == PYTHON else ("true" if value else "false")
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return float.__repr__(value)
    if value is None and audience != TOML:
        return "None" if audience == PYTHON else "null"
    if isinstance(value, list | tuple):
        items = ", ".join(written(v, audience) for v in value)
        if audience == PYTHON and _python_type(value) == "tuple":
            return f"({items},)" if len(value) == 1 else f"({items})"
        return f"[{items}]"
    if isinstance(value, dict):
        if audience == TOML:
            pairs = (f"{_toml_key(k)} = {written(v, audience)}" for k, v in value.items())
        else:
            pairs = (f"{written(k, audience)}: {written(v, audience)}" for k, v in value.items())
        return "{" + ", ".join(pairs) + "}"
    if audience == TOML:
        from datetime import date, time

        if isinstance(value, date | time):
            return value.isoformat()
    return _cut(repr(value))


def _toml_key(key: object) -> str:
    """A TOML key: bare when it is made of ASCII letters, digits, ``_``
    and ``-``, else a quoted string."""
    if (
        isinstance(key, str)
        and key
        and all(c.isascii() and (c.isalnum() or c in "_-") for c in key)
    ):
        return key
    return _string(key) if isinstance(key, str) else written(key, TOML)


#: The most characters of a value a message writes out: a longer one is
#: cut there and its length said (:func:`given`).
LONGEST = 60


def given(value: Any, audience: Audience) -> str:
    """What a "got ..." says of ``value``: :func:`written`, after its
    :func:`kind` where the spelling alone does not say it: a JSON or TOML
    array or table (``an array, [3, "a"]``), a TOML date or time (``a
    TOML time, 10:00:00``). Python's own spelling says the kind
    (``[1, "a"]``, ``b'x'``, ``Decimal('3')``). A string longer than
    :data:`LONGEST` is cut, its length said; an integer of more digits is
    named, not written (past 4300 digits Python cannot write it)."""
    if isinstance(value, str) and len(value) > LONGEST:
        text = str.__str__(value)
        return f"{_string(text[:LONGEST])}… ({len(text):,} characters)"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**LONGEST:
        return f"an integer of more than {LONGEST} digits"
    shown = written(value, audience)
    if audience == PYTHON or isinstance(value, str | bool | int | float) or value is None:
        return shown
    named = kind(value, audience)
    if audience == TOML and named in ("a datetime", "a date", "a time"):
        return f"a TOML {named[2:]}, {shown}"
    return f"{named}, {shown}"
