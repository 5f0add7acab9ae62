"""`queries check` reports a cycle of named queries once (issue 16, item 8:
a cycle is one error naming its members), not once per member; a query
outside the cycle that refers into it is still reported."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cqlang.cli import main


def test_queries_check_reports_a_cycle_once(tmp_path: Path) -> None:
    n = 40
    text = "".join(f'[queries.c{i}]\nquery = "@c{(i + 1) % n}"\n' for i in range(n))
    text += '[queries.outside]\nquery = "@c7 and priority > 1"\n'
    config = tmp_path / "cqlang.toml"
    config.write_text(text, encoding="utf-8")
    config.chmod(0o600)
    result = CliRunner().invoke(main, ["--config", str(config), "queries", "check"], env={})
    assert result.exit_code == 1, result.output
    assert result.output.count("error[CQL116]") == 2, result.output
    assert "(query 'c0')" in result.output and "(query 'outside')" in result.output
    assert f"{n + 1} queries in 1 file: 2 errors" in result.output
