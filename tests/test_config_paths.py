"""Review fixes: every command that reads a config file reads it through the
same guards (a device that never ends, a pipe, a name too long), and an
OSError about a path the user named is an error naming it, never exit 70."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.config import Config, ConfigError, remove_query, save_query

LONG = "x" * 300 + ".toml"
COMMANDS = [
    ["queries", "rm", "foo"],
    ["queries", "save", "foo", "state = OPEN"],
    ["queries", "check"],
    ["queries", "list"],
    ["config"],
    ["check", "state = OPEN"],
]


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CQLANG_CONFIG": "", "CONPEEK_KEY": "", "CONPEEK_URL": ""}
    return subprocess.run(
        [sys.executable, "-m", "cqlang", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,  # bounds a hang (a pipe was waited on), measures nothing
    )


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_config_device_that_never_ends_is_refused(command: list[str], tmp_path: Path) -> None:
    run = _run([*command, "--config", "/dev/zero"], tmp_path)
    assert run.returncode == 2, run.stderr
    if command[:2] == ["queries", "rm"]:  # not read: no device is a file to edit
        assert "it is a character device, not a regular file" in run.stderr
    else:
        assert "is a device, not a config file" in run.stderr


@pytest.mark.parametrize("command", COMMANDS[:2], ids=" ".join)
def test_a_config_pipe_is_refused_not_waited_on(command: list[str], tmp_path: Path) -> None:
    fifo = tmp_path / "c.toml"
    os.mkfifo(fifo)
    run = _run([*command, "--config", str(fifo)], tmp_path)
    assert run.returncode == 2, run.stderr
    assert "is a pipe" in run.stderr or "is a named pipe, not a regular file" in run.stderr


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_config_name_too_long_is_an_error_naming_it(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*command, "--config", LONG], env={"CQLANG_CONFIG": ""})
    assert result.exit_code == 2, result.output
    assert "File name too long" in result.output
    assert "internal error" not in result.output


def test_the_python_api_words_the_same_mistakes(tmp_path: Path) -> None:
    for path in (Path("/dev/zero"), tmp_path / LONG):
        with pytest.raises(ConfigError):
            Config.load(path)
        with pytest.raises(ConfigError):
            save_query(path, "foo", "state = OPEN")
        with pytest.raises(ConfigError):
            remove_query(path, "foo")
