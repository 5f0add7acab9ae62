"""A plan carries the checker's warnings, so planning callers (compile,
explain, fetch) report them without checking the query twice."""

from __future__ import annotations

from click.testing import CliRunner

import cqlang
from cqlang.cli import main


def test_plan_carries_checker_and_planner_warnings() -> None:
    plan = cqlang.plan("priority > 3", params={"unused": 1})
    assert [d.code for d in plan.warnings] == ["CQL114"]
    never = cqlang.plan("state = OPEN and state = CLOSED")
    assert [d.code for d in never.warnings] == ["CQL201"]


def test_compile_and_explain_print_the_warnings_of_the_plan() -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["compile", "priority > 3", "--param", "unused=1"])
    assert result.exit_code == 0
    assert "CQL114" in result.stderr
    result = runner.invoke(main, ["explain", "--json", "priority > 3", "--param", "unused=1"])
    assert '"CQL114"' in result.stdout
