"""FetchSpec and NamedQuery are values: they pickle, and compare and hash by
value (their params frozen as Env freezes its own)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

import cqlang
from cqlang.config import NamedQuery
from cqlang.config.fetchspec import prepare
from cqlang.env import FrozenDict

CONFIG = """\
[connection]
campaign = "c1"
timezone = "Europe/Warsaw"

[queries.hot]
query = "state = OPEN and priority >= $min and custom.team in $cats"
params = { min = 5, cats = ["sales", "support"] }
limit = 10

[queries.alias]
query = "@hot"
exclude = ["history"]
"""


@pytest.fixture
def config(tmp_path: Path) -> cqlang.Config:
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return cqlang.Config.load(path, env={})


def test_a_spec_pickles_hashes_and_compares_by_value() -> None:
    spec = prepare("priority >= $p and state in $s", params={"p": 3, "s": ["OPEN", "CLOSED"]})
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and hash(again) == hash(spec)
    assert isinstance(spec.params, FrozenDict) and isinstance(spec.queries, FrozenDict)
    same = prepare("priority >= $p and state in $s", params={"p": 3, "s": ["OPEN", "CLOSED"]})
    assert same == spec and hash(same) == hash(spec)
    assert prepare("priority >= $p", params={"p": 4}) != prepare("priority >= $p", params={"p": 3})
    assert len({spec, same, again}) == 1
    assert again.plan().filters == spec.plan().filters


def test_a_spec_of_a_named_query_pickles_with_its_config(config: cqlang.Config) -> None:
    spec = config.prepare("@alias", params={"min": 7})
    again = pickle.loads(pickle.dumps(spec))
    assert again == spec and hash(again) == hash(spec)
    assert again.named == config.queries["hot"] and again.chain == spec.chain
    assert (again.exclude, again.limit, again.campaign) == (("history",), 10, "c1")
    assert again.plan().filters == spec.plan().filters
    assert config.prepare("@alias", params={"min": 8}) != spec


def test_a_named_query_pickles_hashes_and_compares_by_value(config: cqlang.Config) -> None:
    hot = config.queries["hot"]
    again = pickle.loads(pickle.dumps(hot))
    assert again == hot and hash(again) == hash(hot)
    assert again.path == hot.path and again.config is not None
    assert again.plan().filters == hot.plan().filters  # its config came along
    assert pickle.loads(pickle.dumps(config.queries["alias"])).plan().filters == (
        config.queries["alias"].plan().filters
    )
    assert again != config.queries["alias"] and len({hot, again}) == 1
    # Built by hand: its params frozen (hashable) whatever mapping they were.
    made = NamedQuery("q", "priority in $p", params={"p": [1, 2]})
    assert isinstance(made.params, FrozenDict) and hash(made) == hash(
        NamedQuery("q", "priority in $p", params={"p": [1, 2]})
    )
    with pytest.raises(TypeError, match="params"):
        NamedQuery("q", "x", params=[("p", 1)])  # type: ignore[arg-type]


def test_a_pickled_config_does_not_carry_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = "ENV-KEY-not-in-the-pickle-4c1d"
    monkeypatch.setenv("CONPEEK_KEY", marker)
    monkeypatch.setenv("CONPEEK_URL", "http://127.0.0.1:9")
    path = tmp_path / "cqlang.toml"
    path.write_text(CONFIG, encoding="utf-8")
    config = cqlang.Config.load(path)
    data = pickle.dumps(config.prepare("@hot"))
    assert marker.encode() not in data
    again = pickle.loads(data).named.config
    assert again.env is os.environ
    assert again.connection().api_key == marker  # read where it is unpickled
    # A mapping given as env is the config's own: it is kept.
    given = cqlang.Config.load(path, env={"CONPEEK_URL": "http://h"})
    assert pickle.loads(pickle.dumps(given)).env == {"CONPEEK_URL": "http://h"}


def test_a_frozen_list_equals_the_list_it_shows(tmp_path: Path) -> None:
    """A named query's list default is frozen (so the query hashes and
    pickles) but still equals the list its repr shows and the file gave."""
    from cqlang.env import FrozenList, freeze

    frozen = freeze({"p": [1, 2], "q": {"r": ["a"]}})
    reflected = [1, 2].__eq__(frozen["p"])  # list's own answer defers to ours
    assert frozen["p"] == [1, 2] and frozen["p"] != [2, 1] and reflected is not False
    assert frozen == {"p": [1, 2], "q": {"r": ["a"]}}
    assert isinstance(frozen["p"], FrozenList) and hash(frozen["p"]) == hash((1, 2))
    path = tmp_path / "q.toml"
    path.write_text('[queries.hot]\nquery = "priority in $p"\nparams = { p = [1, 2] }\n')
    assert cqlang.Config.load(path).queries["hot"].params == {"p": [1, 2]}
