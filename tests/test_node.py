"""The node base (cqlang/node.py) and the classes on it behave as frozen
dataclasses would: immutable, equal by value with spans left out, hashable,
picklable and copyable, usable in ``match``; and their trees walk."""

from __future__ import annotations

import copy
import pickle
from typing import Any

import pytest

from cqlang import parser
from cqlang.checker import check_text
from cqlang.compiler import Emitted
from cqlang.constraints import Discrete, Null, Ordered
from cqlang.ir import Atom, FieldRef, IAnd, INot, IOr
from cqlang.node import FrozenError, Node, field

F = FieldRef("priority", None, "integer", "priority")


def values() -> list[Any]:
    ir = check_text("state = OPEN and (priority > 3 or not custom.x = a)").ir
    return [
        ir,
        F,
        Atom(F, "gt", 3, 5, 9),
        IOr((Atom(F, "eq", 1),)),
        INot(Atom(F, "eq", 1), 1, 2),
        Ordered(((1, 5),), frozenset({0}), frozenset(), (3, 4)),
        Discrete(("A", "B"), frozenset({"C"}), (1, 2)),
        Null((7, 8)),
        Emitted([{"property": "priority", "value": 1}], True),
        parser.scan_prefix("state in ("),
    ]


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_frozen(value: Any) -> None:
    name = type(value).__match_args__[0]
    with pytest.raises(FrozenError):
        setattr(value, name, None)
    with pytest.raises(FrozenError):
        delattr(value, name)
    with pytest.raises(AttributeError):
        value.not_a_field = 1


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_pickled_and_copied(value: Any) -> None:
    # Compared by value and by every slot (spans too); not by repr, whose
    # frozenset order may change with the copy.
    def same(other: Any) -> bool:
        names = type(value).__match_args__
        return other == value and all(getattr(other, n) == getattr(value, n) for n in names)

    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert same(pickle.loads(pickle.dumps(value, protocol)))
    assert same(copy.copy(value)) and same(copy.deepcopy(value))


def test_equality_is_on_the_value_without_spans() -> None:
    a, b = Atom(F, "gt", 3, 0, 5), Atom(F, "gt", 3, 10, 15)
    assert a == b and hash(a) == hash(b)
    assert a != Atom(F, "ge", 3)
    assert IAnd((a,)) == IAnd((b,), 3, 4) and hash(IAnd((a,))) == hash(IAnd((b,), 3, 4))
    assert IAnd((a,)) != IOr((a,))
    assert INot(a) == INot(b, 1, 2)
    assert Ordered(((1, 2),), frozenset({1}), span=(1, 1)) == Ordered(((1, 2),))
    assert Discrete(("A",)) != Discrete(("A",), frozenset({"B"}))
    assert Null((1, 2)) == Null() and hash(Null((1, 2))) == hash(Null())
    assert F != ("priority", None, "integer", "priority", ())
    assert parser.scan_prefix("state ") == parser.Scan(
        (("WORD", "state", 0, 5),), parser.scan_prefix("state ").accepts
    )


def test_emitted_is_equal_by_value_and_unhashable() -> None:
    a = Emitted([{"property": "priority", "value": 1}], True)
    assert a == copy.deepcopy(a) and a != Emitted([], True)
    with pytest.raises(TypeError):
        hash(a)


def test_match_by_position() -> None:
    match Atom(F, "gt", 3):
        case Atom(FieldRef("priority"), op, value):
            assert (op, value) == ("gt", 3)
        case _:
            pytest.fail("no match")


# ------------------------------------------------------------- the base


class Leaf(Node):
    name: str
    start: int = field(default=0, compare=False)
    end: int = field(default=0, compare=False)


class Pair(Node):
    left: Node
    right: tuple[Node | tuple[Node, ...], ...] = ()
    start: int = field(default=0, compare=False)


class Both(Pair):
    """No field of its own: Pair's methods, its own class in ==."""


class Cached(Node):
    text: str
    size: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", len(self.text))


def test_fields_are_declared_once() -> None:
    assert Leaf.__match_args__ == ("name", "start", "end")
    assert Leaf("a", 1) == Leaf(name="a", end=7) and Leaf("a").start == 0
    with pytest.raises(TypeError):
        Leaf()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Leaf("a", bogus=1)  # type: ignore[call-arg]
    assert repr(Leaf("a", 1, 2)) == "Leaf(name='a', start=1, end=2)"


def test_a_field_without_default_cannot_follow_one_with() -> None:
    with pytest.raises(TypeError, match="without a default"):

        class Bad(Node):
            a: int = 0
            b: int


def test_equality_is_by_class() -> None:
    assert Pair(Leaf("a")) != Both(Leaf("a")) and Both(Leaf("a")) == Both(Leaf("a"), (), 9)
    assert Leaf("a") != ("a", 0, 0)


def test_init_false_fields_come_from_post_init() -> None:
    c = Cached("abc")
    assert c.size == 3 and c == Cached("abc") and repr(c) == "Cached(text='abc')"
    assert pickle.loads(pickle.dumps(c)).size == 3 and c.replace(text="ab").size == 2
    with pytest.raises(TypeError):
        Cached("abc", 3)  # type: ignore[call-arg]


def test_replace() -> None:
    a = Leaf("a", 1, 2)
    assert a.replace(name="b") == Leaf("b") and a.replace(name="b").start == 1
    with pytest.raises(TypeError, match="no field 'nope'"):
        a.replace(nope=1)


def test_walk_is_pre_order_and_reaches_into_tuples() -> None:
    tree = Pair(Leaf("a"), (Leaf("b"), (Leaf("c"), Pair(Leaf("d")))), 0)
    names = [n.name if isinstance(n, Leaf) else type(n).__name__ for n in tree.walk()]
    assert names == ["Pair", "a", "b", "c", "Pair", "d"]
    assert [n.name for n in tree.find_all(Leaf)] == ["a", "b", "c", "d"]


def test_walk_does_not_recurse() -> None:
    tree: Node = Leaf("x")
    for _ in range(50_000):
        tree = Pair(tree)
    assert sum(1 for _ in tree.walk()) == 50_001


def test_the_syntax_tree_walks() -> None:
    from cqlang import ast

    q = parser.parse('state in (OPEN, $s) and not (priority > $p or @hot) and custom.x = "$q"')
    assert [p.name for p in q.find_all(ast.Param)] == ["s", "p"]
    assert [r.name for r in q.find_all(ast.Ref)] == ["hot"]
    assert ast.parameters(q) == ("s", "p") and ast.references(q) == ("hot",)
