"""The tree helpers check what they are given at the call: parameters() and
references() a syntax tree, find_all() classes; a TypeError naming the
parameter, never an AttributeError or isinstance's own message, and never
only once the iterator is read."""

from __future__ import annotations

from typing import Any

import pytest

import cqlang
from cqlang import ast

TREE = cqlang.parse("state = OPEN and priority in $p and not @hot")


@pytest.mark.parametrize("helper", [ast.parameters, ast.references])
@pytest.mark.parametrize("value", [3, "state = OPEN", [TREE], cqlang.plan("state = OPEN")])
def test_parameters_and_references_take_a_tree(helper: Any, value: Any) -> None:
    with pytest.raises(TypeError) as caught:
        helper(value)
    kind = type(value).__name__
    assert str(caught.value) == (
        f"tree is a syntax tree (cqlang.parse's Query, or any node of it) or None, not {kind}"
    )


def test_parameters_and_references_of_a_tree_or_of_none() -> None:
    assert ast.parameters(TREE) == ("p",) and ast.references(TREE) == ("hot",)
    assert ast.parameters(TREE.expr) == ("p",)
    assert ast.parameters(None) == () and ast.references(None) == ()


@pytest.mark.parametrize(
    ("types", "message"),
    [
        (("Compare",), "types are classes (such as cqlang.ast.Compare), not str: 'Compare'"),
        ((ast.Compare, 3), "types are classes (such as cqlang.ast.Compare), not int"),
        ((TREE.expr,), "types are classes (such as cqlang.ast.Compare), not And"),
    ],
)
def test_find_all_refuses_what_is_no_class_at_the_call(
    types: tuple[Any, ...], message: str
) -> None:
    with pytest.raises(TypeError) as caught:
        TREE.find_all(*types)  # the call, not the first next()
    assert str(caught.value) == message


def test_find_all_takes_classes_and_unions_of_them() -> None:
    compares = list(TREE.find_all(ast.Compare))
    assert [c.field.name for c in compares] == ["state"]
    found = list(TREE.find_all(ast.Compare | ast.In))  # type: ignore[arg-type]
    assert [type(n).__name__ for n in found] == ["Compare", "In"]
    assert list(TREE.find_all()) == []
