"""cqlang/cli/lenient.py: a mistake in the nearest cqlang.toml does not
block fmt/check of query files that need nothing from it; when they need it, the error names
the config file and what needed it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main

BROKEN = '[connection]\npage_size = "lots"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.chdir(work)
    config = work / "cqlang.toml"
    config.write_text(BROKEN, encoding="utf-8")
    config.chmod(0o600)
    (work / "plain.cql").write_text("state = OPEN\n", encoding="utf-8")
    (work / "custom.cql").write_text("custom.region = PL\n", encoding="utf-8")
    (work / "named.cql").write_text("@hot and priority > 3\n", encoding="utf-8")
    return work


def cli(*args: str) -> tuple[int, str, str]:
    run = CliRunner().invoke(main, list(args))
    return run.exit_code, run.stdout, run.stderr


PLAIN_COMMANDS = [
    ["fmt", "--check", "plain.cql"],
    ["fmt", "--write", "plain.cql"],
    ["queries", "check", "plain.cql"],
    ["check", "-f", "plain.cql"],
    ["check", "state = OPEN"],
    ["fmt", "-f", "plain.cql"],
]


@pytest.mark.parametrize("args", PLAIN_COMMANDS)
def test_a_broken_config_does_not_block_a_query_that_needs_nothing_from_it(
    project: Path, args: list[str]
) -> None:
    code, _, err = cli(*args)
    assert code == 0, err
    assert "warning: the config is not read" in err and "cqlang.toml:2:13" in err


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (["fmt", "--check", "plain.cql", "custom.cql"], "custom.region"),
        (["queries", "check", "named.cql"], "@hot"),
        (["check", "-f", "custom.cql"], "custom.region"),
        (["check", "@hot"], "@hot"),
    ],
)
def test_a_query_that_needs_the_broken_config_names_it(
    project: Path, args: list[str], what: str
) -> None:
    code, _, err = cli(*args)
    assert code == 2
    assert "cqlang.toml:2:13" in err and what in err and "needed" in err


def test_a_config_named_on_purpose_is_always_needed(project: Path) -> None:
    code, _, err = cli("--config", "cqlang.toml", "check", "-f", "plain.cql")
    assert code == 2 and "cqlang.toml:2:13" in err
    code, _, err = cli("fmt", "--check")  # no FILES: the config files are the files
    assert code == 2 and "cqlang.toml:2:13" in err
