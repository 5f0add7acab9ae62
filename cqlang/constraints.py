"""Constraints: the set of values one field may take in a branch of a plan.

A query's predicates on one field, once ``and``-ed together, are one
constraint: a union of closed integer intervals (integers and datetimes in
epoch seconds), a set of enum or string values (or "anything but" a set), or
"null". The planner (cqlang/dnf.py) intersects them for ``and``, unites
them for ``or`` where the union is one constraint again, and compares them
(:func:`subset`) to drop a branch another implies; the compiler says what
the API can express of each.

Datetimes are not quite integers: a record's datetime text in the API's
shape is compared as text, and text the calendar lacks (``2026-02-30
10:00:00``, ``2026-02-28 24:00:00``, ``... 10:00:5a``) lies *between* two
seconds. Each interval of seconds ``[lo, hi]`` stands for the texts from
``lo``'s to ``hi``'s, so two intervals that merely touch (``[a, b]`` and
``[b + 1, c]``) are not ``[a, c]``: the text between ``b`` and ``b + 1`` is
in neither. A datetime constraint (``gaps``) therefore joins only intervals
that overlap or share an end; its intersection is worked out on doubled
numbers (``2s`` the second ``s``, ``2s + 1`` the texts between ``s`` and
``s + 1``), where every set it can hold is a union of closed intervals with
even ends again, so union, intersection and inclusion are exact for text
too. The atoms the checker makes on a datetime are ``<``, ``<=``, ``>``,
``>=`` (``=`` and ``!=`` are ranges of them, ``!=`` the two sides), each a
closed range of such text, which is what lets this hold.
"""

from __future__ import annotations

from collections.abc import Iterable

from .ir import Atom, AtomValue
from .node import Node
from .node import field as attr
from .timeexpr import CAL_MAX, CAL_MIN

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any, TypeGuard

NEG = -(1 << 62)
POS = 1 << 62
_NOTHING: frozenset[Any] = frozenset()

Span = tuple[int, int]


# ------------------------------------------------------------ constraints


# Node classes (cqlang/node.py); spans and the remembered bounds take no
# part in equality.


class Ordered(Node):
    """Integers or datetimes (epoch seconds): a union of closed intervals,
    sorted, disjoint and, for integers, not adjacent (for datetimes,
    ``gaps``, adjacent intervals stay apart: module docstring). ``gt``/``lt``
    remember the bounds the user wrote as ``>``/``<``, so the compiler can
    keep their operator; ``left_out`` the integers the user left out as
    values (``!=``, ``not in``), so the residual can write them so."""

    ivs: tuple[tuple[int, int], ...]
    gt: frozenset[int] = attr(default=frozenset(), compare=False)
    lt: frozenset[int] = attr(default=frozenset(), compare=False)
    span: Span = attr(default=(0, 0), compare=False)
    #: A datetime's: values lie between consecutive seconds too.
    gaps: bool = attr(default=False, compare=False)
    left_out: frozenset[int] = attr(default=frozenset(), compare=False)

    @property
    def full(self) -> bool:
        return self.ivs == ((NEG, POS),)


class Discrete(Node):
    """Enum or string values: ``pos`` the allowed values (``None``: any value
    but not null) minus ``neg``. Order of ``pos`` is first appearance."""

    pos: tuple[Any, ...] | None
    neg: frozenset[Any] = frozenset()
    span: Span = attr(default=(0, 0), compare=False)

    @property
    def full(self) -> bool:
        return self.pos is None and not self.neg


class Null(Node):
    """``is null``: the field is missing or null."""

    span: Span = attr(default=(0, 0), compare=False)


Constraint = Ordered | Discrete | Null


def _norm_ivs(ivs: Iterable[tuple[int, int]], gaps: bool = False) -> tuple[tuple[int, int], ...]:
    """Sorted, disjoint intervals: those that overlap joined, and those that
    touch too unless values lie between whole numbers (``gaps``)."""
    out: list[list[int]] = []
    reach = 0 if gaps else 1
    for lo, hi in sorted(ivs):
        if lo > hi:
            continue
        if out and lo <= out[-1][1] + reach:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((a, b) for a, b in out)


def _points(values: Iterable[int], gaps: bool = False) -> tuple[tuple[int, int], ...]:
    return _norm_ivs(((v, v) for v in values), gaps)


