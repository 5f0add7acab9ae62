"""The compile-time inputs as one value (cqlang.Env), the plan cache keyed
by (text, env), frozen plans, and schemas hashed by value."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang import api
from cqlang.env import DEFAULT_ENV, Env, FrozenDict, NamedText, freeze_queries
from cqlang.node import FrozenError

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_an_env_is_a_value() -> None:
    a = Env(params={"r": ["PL", "DE"], "n": 3}, tz="Europe/Warsaw", queries={"q": "state = OPEN"})
    b = Env(params={"n": 3, "r": ["PL", "DE"]}, tz="Europe/Warsaw", queries={"q": "state = OPEN"})
    assert a == b and hash(a) == hash(b) and a != a.replace(tz="UTC")
    assert a.queries["q"] == NamedText("state = OPEN")
    with pytest.raises(FrozenError):
        a.tz = "UTC"  # type: ignore[misc]
    with pytest.raises(TypeError):
        a.params["n"] = 4  # type: ignore[index]
    assert pickle.loads(pickle.dumps(a)) == a
    assert repr(Env()) == "Env()"
    assert (
        repr(Env(params={"r": ["PL"]}, max_branches=4))
        == "Env(params={'r': ['PL']}, max_branches=4)"
    )


def test_wrong_kinds_are_type_errors() -> None:
    with pytest.raises(TypeError, match="params is a mapping"):
        Env(params=[1])  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="parameter names are str"):
        Env(params={1: 3})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match=r"schema is a cqlang\.Schema"):
        Env(schema={})  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="named query 'a'"):
        Env(queries={"a": 5})
    with pytest.raises(TypeError, match="max_branches is an int"):
        Env(max_branches="3")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"env is a cqlang\.Env"):
        cqlang.plan("state = OPEN", {"tz": "UTC"})  # type: ignore[arg-type]
    # A zone that is no name nor tzinfo, a clock that is no datetime, a flag
    # that is no bool, a named query's name that is no str: the program's
    # mistakes too (tz=["UTC"] was CQL108, now="..." CQL117, strict="no"
    # strict, queries={3: ...} an AttributeError deep inside).
    for call, words in (
        (lambda: Env(tz=["UTC"]), "tz is an IANA zone name (a str), a tzinfo or None, not list"),
        (lambda: Env(now="2021-08-10"), "now is a datetime or None, not str"),
        (lambda: Env(strict="no"), "strict is a bool (True or False), not str"),
        (lambda: cqlang.compile("x = 1", strict=1), "strict is a bool (True or False), not int"),
        (lambda: cqlang.plan("@a", queries={3: "x"}), "named query names are str, not int: 3"),
        (lambda: cqlang.compile("x = 1", max_branches=True), "max_branches is an int, not bool"),
    ):
        with pytest.raises(TypeError) as info:
            call()
        assert str(info.value) == words
    # Values of the right kind that mean nothing are the query's mistakes.
    assert [d.code for d in cqlang.check("state = OPEN", Env(tz="Nowhere/Zone"))] == ["CQL108"]


def test_keywords_build_or_change_an_env() -> None:
    env = Env(params={"min": 3}, now=NOW)
    text = "priority >= $min and created_date >= today"
    assert cqlang.compile(text, env) == cqlang.compile(text, params={"min": 3}, now=NOW)
    # Keywords win over the env's own inputs.
    assert cqlang.compile(text, env, params={"min": 5})[0]["value"] == 5
    assert api.environment(env, tz="UTC") == env.replace(tz="UTC")
    assert api.environment() is DEFAULT_ENV


def test_the_cache_is_keyed_by_text_and_env_and_hands_out_the_plan() -> None:
    text = "state = OPEN or priority > 7"
    first = cqlang.plan(text, Env(params={"unused": [1, 2]}))
    again = cqlang.plan(text, Env(params={"unused": [1, 2]}))
    assert again is first  # equal inputs, one plan: not copied
    assert cqlang.plan(text, params={"unused": [1, 2]}) is first
    assert cqlang.plan(text, Env(params={"unused": [1, 3]})) is not first


def test_a_plan_is_frozen_and_its_lists_are_the_callers() -> None:
    p = cqlang.plan("state in (OPEN, CLOSED) and priority >= 3")
    with pytest.raises(FrozenError):
        p.residual = None  # type: ignore[misc]
    branches = p.branches
    branches[0][0]["value"].append("PROCESSING")  # the caller's copy
    branches.append([])
    assert p.branches == [
        [
            {"property": "state", "value": ["OPEN", "CLOSED"]},
            {"property": "priority", "operator": "gte", "value": 3},
        ]
    ]
    filters = cqlang.compile("state in (OPEN, CLOSED) and priority >= 3")
    filters[0]["value"].clear()
    assert cqlang.compile("state in (OPEN, CLOSED) and priority >= 3")[0]["value"] == [
        "OPEN",
        "CLOSED",
    ]
    assert cqlang.plan("state in (OPEN, CLOSED) and priority >= 3") is p
    # One request's list alone (what compile returns): the same fresh copy.
    one = p.branch(0)
    assert one == p.branches[0]
    one[0]["value"].append("PROCESSING")
    one[1]["value"] = 4
    assert (
        p.branch(0)
        == p.branches[0]
        == [
            {"property": "state", "value": ["OPEN", "CLOSED"]},
            {"property": "priority", "operator": "gte", "value": 3},
        ]
    )
    # A plan made by hand from lists is frozen the same way.
    assert cqlang.Plan([[{"property": "state", "value": ["OPEN"]}]]).filters == (
        ({"property": "state", "value": ["OPEN"]},),
    )


def test_unhashable_inputs_are_planned_not_cached() -> None:
    class Odd:
        __hash__ = None  # type: ignore[assignment]

        def __str__(self) -> str:
            return "PL"

    env = Env(params={"odd": Odd()})
    with pytest.raises(TypeError):
        hash(env)
    before = len(api._cache)
    p = cqlang.plan("state = OPEN", env)
    assert p.requests == 1 and [d.code for d in p.warnings] == ["CQL114"]
    assert len(api._cache) == before


def test_config_schemas_are_made_again_not_kept_forever() -> None:
    from cqlang.config import model

    made = [model.schema_for({f"k{i}": "integer"}, False) for i in range(100)]
    assert model.schema_for({"k1": "integer"}, False) == made[1]
    assert model._schema_of.cache_info().currsize <= 16


def test_named_queries_freeze_once() -> None:
    queries = freeze_queries({"a": "state = OPEN", "b": NamedText("@a", FrozenDict())})
    assert freeze_queries(queries) is queries
    assert Env(queries=queries).queries is queries


@given(
    st.dictionaries(
        st.from_regex(r"[a-z]{1,5}", fullmatch=True),
        st.one_of(st.integers(), st.text(max_size=5), st.lists(st.text(max_size=3), max_size=3)),
        max_size=4,
    )
)
def test_equal_inputs_make_equal_envs(params: dict[str, Any]) -> None:
    copied = {k: list(v) if isinstance(v, list) else v for k, v in reversed(params.items())}
    assert Env(params=params) == Env(params=copied)
    assert hash(Env(params=params)) == hash(Env(params=copied))
    # Frozen: lists as tuples, which read (and show) as the lists given.
    frozen = Env(params=params).params
    assert frozen == {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}
    assert repr(frozen) == repr(params)


def test_every_input_tells_envs_apart() -> None:
    """Env compares and hashes one tuple of its inputs (Env._key): each
    input, changed alone, makes another Env, so that the plan cache never
    serves a plan made with other inputs."""
    from datetime import UTC, datetime

    from cqlang.env import Env
    from cqlang.schema import DEFAULT_SCHEMA

    changed = {
        "schema": DEFAULT_SCHEMA.with_custom_fields({"region": "string"}),
        "params": {"p": 1},
        "tz": "Europe/Warsaw",
        "now": datetime(2026, 10, 1, tzinfo=UTC),
        "queries": {"a": "state = OPEN"},
        "max_branches": 5,
        "strict": True,
        "override_tz": True,
        "toml_params": ["p"],
    }
    assert set(changed) == set(Env.__node_init__)
    base = Env()
    for name, value in changed.items():
        other = Env(**{name: value})
        assert other != base and base != other, name
        assert other == Env(**{name: value}) and hash(other) == hash(Env(**{name: value}))
