"""The API's filter lists, read as the API reads them: each object an atom
of the evaluator's IR, all of which must hold.

:func:`filter_atoms` checks a list as the API would (and says plainly what
it would refuse); :func:`compile_filters` gives its matcher, the
evaluator's (:func:`cqlang.evaluator.compile_matcher`): the emulator serves
records by it, the client guards a request sent with ``ne`` by it, and the
decompiler reads a list through it.
"""

from __future__ import annotations

import json

from . import timeexpr
from .evaluator import compile_matcher
from .ir import Atom, FieldRef, IAnd
from .schema import API_OPERATOR_ATOMS, DEFAULT_SCHEMA, Schema

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

    from .evaluator import Matcher
    from .types import Op


class FilterError(ValueError):
    """A filter list the API would refuse (the emulator answers 400).

    ``kind`` says what is wrong: ``shape`` (not a list of filter objects),
    ``property``, ``operator`` or ``value``; ``index``, for a value that is
    a list, which element of it (``None``: the value as a whole)."""

    def __init__(self, message: str, kind: str = "shape", index: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.index = index


_API_OP: dict[str, Op] = API_OPERATOR_ATOMS


def filter_atoms(filters: Any, schema: Schema | None = None, *, first: int = 0) -> list[Atom]:
    """Validate a filter list as the API reads it and return its atoms.

    Raises :class:`FilterError` with a plain message for anything the API
    would refuse: not a list of objects, an unknown property or operator, a
    value of the wrong shape or type, a missing ``key``. A message names an
    object by its place, ``filter[N]``, counted from ``first`` (a part of a
    longer list read alone names its objects by their places in it).
    """
    schema = schema or DEFAULT_SCHEMA
    if not isinstance(filters, list | tuple):  # a tuple from Python reads as a list
        raise FilterError("filter must be a JSON list of objects")
    out: list[Atom] = []
    for i, obj in enumerate(filters):
        where = f"filter[{first + i}]"
        if not isinstance(obj, dict):
            raise FilterError(f"{where} is not an object")
        unknown = set(obj) - {"property", "operator", "value", "key"}
        if unknown:
            raise FilterError(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
        name = obj.get("property")
        if not isinstance(name, str) or "value" not in obj:
            raise FilterError(f"{where} needs 'property' and 'value'")
        prop = schema.properties.get(name)
        if prop is None:
            raise FilterError(f"{where}: unknown property {name!r}", "property")
        key = obj.get("key")
        if prop.keyed:
            if not isinstance(key, str):
                raise FilterError(f"{where}: {name} needs a string 'key'")
            if not key.strip():
                raise FilterError(f"{where}: {name} needs a 'key' that is not empty or blank")
            # The API compares custom fields as strings, whatever their type.
            field = FieldRef(prop.name, key, "string", prop.record_field)
        else:
            if key is not None:
                raise FilterError(f"{where}: {name} takes no 'key'")
            field = FieldRef(prop.name, None, prop.type, prop.record_field, prop.values)
        operator = obj.get("operator")
        value = obj["value"]
        if prop.api == "range":
            operator = operator or "eq"
            if operator not in prop.operators:
                raise FilterError(
                    f"{where}: operator {_shown(operator)} is not available for {name} "
                    f"(available: {', '.join(prop.operators)})",
                    "operator",
                )
            out.append(Atom(field, _API_OP[operator], _scalar(field, value, where)))
        elif prop.api == "membership":
            if operator is not None:
                raise FilterError(f"{where}: {name} takes no operator", "operator")
            items = value if isinstance(value, list | tuple) else [value]
            if not items:
                raise FilterError(f"{where}: {name} needs at least one value", "value")
            scalars = tuple(_scalars(field, items, where, value is items))
            out.append(Atom(field, "in", scalars))  # type: ignore[arg-type]
        else:
            if operator not in (None, "eq"):
                raise FilterError(f"{where}: {name} takes no operator", "operator")
            if isinstance(value, list | tuple):
                # The API page's own example sends [123123123] for
                # contact_number: a list of one value means that value.
                if len(value) != 1:
                    raise FilterError(
                        f"{where}: {name} takes one value, got a list of {len(value)}", "value"
                    )
                (scalar,) = _scalars(field, value, where, True)
            else:
                scalar = _scalar(field, value, where)
            out.append(Atom(field, "eq", scalar))
    return out


def _scalars(field: FieldRef, items: Any, where: str, listed: bool) -> list[int | str]:
    """Each of ``items`` read by :func:`_scalar`; an element that does not
    fit is named by its index (``FilterError.index``) when ``listed`` (the
    value is that list: a diagnostic points at the element)."""
    out = []
    for n, v in enumerate(items):
        try:
            out.append(_scalar(field, v, where))
        except FilterError as exc:
            if listed:
                exc.index = n
            raise
    return out


def _shown(value: Any) -> str:
    """A value of a filter list as a message quotes it: as JSON, the
    language it was written in (``true``, ``null``, ``"OPEN"``, not Python's
    ``True``, ``None``, ``'OPEN'``), cut short past 60 characters."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, RecursionError):  # a cycle, or nested past the stack
        text = f"a {type(value).__name__}"
    return text if len(text) <= 60 else text[:59] + "…"


def _scalar(field: FieldRef, value: Any, where: str) -> int | str:
    typ = field.type
    if typ == "integer":
        if value.__class__ is not int:
            raise FilterError(f"{where}: {field.prop} takes integers, got {_shown(value)}", "value")
        return int(value)
    if typ == "datetime":
        if not isinstance(value, str):
            raise FilterError(
                f"{where}: {field.prop} takes 'YYYY-MM-DD HH:mm:ss', got {_shown(value)}", "value"
            )
        # Only the API's own form (a T, a zone or a missing second is not it).
        seconds = timeexpr.parse_utc(value) if timeexpr.is_api_text(value) else None
        if seconds is None:
            raise FilterError(
                f"{where}: {field.prop} takes 'YYYY-MM-DD HH:mm:ss', got {_shown(value)}", "value"
            )
        return seconds
    if typ == "enum":
        if not isinstance(value, str) or value not in field.values:
            raise FilterError(
                f"{where}: {field.prop} takes one of {', '.join(field.values)}, "
                f"got {_shown(value)}",
                "value",
            )
        return value
    if value.__class__ is int:
        return str(value)
    if not isinstance(value, str):
        raise FilterError(f"{where}: {field.prop} takes a string, got {_shown(value)}", "value")
    return value


def compile_filters(filters: Any, schema: Schema | None = None) -> Matcher:
    """The API's semantics of a filter list: all objects must hold."""
    return compile_matcher(IAnd(tuple(filter_atoms(filters, schema))))
