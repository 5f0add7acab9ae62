"""The syntax tree of a cqlang query: frozen dataclasses with source spans.

Every node carries ``start`` and ``end``: 0-based character offsets into the
query text, ``end`` exclusive. Spans do not take part in equality, so two
trees built from differently spaced texts of the same query compare equal.
The parser (cqlang/parser.py) is the only producer; everything downstream
reads these classes and never sees Lark.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dfield

# ------------------------------------------------------------------ fields


@dataclass(frozen=True, slots=True)
class Field:
    """A property (``priority``) or a custom field (``custom.region``).

    ``name`` is the property as typed (the checker normalises it); for custom
    fields it is ``"custom"`` and ``key`` holds the custom field's key.
    """

    name: str
    key: str | None = None
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


# ------------------------------------------------------------------ values


@dataclass(frozen=True, slots=True)
class Str:
    """A string: quoted (``quoted=True``) or a bare word such as ``OPEN``.

    Quoting does not take part in equality: ``"PL"`` and ``PL`` are the same
    string value (the formatter quotes bare words that are not enum values).
    """

    value: str
    quoted: bool = dfield(default=True, compare=False)
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Int:
    """An integer; ``text`` keeps the digits as typed (leading zeros too)."""

    value: int
    text: str
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class DateTime:
    """A bare datetime literal such as ``2021-08-10`` or ``2021-08-10T14:30Z``."""

    text: str
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class RelTime:
    """``now``, ``today`` or ``yesterday`` shifted by durations.

    ``shifts`` holds ``(amount, unit)`` pairs, the amount signed and the
    unit as written (``today - 7d`` is ``(("today"), ((-7, "d"),))``);
    ``unit_spans`` the span of each unit, for messages.
    """

    base: str
    shifts: tuple[tuple[int, str], ...] = ()
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)
    unit_spans: tuple[tuple[int, int], ...] = dfield(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class Param:
    """A parameter ``$name``, bound at compile time."""

    name: str
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


Value = Str | Int | DateTime | RelTime | Param

# ------------------------------------------------------------- predicates


@dataclass(frozen=True, slots=True)
class Compare:
    """``field op value``; ``op`` is canonical: = != < <= > >=."""

    field: Field
    op: str
    value: Value
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class In:
    """``field [not] in (values)`` or ``field [not] in $param``."""

    field: Field
    values: tuple[Value, ...] | Param
    negated: bool = False
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Between:
    """``field [not] between low and high`` (inclusive)."""

    field: Field
    low: Value
    high: Value
    negated: bool = False
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class IsNull:
    """``field is [not] null``."""

    field: Field
    negated: bool = False
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Ref:
    """``@name``: a named query from a config file, inlined by the checker."""

    name: str
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


# ------------------------------------------------------------- connectives


@dataclass(frozen=True, slots=True)
class Not:
    expr: Expr
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class And:
    """A flat conjunction of two or more operands."""

    items: tuple[Expr, ...]
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Or:
    """A flat disjunction of two or more operands."""

    items: tuple[Expr, ...]
    start: int = dfield(default=0, compare=False)
    end: int = dfield(default=0, compare=False)


Predicate = Compare | In | Between | IsNull
Expr = Compare | In | Between | IsNull | Ref | Not | And | Or


@dataclass(frozen=True, slots=True)
class Query:
    """A whole query; ``expr`` is ``None`` for the empty query."""

    expr: Expr | None
    text: str = dfield(default="", compare=False)


__all__ = [
    "And",
    "Between",
    "Compare",
    "DateTime",
    "Expr",
    "Field",
    "In",
    "Int",
    "IsNull",
    "Not",
    "Or",
    "Param",
    "Predicate",
    "Query",
    "Ref",
    "RelTime",
    "Str",
    "Value",
]
