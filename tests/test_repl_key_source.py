"""The REPL names where a refused key came from, as `cqlang fetch` does
(docs/client.md): "the API key from $CONPEEK_KEY was refused". Before, its
client was made from the bare key and said "from the api_key argument", a
name the user never gave."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from cqlang.cli import main
from cqlang.emulator import DEFAULT_CAMPAIGN, Emulator


def piped_repl(stdin: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cqlang", "repl", "--campaign", DEFAULT_CAMPAIGN],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize("command", ["\\fetch 1", "\\count"])
def test_a_wrong_key_from_the_environment_is_named_so(
    emulator: Emulator, config_home: Path, command: str
) -> None:
    env = {**os.environ, "CONPEEK_URL": emulator.url, "CONPEEK_KEY": "wrong-key"}
    done = piped_repl(f"state = OPEN\n{command}\n", env)
    out = done.stdout + done.stderr
    assert "the API key from $CONPEEK_KEY was refused" in out, out
    assert "api_key argument" not in out and "wrong-key" not in out
    cli = CliRunner().invoke(
        main,
        ["fetch", "--campaign", DEFAULT_CAMPAIGN, "--retries", "0", "state = OPEN"],
        env={"CONPEEK_URL": emulator.url, "CONPEEK_KEY": "wrong-key"},
    )
    assert "the API key from $CONPEEK_KEY was refused" in cli.output  # the same words


def test_a_key_from_the_config_is_named_by_its_variable(
    emulator: Emulator, config_home: Path
) -> None:
    (config_home / "cqlang.toml").write_text(
        f'[connection]\nbase_url = "{emulator.url}"\napi_key_env = "CONPEEK_MY_KEY"\n'
    )
    env = {**os.environ, "CONPEEK_MY_KEY": "wrong-key"}
    env.pop("CONPEEK_URL", None)
    env.pop("CONPEEK_KEY", None)
    done = piped_repl("state = OPEN\n\\fetch 1\n", env)
    out = done.stdout + done.stderr
    assert "the API key from $CONPEEK_MY_KEY" in out and "was refused" in out, out
    assert "api_key argument" not in out
