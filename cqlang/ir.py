"""The checked form of a query: typed atoms on resolved fields.

The checker turns the AST into this form: property names are the schema's,
values have their field's type (datetimes as UTC epoch seconds, integers as
``int``, enum values in upper case), parameters are bound and ``@name``
references are inlined. The planner and the evaluator read only this form.

``IAnd(())`` is true (the empty query) and ``IOr(())`` is false.
"""

from __future__ import annotations

from .node import Node
from .node import field as attr

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from .types import Op, ValueType

#: Atom operators and their negations under three-valued logic: negating an
#: atom gives exactly the atom below, on a present field and on a missing one.
NEGATE: dict[Op, Op] = {
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

#: The language's comparisons (``Compare.op``, canonical: ``types.CompareOp``)
#: and the atom each becomes, the one table of the pair: the checker reads
#: it one way, the formatter and the evaluator (:data:`COMPARE_TEXT`) the
#: other.
COMPARE_OPS: dict[str, Op] = {
    "=": "eq",
    "!=": "ne",
    "<": "lt",
    "<=": "le",
    ">": "gt",
    ">=": "ge",
}

#: The inverse of :data:`COMPARE_OPS`: an atom's operator as the language
#: writes it (``in``, ``nin``, ``null`` and ``notnull`` have words instead).
COMPARE_TEXT: dict[Op, str] = {op: text for text, op in COMPARE_OPS.items()}

Scalar = int | str
AtomValue = int | str | tuple[int, ...] | tuple[str, ...] | None


# Node classes (cqlang/node.py): equality and hash are on the value, spans
# left out.


class FieldRef(Node):
    """A resolved field: schema property, custom key, value type."""

    prop: str
    key: str | None
    type: ValueType
    record_field: str
    values: tuple[str, ...] = ()

    @property
    def ident(self) -> tuple[str, str | None]:
        return (self.prop, self.key)

    @property
    def display(self) -> str:
        """The field as messages name it, as the formatter writes it, so
        that it can be typed back: ``priority``, ``custom.region``, and a
        key that is no plain word quoted, ``custom["a b"]``, ``custom["😀"]``."""
        key = self.key
        if key is None:
            return self.prop
        if key.isascii() and key.isidentifier():
            return f"custom.{key}"
        escaped = key.replace("\\", "\\\\").replace('"', '\\"')
        escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
        return f'custom["{escaped}"]'


class Atom(Node):
    """``field op value``: one comparison the API or the evaluator can make."""

    field: FieldRef
    op: Op
    value: AtomValue
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)

    def negated(self) -> Atom:
        return Atom(self.field, NEGATE[self.op], self.value, self.start, self.end)


class _Junction(Node):
    """IAnd and IOr: ``items`` joined by the class's connective."""

    items: tuple[IExpr, ...]
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


class IAnd(_Junction):
    """All of ``items`` hold (``IAnd(())`` is true)."""


class IOr(_Junction):
    """At least one of ``items`` holds (``IOr(())`` is false)."""


class INot(Node):
    """``item`` does not hold."""

    item: IExpr
    start: int = attr(default=0, compare=False)
    end: int = attr(default=0, compare=False)


IExpr = Atom | IAnd | IOr | INot

TRUE = IAnd(())
FALSE = IOr(())


def to_nnf(expr: IExpr) -> IExpr:
    """Negation normal form: ``not`` pushed down onto the atoms (De Morgan).

    What a query means (cqlang/evaluator.py: ``not`` of a comparison is the
    opposite comparison, also on datetime text the calendar lacks).
    Iterative, so deep trees cannot overflow the stack. Nested
    ``and``/``or`` of the same kind are flattened.
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
