"""The checked form of a query: typed atoms on resolved fields.

The checker turns the AST into this form: property names are the schema's,
values have their field's type (datetimes as UTC epoch seconds, integers as
``int``, enum values in upper case), parameters are bound and ``@name``
references are inlined. The planner and the evaluator read only this form.

``IAnd(())`` is true (the empty query) and ``IOr(())`` is false.
"""

from __future__ import annotations

from .frozen import Frozen, _set

#: Atom operators and their negations under three-valued logic: negating an
#: atom gives exactly the atom below, on a present field and on a missing one.
NEGATE: dict[str, str] = {
    "eq": "ne",
    "ne": "eq",
    "lt": "ge",
    "ge": "lt",
    "le": "gt",
    "gt": "le",
    "in": "nin",
    "nin": "in",
    "null": "notnull",
    "notnull": "null",
}

OPS = tuple(NEGATE)

Scalar = int | str
AtomValue = int | str | tuple[int, ...] | tuple[str, ...] | None


# Frozen value classes, not dataclasses: cqlang/frozen.py says why. Equality
# and hash are on the value (spans left out), as the dataclasses' were.


class FieldRef(Frozen):
    """A resolved field: schema property, custom key, value type."""

    __slots__ = ("key", "prop", "record_field", "type", "values")
    __match_args__ = ("prop", "key", "type", "record_field", "values")
    prop: str
    key: str | None
    type: str
    record_field: str
    values: tuple[str, ...]

    def __init__(
        self, prop: str, key: str | None, type: str, record_field: str, values: tuple[str, ...] = ()
    ) -> None:
        _set(self, "prop", prop)
        _set(self, "key", key)
        _set(self, "type", type)
        _set(self, "record_field", record_field)
        _set(self, "values", values)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return (
            self.prop == other.prop
            and self.key == other.key
            and self.type == other.type
            and self.record_field == other.record_field
            and self.values == other.values
        )

    def __hash__(self) -> int:
        return hash((self.prop, self.key, self.type, self.record_field, self.values))

    @property
    def ident(self) -> tuple[str, str | None]:
        return (self.prop, self.key)

    @property
    def display(self) -> str:
        """The field as messages name it: ``priority``, ``custom.region``."""
        return self.prop if self.key is None else f"custom.{self.key}"


class Atom(Frozen):
    """``field op value``: one comparison the API or the evaluator can make."""

    __slots__ = ("end", "field", "op", "start", "value")
    __match_args__ = ("field", "op", "value", "start", "end")
    field: FieldRef
    op: str
    value: AtomValue
    start: int
    end: int

    def __init__(
        self, field: FieldRef, op: str, value: AtomValue, start: int = 0, end: int = 0
    ) -> None:
        _set(self, "field", field)
        _set(self, "op", op)
        _set(self, "value", value)
        _set(self, "start", start)
        _set(self, "end", end)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.field == other.field and self.op == other.op and self.value == other.value

    def __hash__(self) -> int:
        return hash((self.field, self.op, self.value))

    def negated(self) -> Atom:
        return Atom(self.field, NEGATE[self.op], self.value, self.start, self.end)


class _Junction(Frozen):
    """IAnd and IOr: ``items`` joined by the class's connective."""

    __slots__ = ("end", "items", "start")
    __match_args__ = ("items", "start", "end")
    items: tuple[IExpr, ...]
    start: int
    end: int

    def __init__(self, items: tuple[IExpr, ...], start: int = 0, end: int = 0) -> None:
        _set(self, "items", items)
        _set(self, "start", start)
        _set(self, "end", end)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.items == other.items

    def __hash__(self) -> int:
        return hash((self.__class__, self.items))


class IAnd(_Junction):
    """All of ``items`` hold (``IAnd(())`` is true)."""

    __slots__ = ()


class IOr(_Junction):
    """At least one of ``items`` holds (``IOr(())`` is false)."""

    __slots__ = ()


class INot(Frozen):
    """``item`` does not hold."""

    __slots__ = ("end", "item", "start")
    __match_args__ = ("item", "start", "end")
    item: IExpr
    start: int
    end: int

    def __init__(self, item: IExpr, start: int = 0, end: int = 0) -> None:
        _set(self, "item", item)
        _set(self, "start", start)
        _set(self, "end", end)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self.item == other.item

    def __hash__(self) -> int:
        return hash((INot, self.item))


IExpr = Atom | IAnd | IOr | INot

TRUE = IAnd(())
FALSE = IOr(())


def to_nnf(expr: IExpr) -> IExpr:
    """Negation normal form: ``not`` pushed down onto the atoms (De Morgan).

    Exact under three-valued logic. Iterative, so deep trees cannot overflow
    the stack. Nested ``and``/``or`` of the same kind are flattened.
    """
    if isinstance(expr, Atom) or (
        isinstance(expr, IAnd | IOr) and all(type(x) is Atom for x in expr.items)
    ):
        return expr  # already in negation normal form, and flat
    # Work items: (node, negate, slot list to append the result to).
    root: list[IExpr] = []
    stack: list[tuple[object, bool, list[IExpr]]] = [(expr, False, root)]
    # Post-order building: a frame marker carries the collected children.
    while stack:
        node, neg, out = stack.pop()
        if isinstance(node, _Build):
            kids = node.kids
            flat: list[IExpr] = []
            for k in kids:
                if type(k) is node.cls:
                    flat.extend(k.items)
                else:
                    flat.append(k)
            built: IExpr = node.cls(tuple(flat), node.start, node.end)
            if len(flat) == 1:
                built = flat[0]
            node.out.append(built)
            continue
        if isinstance(node, Atom):
            out.append(node.negated() if neg else node)
        elif isinstance(node, INot):
            stack.append((node.item, not neg, out))
        elif isinstance(node, IAnd | IOr):
            cls: type[IAnd] | type[IOr]
            if isinstance(node, IAnd):
                cls = IOr if neg else IAnd
            else:
                cls = IAnd if neg else IOr
            frame = _Build(cls, node.start, node.end, out)
            stack.append((frame, neg, out))
            # Children are pushed in reverse so they are built in order.
            for child in reversed(node.items):
                stack.append((child, neg, frame.kids))
        else:  # pragma: no cover
            raise TypeError(node)
    return root[0]


class _Build:
    __slots__ = ("cls", "end", "kids", "out", "start")

    def __init__(self, cls: type[IAnd] | type[IOr], start: int, end: int, out: list[IExpr]):
        self.cls = cls
        self.start = start
        self.end = end
        self.out = out
        self.kids: list[IExpr] = []


def atoms(expr: IExpr) -> list[Atom]:
    """Every atom of ``expr``, left to right."""
    found: list[Atom] = []
    stack: list[IExpr] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, Atom):
            found.append(node)
        elif isinstance(node, INot):
            stack.append(node.item)
        else:
            stack.extend(reversed(node.items))
    return found


def record_fields(expr: IExpr) -> frozenset[str]:
    """The fields of a record that evaluating ``expr`` reads: each atom's
    ``FieldRef.record_field`` (``custom`` for every custom field)."""
    return frozenset(a.field.record_field for a in atoms(expr))
