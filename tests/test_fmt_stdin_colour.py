"""`cqlang fmt FILES`: its diagnostics coloured as every command's are
(--color), and `-` among FILES meaning standard input, as for ruff/black."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    return {"CQLANG_CONFIG": str(tmp_path / "none.toml"), "NO_COLOR": ""}


@pytest.mark.parametrize("mode", [["--check"], ["--write"]])
def test_fmt_files_diagnostics_follow_color(
    tmp_path: Path, env: dict[str, str], mode: list[str]
) -> None:
    bad = tmp_path / "syn.cql"
    bad.write_text("state = (\n", encoding="utf-8")
    toml = tmp_path / "cqlang.toml"
    toml.write_text('[queries]\nx = "state = ("\n', encoding="utf-8")
    for path in (bad, toml):
        coloured = CliRunner().invoke(main, ["--color", "always", "fmt", *mode, str(path)], env=env)
        assert coloured.exit_code == 1
        assert "\x1b[1;31merror[CQL001]" in coloured.stderr
        plain = CliRunner().invoke(main, ["--color", "never", "fmt", *mode, str(path)], env=env)
        assert "\x1b[" not in plain.stderr and "error[CQL001]" in plain.stderr


def test_fmt_check_dash_checks_stdin(env: dict[str, str]) -> None:
    runner = CliRunner()
    changed = runner.invoke(main, ["fmt", "--check", "-"], input="state=OPEN\n", env=env)
    assert changed.exit_code == 1, changed.output
    assert "+state = OPEN" in changed.stdout and "no such file" not in changed.stderr
    same = runner.invoke(main, ["fmt", "--check", "-"], input="state = OPEN\n", env=env)
    assert same.exit_code == 0 and same.stdout == ""
    bad = runner.invoke(main, ["fmt", "--check", "-"], input="state = (\n", env=env)
    assert bad.exit_code == 1 and "-:1:9" in bad.stderr


def test_fmt_dash_prints_stdin_formatted(env: dict[str, str], tmp_path: Path) -> None:
    runner = CliRunner()
    plain = runner.invoke(main, ["fmt", "-"], input="state=OPEN", env=env)
    assert plain.exit_code == 0 and plain.stdout == "state = OPEN\n"
    other = tmp_path / "a.cql"
    other.write_text("priority>3\n", encoding="utf-8")
    written = runner.invoke(main, ["fmt", "--write", "-", str(other)], input="state=OPEN", env=env)
    assert written.exit_code == 0, written.output
    assert written.stdout == "state = OPEN\n"  # stdin: to standard output
    assert other.read_text(encoding="utf-8") == "priority > 3\n"
    twice = runner.invoke(main, ["fmt", "--check", "-", "-"], input="x", env=env)
    assert twice.exit_code == 2
