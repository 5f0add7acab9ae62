"""A config file may start with a byte order mark (cqlang.toml and
pyproject.toml, read and edited); one anywhere else is a TOML mistake."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import Config, ConfigError, remove_query, save_query

BOM = "\ufeff"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


# ------------------------------------------- a byte order mark in a config


def test_a_config_file_starting_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cqlang.toml"
    path.write_text(BOM + '[queries]\nq = "state = OPEN"\n', encoding="utf-8")
    cfg = Config.load()
    assert cfg.queries["q"].text == "state = OPEN"
    result = CliRunner().invoke(main, ["compile", "@q"])
    assert result.exit_code == 0, result.output
    # Editing it keeps everything but the mark.
    save_query(path, "r", "priority > 1")
    remove_query(path, "q")
    assert path.read_text(encoding="utf-8") == "[queries]\n\n[queries.r]\nquery = 'priority > 1'\n"


def test_a_pyproject_starting_with_a_bom_is_found(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        BOM + '[tool.cqlang.queries]\nq = "state = OPEN"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["queries", "list"])
    assert result.exit_code == 0 and result.stdout.startswith("@q")


def test_a_bom_elsewhere_is_still_a_mistake(tmp_path: Path) -> None:
    (tmp_path / "cqlang.toml").write_text('[queries]\n\ufeffq = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"cqlang\.toml:2:1: not valid TOML"):
        Config.load()
