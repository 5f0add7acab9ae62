"""The typed model of a config file (cqlang/config/model.py): what the
validation makes of a cqlang table, and files merged as the dict of old
merged them (key by key, the earlier file winning, a named query and a
custom field's declaration taken whole), keys in the same order."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cqlang.config import (
    Config,
    ConnectionTable,
    CqlangTable,
    Profile,
    QueryTable,
    SchemaTable,
    check_text,
)
from cqlang.config.model import merged
from cqlang.config.validate import validate
from cqlang.env import FrozenDict, FrozenList
from cqlang.node import FrozenError

CONNECTION_VALUES: dict[str, Any] = {
    "base_url": "http://127.0.0.1:1",
    "api_key_env": "CONPEEK_X",
    "campaign": "c1",
    "timezone": "Europe/Warsaw",
    "page_size": 50,
    "max_branches": 4,
}
QUERY_VALUES: dict[str, Any] = {
    "query": "priority > $p",
    "description": "d",
    "params": {"p": 3, "r": ["PL", "CZ"]},
    "exclude": ["name"],
    "limit": 9,
}


def _subtable(values: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """Some keys of ``values``, in any order, with their values."""
    return st.permutations(list(values)).flatmap(
        lambda keys: st.integers(0, len(keys)).map(lambda n: {k: values[k] for k in keys[:n]})
    )


def _named(names: list[str], table: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.dictionaries(st.sampled_from(names), table, max_size=len(names))


_queries = _subtable({k: v for k, v in QUERY_VALUES.items() if k != "query"}).map(
    lambda t: {"query": "state = OPEN", **t}
)
_schema = st.fixed_dictionaries(
    {},
    optional={
        "custom_fields": _named(
            ["a", "b", "c"], st.sampled_from(["string", "integer", "datetime"])
        ),
        "strict": st.booleans(),
    },
)
_raw_table = st.fixed_dictionaries(
    {},
    optional={
        "connection": _subtable(CONNECTION_VALUES),
        "profiles": _named(["p", "q"], _subtable(CONNECTION_VALUES)),
        "schema": _schema,
        "queries": _named(["x", "y"], _queries),
    },
)


def _whole(path: tuple[str, ...]) -> bool:
    return (len(path) == 2 and path[0] == "queries") or (
        len(path) == 3 and path[:2] == ("schema", "custom_fields")
    )


def _overlay(into: dict[str, Any], data: dict[str, Any], path: tuple[str, ...]) -> None:
    """How the config's data was merged before the model (a dict updated
    in place, file by file, the latest file first)."""
    for key, value in data.items():
        here = (*path, key)
        if isinstance(value, dict) and not _whole(here) and isinstance(into.get(key), dict):
            _overlay(into[key], value, here)
        else:
            into[key] = json.loads(json.dumps(value))


def _checked(raw: dict[str, Any]) -> CqlangTable:
    table, problems = validate(raw)
    assert problems == []
    return table


@settings(max_examples=150, deadline=None)
@given(st.lists(_raw_table, min_size=1, max_size=3))
def test_files_merge_as_the_dicts_did(raws: list[dict[str, Any]]) -> None:
    expected: dict[str, Any] = {}
    for raw in reversed(raws):
        _overlay(expected, raw, ())
    got = merged(_checked(raw) for raw in raws).to_table()
    # json.dumps keeps the order of the keys: the same keys, the same order.
    assert json.dumps(got) == json.dumps(expected)


@settings(max_examples=100, deadline=None)
@given(_raw_table)
def test_a_table_says_what_it_defines(raw: dict[str, Any]) -> None:
    table = _checked(raw)
    assert table.to_table() == raw
    for top, sub in raw.items():
        assert table.defines(top)
        for key, value in sub.items():
            assert table.defines(top, key)
            if top == "profiles" or (top == "schema" and key == "custom_fields"):
                for inner in value:
                    assert table.defines(top, key, inner)
                assert not table.defines(top, key, "nothing")
        assert not table.defines(top, "nothing")
    for top in {"connection", "profiles", "schema", "queries"} - set(raw):
        assert not table.defines(top)


def test_validation_makes_the_typed_model() -> None:
    text = """
[connection]
base_url = "http://127.0.0.1:1"
api_key = "s3cr3t-key-123456"
page_size = 10

[profiles.prod]
campaign = "c2"

[schema]
strict = true
custom_fields = { tier = { type = "enum", values = ["a", "b"] } }

[queries]
short = "priority > 3"

[queries.long]
query = "state = OPEN"
exclude = ["name"]
params = { r = ["PL"] }
"""
    f, problems = check_text(text, "cqlang.toml")
    assert problems == []
    t = f.table
    assert isinstance(t, CqlangTable)
    assert t.connection == ConnectionTable(
        base_url="http://127.0.0.1:1", api_key="s3cr3t-key-123456", page_size=10
    )
    assert t.profiles["prod"] == Profile("prod", ConnectionTable(campaign="c2"))
    assert isinstance(t.schema, SchemaTable) and t.schema.strict is True
    assert t.queries["short"] == QueryTable("priority > 3")
    assert t.queries["long"].exclude == ("name",)
    assert f.queries is t.queries
    # Values: frozen, hashable, the key kept out of the repr.
    with pytest.raises(FrozenError):
        t.connection.page_size = 3  # type: ignore[misc]
    assert hash(t) == hash(check_text(text, "cqlang.toml")[0].table)
    assert "s3cr3t" not in repr(t)
    # A named query's defaults are frozen as an Env's are (hashable, picklable).
    cfg = Config([f])
    assert cfg.queries["long"].params == FrozenDict({"r": FrozenList(["PL"])})
    assert repr(cfg.queries["long"].params) == "{'r': ['PL']}"
    assert cfg.schema.strict and "tier" in cfg.schema.custom_fields


def test_a_mistake_leaves_out_only_its_table() -> None:
    f, problems = check_text(
        '[queries.bad]\nquery = 1\n[queries.good]\nquery = "x = 1"\n'
        "[connection]\npage_size = 'ten'\ncampaign = 'c'\n",
        "cqlang.toml",
    )
    assert [p.key for p in problems] == ["queries.bad.query", "connection.page_size"]
    assert list(f.queries) == ["good"]
    # A value of the wrong type is left out of its table; the rest is kept.
    assert f.table.connection == ConnectionTable(campaign="c")


def test_a_profile_over_the_connection() -> None:
    f, _ = check_text(
        "[connection]\ncampaign = 'c'\npage_size = 5\n[profiles.p]\ncampaign = 'p'\n",
        "cqlang.toml",
    )
    cfg = Config([f], env={})
    values, sources = cfg.section("p")
    assert (values.campaign, values.page_size) == ("p", 5)
    assert sources["campaign"].endswith("[profiles.p]")
    assert sources["page_size"].endswith("[connection]")
