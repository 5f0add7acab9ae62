"""The vocabulary of cqlang as types: operators, value types, severities,
and the shape of a filter object.

Only type checkers need this module: cqlang's own modules import it under
``TYPE_CHECKING`` (it imports :mod:`typing`, which the command line's start
does without). The values at run time are the tuples beside each type
(``cqlang.ir.OPS``, ``cqlang.schema.TYPES``, ...); tests/test_types.py
keeps each ``Literal`` and its tuple equal.
"""

# No "from __future__ import annotations" here: TypedDict reads NotRequired
# from the evaluated annotations (Filter.__required_keys__).
from collections.abc import Mapping
from typing import Literal, NotRequired, TypedDict

__all__ = [
    "ApiKind",
    "ApiOperator",
    "CompareOp",
    "Filter",
    "FilterValue",
    "FrozenFilter",
    "FrozenFilterValue",
    "LanguageOp",
    "Op",
    "Severity",
    "ValueType",
]

#: An operator of the checked form (cqlang/ir.py, ``Atom.op``).
Op = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "nin", "null", "notnull"]

#: A comparison as the syntax tree keeps it (``Compare.op``, canonical).
CompareOp = Literal["=", "!=", "<", "<=", ">", ">="]

#: An operator of the language, as messages and the schema's table name it.
LanguageOp = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not in", "between", "not between"]

#: The value type of a property or custom field.
ValueType = Literal["datetime", "integer", "enum", "string"]

#: How the API tests a property (cqlang/schema.py).
ApiKind = Literal["range", "membership", "equality"]

#: An operator of the API's filter objects.
ApiOperator = Literal["gt", "gte", "lte", "lt", "eq", "ne"]

#: A diagnostic's severity.
Severity = Literal["error", "warning"]

#: The value of a filter object: one value, or a list (membership).
FilterValue = int | str | list[int] | list[str]


class Filter(TypedDict):
    """One object of the API's ``filter`` list: every object of a list must
    hold for a record to be returned."""

    property: str
    operator: NotRequired[ApiOperator]
    key: NotRequired[str]
    value: FilterValue


#: The value of a read-only filter object: one value, or a tuple.
FrozenFilterValue = int | str | tuple[int, ...] | tuple[str, ...]

#: A filter object that cannot be changed, as ``Plan.filters`` holds them
#: (a plan is shared): at run time a ``dict`` whose changes raise
#: ``TypeError`` (``cqlang.env.FrozenDict``), a list value a tuple whose
#: repr and ``==`` are a list's. ``Plan.branches`` gives :class:`Filter`
#: copies to change.
FrozenFilter = Mapping[str, FrozenFilterValue]
