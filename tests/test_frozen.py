"""The internal value classes (cqlang/frozen.py) behave as the frozen
dataclasses they replace: immutable, equal by value with spans left out,
hashable, picklable and copyable, and usable in ``match``."""

from __future__ import annotations

import copy
import pickle
from dataclasses import FrozenInstanceError
from typing import Any

import pytest

from cqlang import parser
from cqlang.checker import check_text
from cqlang.compiler import Emitted
from cqlang.ir import Atom, FieldRef, IAnd, INot, IOr
from cqlang.planner import Discrete, Null, Ordered

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
    name = type(value).__slots__[0] if type(value).__slots__ else "items"
    with pytest.raises(FrozenInstanceError):
        setattr(value, name, None)
    with pytest.raises(FrozenInstanceError):
        delattr(value, name)
    with pytest.raises(AttributeError):
        value.not_a_field = 1


@pytest.mark.parametrize("value", values(), ids=lambda v: type(v).__name__)
def test_pickled_and_copied(value: Any) -> None:
    # Compared by value and by every slot (spans too); not by repr, whose
    # frozenset order may change with the copy.
    def same(other: Any) -> bool:
        slots = [n for c in type(value).__mro__ for n in getattr(c, "__slots__", ())]
        return other == value and all(getattr(other, n) == getattr(value, n) for n in slots)

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
