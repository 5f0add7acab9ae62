"""A residual is written in the form the user wrote its tests: a value left
out (`!=`) is `!=` again, on every field type. It used to be rebuilt from
the constraint's ranges, so `tenant_user_id != 3` came back as
`tenant_user_id <= 2 or tenant_user_id >= 4` in `explain`, in `--json` and
in a Parquet file's `cqlang.plan`, while `not in (3, 7)` kept its form."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main

SCHEMA = cqlang.DEFAULT_SCHEMA.with_custom_fields(
    {"n": "integer", "when": "datetime", "tier": {"type": "enum", "values": ["gold", "silver"]}}
)


@pytest.mark.parametrize(
    ("query", "residual"),
    [
        ("tenant_user_id != 3", "tenant_user_id != 3"),
        ("state != OPEN and tenant_user_id != 3", "tenant_user_id != 3"),
        ("tenant_user_id not in (3, 7)", "tenant_user_id not in (3, 7)"),
        # Values left out side by side stay values (they were one hole,
        # written as a range: `<= 2 or >= 5`).
        ("tenant_user_id not in (3, 4)", "tenant_user_id not in (3, 4)"),
        ("tenant_user_id != 4 and tenant_user_id != 3", "tenant_user_id not in (3, 4)"),
        (
            "custom.n not in (3, 4, 5) and custom.n > 0",
            "custom.n > 0 and custom.n not in (3, 4, 5)",
        ),
        # A range left out stays a range, and a hole that is partly one.
        ("tenant_user_id not between 3 and 4", "tenant_user_id < 3 or tenant_user_id > 4"),
        (
            "tenant_user_id not in (3, 4) and tenant_user_id not between 5 and 6",
            "tenant_user_id <= 2 or tenant_user_id > 6",
        ),
        ("custom.n != 3", "custom.n != 3"),
        ("custom.n != 3 and custom.n > 0", "custom.n > 0 and custom.n != 3"),
        (
            "custom.n != 3 and custom.n >= -99999 and custom.n < 99999",
            "custom.n >= -99999 and custom.n != 3 and custom.n < 99999",
        ),
        # A datetime's `!=` is `<` or `>` (text the calendar lacks lies
        # between two seconds), so its ranges are written out.
        (
            "custom.when != '2021-08-10 10:00:00'",
            "custom.when < 2021-08-10T10:00:00Z or custom.when > 2021-08-10T10:00:00Z",
        ),
        # An enum's `!=` in a residual that is the whole query.
        (
            "state != OPEN and tenant_user_id != 3 or priority > 3",
            "state != OPEN and tenant_user_id != 3 or priority > 3",
        ),
        (
            "custom.n < 3 or custom.n > 5",
            "custom.n < 3 or custom.n > 5",
        ),  # a range keeps its bounds
    ],
)
def test_a_residual_keeps_the_form_of_the_users_tests(query: str, residual: str) -> None:
    plan = cqlang.plan(query, schema=SCHEMA)
    assert plan.residual is not None and plan.residual.text == residual
    assert plan.to_json()["residual"] == residual


def test_explain_and_its_json_show_the_users_form(tmp_path: Path) -> None:
    (tmp_path / "empty.toml").write_text("")
    env = {"CQLANG_CONFIG": str(tmp_path / "empty.toml")}
    shown = CliRunner().invoke(main, ["explain", "tenant_user_id != 3"], env=env)
    assert "Then kept on the client when: tenant_user_id != 3\n" in shown.stdout, shown.output
    as_json = CliRunner().invoke(main, ["explain", "--json", "tenant_user_id != 3"], env=env)
    assert '"residual": "tenant_user_id != 3"' in as_json.stdout, as_json.output


def test_the_rewritten_residual_selects_what_the_query_does() -> None:
    plan = cqlang.plan("custom.n != 3 and custom.n > 0", schema=SCHEMA)
    assert plan.residual is not None
    for n, kept in ((3, False), (0, False), (1, True), (4, True)):
        assert plan.residual.matches({"custom": f'{{"n": {n}}}'}) is kept


@given(st.sets(st.integers(-5, 5), min_size=1, max_size=8), st.integers(-8, 8))
def test_values_left_out_are_written_as_values(out: set[int], probe: int) -> None:
    """However the values left out lie (side by side or apart), the
    residual writes them as the query did, and selects what it does."""
    values = sorted(out)
    listed = ", ".join(map(str, values))
    plan = cqlang.plan(f"tenant_user_id not in ({listed})")
    assert plan.residual is not None
    expected = f"!= {values[0]}" if len(values) == 1 else f"not in ({listed})"
    assert plan.residual.text == f"tenant_user_id {expected}"
    assert plan.residual.matches({"tenant_user_id": probe}) is (probe not in out)
