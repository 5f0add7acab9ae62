"""The plan cache is keyed by (text, env): an Env whose parameter is
`True` must not find the plan made for `1` (nor `3.0` the plan for `3`),
though Python calls them equal."""

from __future__ import annotations

import pytest

import cqlang
from cqlang.env import FrozenDict, freeze


@pytest.mark.parametrize(("good", "bad"), [(1, True), (0, False), (3, 3.0)])
@pytest.mark.parametrize("good_first", [True, False])
def test_a_parameter_of_another_type_is_not_served_from_the_cache(
    good: object, bad: object, good_first: bool
) -> None:
    text = "priority = $p"
    order = [good, bad] if good_first else [bad, good]
    for value in order:
        if value is good:
            assert cqlang.compile(text, params={"p": value}) == [
                {"property": "priority", "operator": "eq", "value": good}
            ]
        else:
            with pytest.raises(cqlang.CqlError) as info:
                cqlang.compile(text, params={"p": value})
            assert "CQL113" in str(info.value)


def test_frozen_dicts_equal_only_with_the_same_types_throughout() -> None:
    assert freeze({"a": [1, 2]}) == freeze({"a": [1, 2]})
    assert freeze({"a": [1, True]}) != freeze({"a": [1, 1]})
    assert freeze({"a": {"b": 1.0}}) != freeze({"a": {"b": 1}})
    assert freeze({"a": {1, 2}}) == freeze({"a": {2, 1}})
    assert freeze({"a": {True}}) != freeze({"a": {1}})
    same = freeze({"a": [1, "x"]})
    assert isinstance(same, FrozenDict) and hash(same) == hash(freeze({"a": [1, "x"]}))
    assert FrozenDict({"a": 1}) != {"a": True} and FrozenDict({"a": 1}) == {"a": 1}