def _doubled(ivs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """Datetime intervals on doubled numbers (module docstring)."""
    return tuple((NEG if lo == NEG else 2 * lo, POS if hi == POS else 2 * hi) for lo, hi in ivs)


def _halved(ivs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    """:func:`_doubled` undone: the ends are even (or infinite) again."""
    return tuple((NEG if lo == NEG else lo // 2, POS if hi == POS else hi // 2) for lo, hi in ivs)


def _complement(ivs: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
    out = []
    prev = NEG
    for lo, hi in ivs:
        if lo > prev:
            out.append((prev, lo - 1))
        prev = hi + 1
    if prev <= POS:
        out.append((prev, POS))
    return tuple(out)


def constraint_of(atom: Atom) -> Constraint:
    """The set of values an atom (on a present field) allows."""
    op, v, f = atom.op, atom.value, atom.field
    span = (atom.start, atom.end)
    if op == "null":
        return Null(span)
    if f.type in ("integer", "datetime"):
        gt: frozenset[int] = _NOTHING
        lt: frozenset[int] = _NOTHING
        out: frozenset[int] = _NOTHING
        ivs: tuple[tuple[int, int], ...]
        if op == "notnull":
            ivs = ((NEG, POS),)
        elif op == "in" or op == "nin":
            points = _points(_ints(v), f.type == "datetime")
            ivs = points if op == "in" else _complement(points)
            if op == "nin":
                out = frozenset(_ints(v))
        else:
            n = _int(v)
            if op == "eq":
                ivs = ((n, n),)
            elif op == "ne":
                ivs = ((NEG, n - 1), (n + 1, POS))
                out = frozenset((n,))
            elif op == "lt":
                ivs, lt = ((NEG, n - 1),), frozenset({n})
            elif op == "le":
                ivs = ((NEG, n),)
            elif op == "gt":
                ivs, gt = ((n + 1, POS),), frozenset({n})
            else:  # ge
                ivs = ((n, POS),)
        if f.type == "datetime":  # no datetime lies outside the calendar
            ivs = tuple((lo, hi) for lo, hi in ivs if lo <= CAL_MAX and hi >= CAL_MIN)
            return Ordered(ivs, gt, lt, span, True)
        return Ordered(ivs, gt, lt, span, False, out)
    universe = f.values if f.type == "enum" else None
    pos: tuple[Any, ...] | None
    neg: frozenset[Any]
    if op == "notnull":
        pos, neg = None, _NOTHING
    elif op == "eq":
        pos, neg = (v,), _NOTHING
    elif op == "in":
        pos, neg = tuple(dict.fromkeys(_values(v))), _NOTHING
    elif op == "ne":
        pos, neg = None, frozenset({v})
    else:  # nin
        pos, neg = None, frozenset(_values(v))
    return _discrete(pos, neg, span, universe)


# The checker gives an atom the value its operator and field type call for:
# an int for a comparison on an ordered field, a tuple for in/nin. These say
# so to the type checker, and fail loudly on an atom built otherwise.


def _int(v: AtomValue) -> int:
    if type(v) is int:
        return v
    raise TypeError(f"an ordered field compares with an int, not {v!r}")


def _values(v: AtomValue) -> tuple[int, ...] | tuple[str, ...]:
    if isinstance(v, tuple):
        return v
    raise TypeError(f"in and nin take a tuple of values, not {v!r}")


def _ints(v: AtomValue) -> tuple[int, ...]:
    values = _values(v)
    if _all_ints(values):
        return values
    raise TypeError(f"an ordered field takes int values, not {v!r}")


def _all_ints(values: tuple[int, ...] | tuple[str, ...]) -> TypeGuard[tuple[int, ...]]:
    return all(type(x) is int for x in values)


def _discrete(
    pos: tuple[Any, ...] | None,
    neg: frozenset[Any],
    span: Span,
    universe: tuple[str, ...] | None,
) -> Discrete:
    if pos is None and universe:
        pos = universe  # a closed enum: "any value" is its whole list
    if pos is not None:
        if universe:
            allowed = set(pos) - neg
            pos = tuple(u for u in universe if u in allowed)  # schema order
        elif neg:
            pos = tuple(p for p in pos if p not in neg)
        neg = _NOTHING
    return Discrete(pos, neg, span)


def intersect(a: Constraint, b: Constraint, universe: tuple[str, ...] | None) -> Constraint | None:
    """``a and b``; ``None`` when nothing satisfies both."""
    return intersect_all([a, b], universe)


def union(a: Constraint, b: Constraint) -> Constraint | None:
    """``a or b`` as one constraint, or ``None`` when it is not one."""
    return union_all([a, b])


def spans(cs: list[Constraint]) -> Span:
    return (min(c.span[0] for c in cs), max(c.span[1] for c in cs))


def intersect_all(cs: list[Constraint], universe: tuple[str, ...] | None) -> Constraint | None:
    """``c1 and c2 and ...`` at once, in time linear in the input (up to a
    sort): what folding :func:`intersect` gives, without its quadratic cost
    on long chains (``priority != 0 and priority != 2 and ...``)."""
    if len(cs) == 1:
        return cs[0]
    span = spans(cs)
    if any(isinstance(c, Null) for c in cs):
        return Null(span) if all(isinstance(c, Null) for c in cs) else None
    if isinstance(cs[0], Ordered):
        ordered = [c for c in cs if isinstance(c, Ordered)]
        gaps = ordered[0].gaps
        # The intersection is the complement of the union of complements
        # (for datetimes on doubled numbers, where it is exact for text).
        parts = [_doubled(c.ivs) if gaps else c.ivs for c in ordered]
        outside = _norm_ivs(iv for p in parts for iv in _complement(p))
        ivs = _complement(outside)
        if not ivs:
            return None
        if gaps:
            ivs = _halved(ivs)
        gt = frozenset().union(*(c.gt for c in ordered))
        lt = frozenset().union(*(c.lt for c in ordered))
        out = frozenset().union(*(c.left_out for c in ordered))
        return Ordered(ivs, gt, lt, span, gaps, out)
    discrete = [c for c in cs if isinstance(c, Discrete)]
    pos: tuple[Any, ...] | None = None
    for c in discrete:
        if c.pos is None:
            continue
        if pos is None:
            pos = c.pos
        else:
            allowed = set(c.pos)
            pos = tuple(p for p in pos if p in allowed)
    neg = frozenset().union(*(c.neg for c in discrete))
    d = _discrete(pos, neg, span, universe)
    if d.pos is not None and not d.pos:
        return None
    return d


def union_all(cs: list[Constraint]) -> Constraint | None:
    """``c1 or c2 or ...`` as one constraint (what folding :func:`union`
    gives, in linear time up to a sort), or ``None`` when it is not one."""
    if len(cs) == 1:
        return cs[0]
    span = spans(cs)
    if any(isinstance(c, Null) for c in cs):
        return Null(span) if all(isinstance(c, Null) for c in cs) else None
    if isinstance(cs[0], Ordered):
        ordered = [c for c in cs if isinstance(c, Ordered)]
        gaps = ordered[0].gaps
        ivs = _norm_ivs((iv for c in ordered for iv in c.ivs), gaps)
        gt = frozenset().union(*(c.gt for c in ordered))
        lt = frozenset().union(*(c.lt for c in ordered))
        out = frozenset().union(*(c.left_out for c in ordered))
        return Ordered(ivs, gt, lt, span, gaps, out)
    discrete = [c for c in cs if isinstance(c, Discrete)]
    if all(c.pos is not None for c in discrete):
        return Discrete(tuple(dict.fromkeys(p for c in discrete for p in c.pos or ())), span=span)
    neg = frozenset.intersection(*(c.neg for c in discrete if c.pos is None))
    allowed = {p for c in discrete for p in c.pos or ()}
    return Discrete(None, neg - allowed, span)


def subset(a: Constraint, b: Constraint) -> bool:
    """Whether every value ``a`` allows ``b`` allows too."""
    if isinstance(a, Discrete) and a.pos == ():
        return True  # allows nothing (`state not in (OPEN, PROCESSING, CLOSED)`)
    if isinstance(a, Null) or isinstance(b, Null):
        return isinstance(a, Null) and isinstance(b, Null)
    if isinstance(a, Ordered) and isinstance(b, Ordered):
        j = 0
        for lo, hi in a.ivs:
            while j < len(b.ivs) and b.ivs[j][1] < lo:
                j += 1
            if j == len(b.ivs) or not (b.ivs[j][0] <= lo and hi <= b.ivs[j][1]):
                return False
        return True
    assert isinstance(a, Discrete) and isinstance(b, Discrete)
    if b.pos is None:
        if a.pos is None:
            return b.neg <= a.neg
        return not (set(a.pos) & b.neg)
    if a.pos is None:
        return False
    return set(a.pos) <= set(b.pos)
