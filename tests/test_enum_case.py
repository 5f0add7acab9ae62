"""A declared custom enum whose values differ only in case (`gold`, `GOLD`)
made `custom.tier != GOLD` select exactly the GOLD records: a query's
value is matched case-insensitively and the first match won. Such a
declaration is now refused, in a config file at its line and in Python
(`Schema.with_custom_fields`), naming the two values."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.errors import SchemaError

DECLARED = '[schema.custom_fields]\ntier = { type = "enum", values = ["gold", "GOLD", "Silver"] }\n'


def test_the_config_file_is_refused_at_the_fields_line(config_home: Path) -> None:
    path = config_home / "e.toml"
    path.write_text("# tiers\n" + DECLARED)
    result = CliRunner().invoke(main, ["--config", str(path), "compile", "custom.tier != GOLD"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "e.toml:3:" in result.stderr
    assert "'gold' and 'GOLD' differ only in case" in result.stderr
    assert 'write "string"' not in result.stderr  # not a mistake of type


def test_python_refuses_the_declaration() -> None:
    with pytest.raises(SchemaError, match="'gold' and 'GOLD' differ only in case") as info:
        cqlang.DEFAULT_SCHEMA.with_custom_fields(
            {"tier": {"type": "enum", "values": ["gold", "GOLD", "Silver"]}}
        )
    assert info.value.field == "tier"
    # The same value twice is no ambiguity.
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields(
        {"tier": {"type": "enum", "values": ["gold", "gold", "Silver"]}}
    )
    assert cqlang.compile("custom.tier = GOLD", schema=schema) == [
        {"property": "custom_fields", "key": "tier", "value": "gold"}
    ]


@given(
    st.lists(
        st.sampled_from(["gold", "GOLD", "Gold", "silver", "ß", "SS", "ss", "x"]),
        min_size=1,
        max_size=4,
    )
)
def test_every_accepted_enum_resolves_each_spelling_to_one_value(values: list[str]) -> None:
    spec = {"tier": {"type": "enum", "values": values}}
    folded = {v.casefold() for v in values}
    if len(folded) < len(set(values)):
        with pytest.raises(SchemaError):
            cqlang.DEFAULT_SCHEMA.with_custom_fields(spec)
        return
    schema = cqlang.DEFAULT_SCHEMA.with_custom_fields(spec)
    for v in values:
        for typed in (v, v.upper(), v.lower()):
            got = cqlang.compile(f'custom.tier = "{typed}"', schema=schema)
            if typed.casefold() == v.casefold():
                assert got[0]["value"] == v
