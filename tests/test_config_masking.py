"""A diagnostic drawn on a config file's line never shows an api_key
written on that line: the key's characters are masked, columns kept."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.config import masked_text

SECRET = "SECRETKEY123456"
PYPROJECT = (
    "[tool]\n"
    f'cqlang = {{ connection = {{ api_key = "{SECRET}" }}, '
    'queries = { q = "prioirty > 1" } }\n'
)
TOML = f"""[connection]
api_key = "{SECRET}"
[profiles.staging]
base_url = "https://staging.example.com"
api_key = '''{SECRET}
on two lines'''
[queries]
q = "prioirty > 1"
"""


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o600)
    return path


def cli(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize(
    "args",
    [
        ("queries", "check"),
        ("compile", "@q"),
        ("check", "@q"),
        ("explain", "@q"),
        ("queries", "show", "q"),
        ("queries", "check", "pyproject.toml"),
    ],
)
def test_a_key_beside_a_query_is_masked_in_carets(args: tuple[str, ...], tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT)
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert SECRET not in result.output
    line = next(x for x in result.stderr.splitlines() if x.startswith("2 | "))
    caret = next(x for x in result.stderr.splitlines() if "^^^^^^^^ did you mean" in x)
    assert line[caret.index("^") :].startswith("prioirty")  # the caret still points at it
    assert '"***************"' in line


def test_fmt_check_masks_the_key_too(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", PYPROJECT.replace("prioirty > 1", "priority > (1"))
    result = cli("fmt", "--check", "pyproject.toml")
    assert result.exit_code == 1
    assert "error[CQL" in result.output and SECRET not in result.output


def test_masked_text_keeps_lines_and_columns() -> None:
    shown = masked_text(TOML)
    assert SECRET not in shown
    assert len(shown) == len(TOML)
    assert shown.splitlines()[0] == TOML.splitlines()[0]
    assert [len(x) for x in shown.splitlines()] == [len(x) for x in TOML.splitlines()]
    assert "on two lines" not in shown  # every line of a multi-line key
    assert 'q = "prioirty > 1"' in shown
    # The key of a pyproject's [tool.cqlang] only, not another tool's.
    other = '[tool.other]\napi_key = "keep"\n'
    assert masked_text(other, ("tool", "cqlang")) == other
    assert "keep" not in masked_text(
        '[tool.cqlang.connection]\napi_key = "keep"\n', ("tool", "cqlang")
    )
