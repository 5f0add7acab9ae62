"""cqlang/schema.py: a schema is a value, built from data that is checked
(SchemaError naming the property), custom fields' declarations, and what is
kept beside the schema by hand (the property tests' strategies)."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
import strategies as S
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.config import Config, ConfigError
from cqlang.schema import DEFAULT_SCHEMA, SchemaError


def test_strategies_know_every_property_of_the_schema() -> None:
    """tests/strategies.py generates queries and records per kind of
    property; a property added to the schema (docs/architecture.md,
    "Adding a record property") must be added there too, with its kind."""
    kinds = {name: p.type for name, p in DEFAULT_SCHEMA.properties.items() if not p.keyed}
    assert kinds == S.PROPERTY_KIND, (
        "tests/strategies.py's property lists are not the schema's: "
        f"missing {sorted(kinds.keys() - S.PROPERTY_KIND.keys())}, "
        f"stale {sorted(S.PROPERTY_KIND.keys() - kinds.keys())}"
    )
    for name, values in S.ENUM_PROPS.items():
        assert values == DEFAULT_SCHEMA.properties[name].values
    ranged = {n for n, p in DEFAULT_SCHEMA.properties.items() if p.api == "range"}
    assert ranged == {*S.DATE_PROPS, *S.RANGE_INT_PROPS}


@pytest.mark.parametrize("key", ['""', '" "'])
def test_an_empty_custom_field_key_is_a_config_mistake(
    key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No query could name it (custom[""] is CQL119)."""
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cqlang.toml"
    path.write_text(f'[schema.custom_fields]\nregion = "string"\n{key} = "string"\n')
    os.chmod(path, 0o600)
    with pytest.raises(ConfigError) as info:
        Config.load()
    shown = str(info.value)
    assert shown.startswith("cqlang.toml:3:1: schema.custom_fields")
    assert "a custom field's key cannot be" in shown and "CQL119" in shown
    result = CliRunner().invoke(main, ["compile", "state = OPEN"])
    assert result.exit_code == 2


def test_an_empty_custom_field_key_is_refused_in_python() -> None:
    for key in ("", "  "):
        with pytest.raises(SchemaError, match="cannot be empty or blank"):
            DEFAULT_SCHEMA.with_custom_fields({key: "string"})


def test_a_schema_of_the_wrong_shape_is_a_schema_error() -> None:
    """from_dict's data is a declaration: a KeyError or AttributeError from
    inside it is now a SchemaError that names the property."""
    for spec in (
        {},
        {"properties": 3},
        {"properties": {"a": 3}},
        {"properties": {"a": {"api": "range"}}},
        {"properties": {"a": {"type": "integer", "api": "range", "operators": 3}}},
        {"properties": {"a": {"type": "integer", "api": "range"}}, "custom_fields": "x"},
        {
            "properties": {"a": {"type": "integer", "api": "range"}},
            "custom_fields": {"k": {"type": "enum", "values": 3}},
        },
    ):
        with pytest.raises(cqlang.errors.SchemaError):
            cqlang.Schema.from_dict(spec)


def test_a_custom_field_key_that_is_no_str_is_a_schema_error_in_from_dict() -> None:
    """from_dict reads data (a file, JSON): a key of the wrong type inside
    it is a SchemaError; with_custom_fields, a call, keeps TypeError."""
    spec = {"properties": {"a": {"type": "integer", "api": "range"}}, "custom_fields": {1: "x"}}
    with pytest.raises(cqlang.errors.SchemaError, match="custom field 1: a custom field's key"):
        cqlang.Schema.from_dict(spec)
    with pytest.raises(TypeError, match="custom field keys are str, not int: 1"):
        cqlang.DEFAULT_SCHEMA.with_custom_fields({1: "integer"})  # type: ignore[dict-item]


def test_schemas_are_values() -> None:
    a = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": "integer"})
    b = cqlang.DEFAULT_SCHEMA.with_custom_fields({"score": {"type": "integer"}})
    assert a == b and hash(a) == hash(b) and a is not b
    assert a != cqlang.DEFAULT_SCHEMA and a != a.with_custom_fields({}, strict=True)
    text = "custom.score >= 5 and state = OPEN"
    assert cqlang.plan(text, schema=a) is cqlang.plan(text, schema=b)
    assert pickle.loads(pickle.dumps(a)) == a
