"""Review fixes: a config file's mistakes are capped as a query's
diagnostics are (the first 100, then "and N more mistakes"), wherever
they are printed: ConfigError's str() is what every front end shows."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import MAX_RENDERED


def _bad(tmp_path: Path, n: int) -> Path:
    path = tmp_path / "cfbad.toml"
    path.write_text("".join(f"[queries.q{i}]\nquery = 5\n" for i in range(n)), encoding="utf-8")
    return path


def test_the_command_line_shows_the_first_100_and_a_count(tmp_path: Path) -> None:
    path = _bad(tmp_path, 3000)
    result = CliRunner().invoke(main, ["--config", str(path), "config"])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert lines[0].endswith("3,000 mistakes in " + str(path) + ":")
    assert len(lines) == 1 + MAX_RENDERED + 1
    assert lines[-1] == "and 2,900 more mistakes"


def test_python_keeps_every_mistake_as_data(tmp_path: Path) -> None:
    with pytest.raises(cqlang.ConfigError) as info:
        cqlang.Config.load(_bad(tmp_path, 150))
    assert len(info.value.problems) == 150
    assert str(info.value).endswith("\nand 50 more mistakes")


def test_a_few_mistakes_are_all_shown(tmp_path: Path) -> None:
    with pytest.raises(cqlang.ConfigError) as info:
        cqlang.Config.load(_bad(tmp_path, MAX_RENDERED))
    assert "more mistake" not in str(info.value)
    assert len(str(info.value).splitlines()) == 1 + MAX_RENDERED
