"""cqlang/constraints.py: the set of values one field may take in a branch.

Each constraint is checked against what it means: the values it allows,
tried on every value that can tell two constraints apart (the constants
the atoms use, their neighbours, one far value each way, a value no atom
names, and null). Intersection is "both allow it", a union that is one
constraint is "either allows it", and ``subset`` is inclusion, exactly.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from cqlang.constraints import (
    NEG,
    POS,
    Constraint,
    Discrete,
    Null,
    Ordered,
    constraint_of,
    intersect,
    intersect_all,
    subset,
    union,
    union_all,
)
from cqlang.ir import Atom, FieldRef

INTEGER = FieldRef("priority", None, "integer", "priority")
STRING = FieldRef("close_reason", None, "string", "close_reason")
ENUM = FieldRef("state", None, "enum", "state", ("OPEN", "PROCESSING", "CLOSED"))

#: The constants of the generated atoms, and the values that tell them apart.
INTS = range(-3, 6)
PROBE_INTS = [NEG, -100, *range(-5, 8), 100, POS]
STRS = ("a", "b", "c")
PROBES: dict[FieldRef, list[Any]] = {
    INTEGER: [*PROBE_INTS, None],
    STRING: [*STRS, "other", None],
    ENUM: [*ENUM.values, None],
}


def allows(c: Constraint | None, value: Any) -> bool:
    """Whether ``c`` allows ``value`` (``None``: a missing or null field;
    a constraint of ``None`` allows nothing)."""
    if c is None:
        return False
    if isinstance(c, Null):
        return value is None
    if value is None:
        return False
    if isinstance(c, Ordered):
        return any(lo <= value <= hi for lo, hi in c.ivs)
    return (c.pos is None or value in c.pos) and value not in c.neg


def atoms(field: FieldRef) -> st.SearchStrategy[Atom]:
    scalars: st.SearchStrategy[Any]
    if field.type == "integer":
        scalars = st.sampled_from(INTS)
        ops = ["eq", "ne", "lt", "le", "gt", "ge"]
    else:
        scalars = st.sampled_from(field.values or STRS)
        ops = ["eq", "ne"]
    lists = st.lists(scalars, min_size=1, max_size=3, unique=True).map(tuple)
    return st.one_of(
        st.builds(lambda op, v: Atom(field, op, v), st.sampled_from(ops), scalars),
        st.builds(lambda op, v: Atom(field, op, v), st.sampled_from(["in", "nin"]), lists),
        st.sampled_from([Atom(field, "null", None), Atom(field, "notnull", None)]),
    )


FIELDS = st.sampled_from([INTEGER, STRING, ENUM])


def constraints(field: FieldRef, n: int = 2) -> st.SearchStrategy[list[Constraint]]:
    return st.lists(atoms(field).map(constraint_of), min_size=n, max_size=n + 2)


def universe(field: FieldRef) -> tuple[str, ...] | None:
    return field.values or None


def test_an_atom_allows_what_it_says() -> None:
    def c(op: str, v: Any, field: FieldRef = INTEGER) -> Constraint:
        return constraint_of(Atom(field, op, v))  # type: ignore[arg-type]

    assert [v for v in range(-2, 4) if allows(c("gt", 1), v)] == [2, 3]
    assert [v for v in range(-2, 4) if allows(c("le", 1), v)] == [-2, -1, 0, 1]
    assert [v for v in range(-2, 4) if allows(c("nin", (0, 2)), v)] == [-2, -1, 1, 3]
    assert not allows(c("ne", 1), None) and allows(c("null", None), None)
    # A closed enum's "anything but" is its other values, in the schema's order.
    assert c("ne", "OPEN", ENUM) == Discrete(("PROCESSING", "CLOSED"))
    assert c("ne", "a", STRING) == Discrete(None, frozenset({"a"}))
    # The bounds written as > and < are remembered for the compiler.
    assert c("gt", 1).gt == {1} and c("lt", 1).lt == {1}


@given(FIELDS.flatmap(lambda f: st.tuples(st.just(f), constraints(f))))
def test_intersection_allows_what_every_part_allows(case: tuple[FieldRef, list[Any]]) -> None:
    field, cs = case
    both = intersect_all(cs, universe(field))
    for v in PROBES[field]:
        assert allows(both, v) == all(allows(c, v) for c in cs), v
    if isinstance(both, Ordered):  # intervals sorted, disjoint and not adjacent
        assert all(lo <= hi for lo, hi in both.ivs)
        assert all(a[1] + 1 < b[0] for a, b in zip(both.ivs, both.ivs[1:], strict=False))
    # Folding the pairwise intersection gives the same set.
    folded: Constraint | None = cs[0]
    for c in cs[1:]:
        folded = None if folded is None else intersect(folded, c, universe(field))
    assert [allows(folded, v) for v in PROBES[field]] == [allows(both, v) for v in PROBES[field]]


@given(FIELDS.flatmap(lambda f: st.tuples(st.just(f), constraints(f))))
def test_a_union_allows_what_some_part_allows(case: tuple[FieldRef, list[Any]]) -> None:
    field, cs = case
    either = union_all(cs)
    if either is None:  # not one constraint: null with a value
        assert any(isinstance(c, Null) for c in cs) and not all(isinstance(c, Null) for c in cs)
        return
    for v in PROBES[field]:
        assert allows(either, v) == any(allows(c, v) for c in cs), v
    pair = union(cs[0], cs[1])
    assert pair is not None
    for v in PROBES[field]:
        assert allows(pair, v) == (allows(cs[0], v) or allows(cs[1], v))


@given(FIELDS.flatmap(lambda f: st.tuples(st.just(f), constraints(f, 1), constraints(f, 1))))
def test_subset_is_inclusion(case: tuple[FieldRef, list[Any], list[Any]]) -> None:
    field, xs, ys = case
    u = universe(field)
    a, b = intersect_all(xs, u), intersect_all(ys, u)
    if a is None or b is None:
        return
    included = all(allows(b, v) for v in PROBES[field] if allows(a, v))
    assert subset(a, b) == included
    assert subset(a, a)
    both = intersect(a, b, u)
    if both is not None:  # a and b is inside each
        assert subset(both, a) and subset(both, b)


def test_a_constraint_that_allows_nothing_is_inside_every_other() -> None:
    """Found by hypothesis: a closed enum's `not in` of all its values
    allows nothing, so it is inside `is null` too (it was not)."""
    from cqlang.constraints import Discrete, Null, subset

    nothing = Discrete(pos=())
    assert subset(nothing, Null()) and subset(nothing, Discrete(pos=None))
    assert subset(nothing, Discrete(pos=("OPEN",))) and subset(nothing, nothing)
    assert not subset(Null(), nothing)


# ----------------------------------------------------- datetimes, as text

#: A record's own datetime. Its text in the API's shape is compared as
#: text, and text the calendar lacks lies between two seconds. A probe is a
#: doubled number: ``2s`` the second ``s``, ``2s + 1`` text between ``s`` and
#: ``s + 1`` (``2026-02-28 24:00:00`` between February 28's last second
#: and March 1's first).
DATETIME = FieldRef("closed_date", None, "datetime", "closed_date")
T = 1_772_323_200  # 2026-03-01 00:00:00
DT_PROBES = [2 * NEG, *range(2 * T - 9, 2 * T + 10), 2 * POS]


def dt_allows(c: Constraint | None, doubled: int) -> bool:
    """Whether ``c`` allows the text ``doubled`` stands for."""
    if c is None or isinstance(c, Null):
        return False
    assert isinstance(c, Ordered) and c.gaps
    return any(
        (lo == NEG or 2 * lo <= doubled) and (hi == POS or doubled <= 2 * hi) for lo, hi in c.ivs
    )


def dt_atom_allows(a: Atom, doubled: int) -> bool:
    """What the evaluator says: ``< n`` is ``<= n - 1 s``, ``> n`` is ``>= n + 1 s``."""
    n = a.value
    assert type(n) is int
    bound = {"lt": 2 * (n - 1), "le": 2 * n, "gt": 2 * (n + 1), "ge": 2 * n}[a.op]
    return doubled <= bound if a.op in ("lt", "le") else doubled >= bound


# The atoms the checker makes on a datetime: = and != are ranges of these.
dt_atoms = st.builds(
    lambda op, d: Atom(DATETIME, op, T + d),
    st.sampled_from(["lt", "le", "gt", "ge"]),
    st.integers(-3, 3),
)


@given(st.lists(st.lists(dt_atoms, min_size=1, max_size=3), min_size=1, max_size=4))
def test_datetime_constraints_are_exact_for_text_between_seconds(
    dnf: list[list[Atom]],
) -> None:
    """An ``or`` of ``and``s of datetime atoms, worked out with intersect_all
    and union_all, allows exactly the texts the atoms do: ranges that touch
    (``<= T - 1 s`` and ``>= T``) are not joined over the text between."""
    branches = [intersect_all([constraint_of(a) for a in conj], None) for conj in dnf]
    kept = [b for b in branches if b is not None]
    either = union_all(kept) if kept else None
    for d in DT_PROBES:
        meant = any(all(dt_atom_allows(a, d) for a in conj) for conj in dnf)
        assert dt_allows(either, d) == meant, d
    # Inclusion agrees with what the texts say.
    for a in kept:
        for b in kept:
            if subset(a, b):
                assert all(dt_allows(b, d) for d in DT_PROBES if dt_allows(a, d))


def test_touching_datetime_ranges_stay_apart() -> None:
    before = constraint_of(Atom(DATETIME, "lt", T))
    after = constraint_of(Atom(DATETIME, "ge", T))
    assert union_all([before, after]) == Ordered(((NEG, T - 1), (T, POS)))
    # Sharing a second, they join.
    upto = constraint_of(Atom(DATETIME, "le", T))
    assert union_all([upto, after]) == Ordered(((NEG, POS),))
    # Integers have no values between: there they join.
    ints = [constraint_of(Atom(INTEGER, "lt", 5)), constraint_of(Atom(INTEGER, "ge", 5))]
    assert union_all(ints) == Ordered(((NEG, POS),))
