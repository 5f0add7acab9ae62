"""The syntax tree of a cqlang query: nodes (cqlang/node.py) with source spans.

Every node carries ``start`` and ``end``: 0-based character offsets into the
query text, ``end`` exclusive (the root :class:`Query` spans the whole text).
Spans do not take part in equality, so two trees built from differently
spaced texts of the same query compare equal. Every class derives from
:class:`SyntaxNode`, which tells a type checker so: ``walk()`` yields
syntax nodes, each with ``start`` and ``end``.
The parser (cqlang/parser/) is the only producer; everything downstream
reads these classes and never sees Lark.
"""

from __future__ import annotations

from .node import Node
from .node import field as attr

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from collections.abc import Iterator

    from .types import CompareOp


class SyntaxNode(Node):
    """The base of the syntax tree's classes: each has ``start`` and ``end``
    (declared by each class as a field of its own, after its other fields,
    so that positional construction and ``match`` keep their order), and
    :meth:`walk` yields syntax nodes only."""

    __slots__ = ()

    if TYPE_CHECKING:  # what a type checker reads; at run time, Node's own

        @property
        def start(self) -> int:
            """0-based offset of the node's first character in the query text."""
            ...

        @property
        def end(self) -> int:
            """0-based offset just past the node's last character."""
            ...

        def walk(self) -> Iterator[SyntaxNode]: ...


# ------------------------------------------------------------------ fields


class Field(SyntaxNode):
    """A property (``priority``) or a custom field (``custom.region``).

    ``name`` is the property as typed (the checker normalises it); for custom
    fields it is ``"custom"`` and ``key`` holds the custom field's key.
    """

    name: str
    key: str | None = None
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


# ------------------------------------------------------------------ values


class Str(SyntaxNode):
    """A string: quoted (``quoted=True``) or a bare word such as ``OPEN``.

    Quoting does not take part in equality: ``"PL"`` and ``PL`` are the same
    string value (the formatter quotes bare words that are not enum values).
    """

    value: str
    quoted: bool = attr(default=True, compare=False)
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class Int(SyntaxNode):
    """An integer; ``text`` keeps the digits as typed (leading zeros too)."""

    value: int
    text: str
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class DateTime(SyntaxNode):
    """A bare datetime literal such as ``2021-08-10`` or ``2021-08-10T14:30Z``."""

    text: str
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class RelTime(SyntaxNode):
    """``now``, ``today`` or ``yesterday`` shifted by durations.

    ``shifts`` holds ``(amount, unit)`` pairs, the amount signed and the
    unit as written (``today - 7d`` is ``(("today"), ((-7, "d"),))``);
    ``unit_spans`` the span of each unit, for messages.
    """

    base: str
    shifts: tuple[tuple[int, str], ...] = ()
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)
    unit_spans: tuple[tuple[int, int], ...] = attr(default=(), compare=False)


class Param(SyntaxNode):
    """A parameter ``$name``, bound at compile time."""

    name: str
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


Value = Str | Int | DateTime | RelTime | Param

# ------------------------------------------------------------- predicates


class Compare(SyntaxNode):
    """``field op value``; ``op`` is canonical: = != < <= > >=."""

    field: Field
    op: CompareOp
    value: Value
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class In(SyntaxNode):
    """``field [not] in (values)`` or ``field [not] in $param``."""

    field: Field
    values: tuple[Value, ...] | Param
    negated: bool = False
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class Between(SyntaxNode):
    """``field [not] between low and high`` (inclusive)."""

    field: Field
    low: Value
    high: Value
    negated: bool = False
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class IsNull(SyntaxNode):
    """``field is [not] null``."""

    field: Field
    negated: bool = False
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class Ref(SyntaxNode):
    """``@name``: a named query from a config file, inlined by the checker."""

    name: str
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


# ------------------------------------------------------------- connectives


class Not(SyntaxNode):
    expr: Expr
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class And(SyntaxNode):
    """A flat conjunction of two or more operands."""

    items: tuple[Expr, ...]
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class Or(SyntaxNode):
    """A flat disjunction of two or more operands."""

    items: tuple[Expr, ...]
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


Predicate = Compare | In | Between | IsNull
Expr = Compare | In | Between | IsNull | Ref | Not | And | Or


class Query(SyntaxNode):
    """A whole query; ``expr`` is ``None`` for the empty query. Its span is
    the whole ``text`` (``start`` 0, ``end`` its length), set from it."""

    expr: Expr | None
    text: str = attr(default="", compare=False)
    start: int = attr(default=0, compare=False, init=False)
    end: int = attr(default=0, compare=False, init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", 0)
        object.__setattr__(self, "end", len(self.text))


# ------------------------------------------------------------ tree helpers


def parameters(tree: SyntaxNode | None) -> tuple[str, ...]:
    """The names of the parameters (``$name``) that ``tree`` (a query or any
    part of one) uses, in text order, each once. ``"$name"`` inside a
    string is text, not a parameter."""
    if tree is None:
        return ()
    if not isinstance(tree, SyntaxNode):
        raise _not_a_tree(tree)
    return tuple(dict.fromkeys(p.name for p in tree.find_all(Param)))


def references(tree: SyntaxNode | None) -> tuple[str, ...]:
    """The named queries (``@name``) that ``tree`` refers to itself (not
    through them), in text order, each once."""
    if tree is None:
        return ()
    if not isinstance(tree, SyntaxNode):
        raise _not_a_tree(tree)
    return tuple(dict.fromkeys(r.name for r in tree.find_all(Ref)))


def _not_a_tree(value: object) -> TypeError:
    """The ``TypeError`` of :func:`parameters` and :func:`references` given
    no syntax tree, in argcheck's words (``NAME is TAKES, not TYPE``)."""
    takes = "a syntax tree (cqlang.parse's Query, or any node of it) or None"
    return TypeError(f"tree is {takes}, not {type(value).__name__}")


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
    "SyntaxNode",
    "Value",
    "parameters",
    "references",
]
