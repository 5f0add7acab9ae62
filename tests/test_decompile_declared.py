"""decompile wrote every custom value as a quoted string, whatever its
declared type: compiled back with the same config, a declared datetime
moved by the config's zone (`custom.when = "2026-10-25 12:00:00"` read in
Europe/Warsaw is 10:00 UTC), and a declared integer (`custom.score =
"70"`) was refused (CQL104). Declared fields are now written as declared:
a datetime in UTC with a `Z`, an integer bare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

import cqlang
from cqlang import timeexpr
from cqlang.cli import main

CONFIG = (
    '[connection]\ntimezone = "Europe/Warsaw"\n[schema.custom_fields]\n'
    'when = "datetime"\nscore = "integer"\n'
    'tier = { type = "enum", values = ["gold", "Silver x"] }\n'
    'note = "string"\n'
)
SCHEMA = cqlang.DEFAULT_SCHEMA.with_custom_fields(
    {
        "when": "datetime",
        "score": "integer",
        "tier": {"type": "enum", "values": ["gold", "Silver x"]},
        "note": "string",
    }
)
ZONES = ("Europe/Warsaw", "America/New_York", "Asia/Kolkata", None)


def custom(key: str, value: Any) -> dict[str, Any]:
    return {"property": "custom_fields", "key": key, "value": value}


def test_the_reported_round_trip_through_the_command_line(config_home: Path) -> None:
    path = config_home / "dc.toml"
    path.write_text(CONFIG)
    f = [custom("when", "2026-10-25 12:00:00"), custom("score", "70")]
    runner = CliRunner()
    out = runner.invoke(main, ["--config", str(path), "decompile", json.dumps(f)])
    assert out.exit_code == 0, out.output
    assert out.stdout == "custom.when = 2026-10-25T12:00:00Z and custom.score = 70\n"
    back = runner.invoke(main, ["--config", str(path), "compile", out.stdout.strip()])
    assert back.exit_code == 0, back.output
    assert json.loads(back.stdout) == f


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("score", "05"),
        ("score", "+5"),
        ("score", "1e3"),
        ("when", "tomorrow"),
        ("when", "2026-10-25T12:00:00Z"),
        ("tier", "GOLD"),
        ("tier", "bronze"),
    ],
)
def test_a_value_the_declaration_cannot_hold_is_cql304(key: str, value: str) -> None:
    with pytest.raises(cqlang.CqlValidationError) as info:
        cqlang.decompile([custom(key, value)], schema=SCHEMA)
    (d,) = info.value.diagnostics
    assert d.code == "CQL304" and key in d.message
    # Without the schema it is the string the API compares, as before.
    assert cqlang.decompile([custom(key, value)]).startswith(f"custom.{key} = ")


_INTS = st.integers(-(2**53) + 1, 2**53 - 1).map(str)
_TIMES = st.integers(timeexpr.CAL_MIN, timeexpr.CAL_MAX).map(timeexpr.format_utc)
_OBJECTS = st.one_of(
    st.builds(custom, st.just("when"), _TIMES),
    st.builds(custom, st.just("score"), _INTS),
    st.builds(custom, st.just("tier"), st.sampled_from(["gold", "Silver x"])),
    st.builds(
        custom,
        st.sampled_from(["note", "other"]),
        st.sampled_from(["70", "a b", "", "2026-10-25 12:00:00"]),
    ),
    st.just({"property": "created_date", "operator": "gte", "value": "2026-10-25 12:00:00"}),
)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(_OBJECTS, max_size=5, unique_by=lambda f: f.get("key", "")), st.sampled_from(ZONES))
def test_compile_of_decompile_is_the_filter_in_any_zone(
    filters: list[dict[str, Any]], zone: str | None
) -> None:
    text = cqlang.decompile(filters, schema=SCHEMA)
    assert cqlang.compile(text, schema=SCHEMA, tz=zone) == filters, text


_QUERIES = st.lists(
    st.one_of(
        st.sampled_from(
            ["2026-10-25", '"2026-10-25 02:30"', "today - 1d", "now", "2026-03-29T02:30:00"]
        ).map(lambda v: f"custom.when = {v}"),
        st.integers(-5, 100).map(lambda v: f"custom.score = {v}"),
        st.sampled_from(["gold", "GOLD", '"silver X"']).map(lambda v: f"custom.tier = {v}"),
        st.sampled_from(['"x"', "70", "a"]).map(lambda v: f"custom.note = {v}"),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=examples(150), deadline=None)
@given(_QUERIES, st.sampled_from(ZONES))
def test_decompile_of_compile_compiles_to_the_same_filters(
    parts: list[str], zone: str | None
) -> None:
    now = timeexpr.parse_now("2026-10-25T01:30:00Z")
    query = " and ".join(parts)
    try:
        filters = cqlang.compile(query, schema=SCHEMA, tz=zone, now=now)
    except cqlang.CqlPlanError:
        return  # not one filter (a residual, or never true): nothing to decompile
    text = cqlang.decompile(filters, schema=SCHEMA)
    assert cqlang.compile(text, schema=SCHEMA, tz=zone, now=now) == filters, (query, text)
