"""A residual is written in the form the user wrote its tests: a value left
out (`!=`) is `!=` again, on every field type. It used to be rebuilt from
the constraint's ranges, so `tenant_user_id != 3` came back as
`tenant_user_id <= 2 or tenant_user_id >= 4` in `explain`, in `--json` and
in a Parquet file's `cqlang.plan`, while `not in (3, 7)` kept its form."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

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
