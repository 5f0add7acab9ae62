"""A key that is set but cannot be sent is described as such, not as "no
API key" (which is kept for a key that no source gives): one wording from
cqlang.config.connection.why_not, in the CLI, the REPL
(tests/test_repl_habits.py) and Python."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cqlang.config import Config
from cqlang.config.connection import why_not
from cqlang.errors import ConfigError

CAMPAIGN = "5b7c389fe8df7b60af688989"


def _env(tmp_path: Path, key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONPEEK_", "CQLANG_"))}
    env.update(
        CONPEEK_URL="http://127.0.0.1:9",
        CONPEEK_KEY=key,
        XDG_CONFIG_HOME=str(tmp_path),
        XDG_STATE_HOME=str(tmp_path),
    )
    return env


def test_the_cli_says_what_is_wrong_with_a_key_that_is_set(tmp_path: Path) -> None:
    r = subprocess.run(
        [sys.executable, "-m", "cqlang", "fetch", "--campaign", CAMPAIGN, "state = OPEN"],
        env=_env(tmp_path, "ab\x01cd"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2, r.stderr
    assert "no API key" not in r.stderr
    assert "the API key from $CONPEEK_KEY holds a control character" in r.stderr
    assert "ab\x01cd" not in r.stderr


def test_the_cli_still_says_no_api_key_when_none_is_given(tmp_path: Path) -> None:
    env = _env(tmp_path, "")
    r = subprocess.run(
        [sys.executable, "-m", "cqlang", "fetch", "--campaign", CAMPAIGN, "state = OPEN"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2, r.stderr
    assert "cqlang: no API key: set $CONPEEK_KEY" in r.stderr


def test_python_and_the_settings_use_the_same_words(tmp_path: Path) -> None:
    cfg = Config.load(cwd=tmp_path, env=_env(tmp_path, "ab\ncd\x1b"))
    conn = cfg.connection()
    assert conn.api_key is None
    said = why_not(conn.missing, "api_key")
    assert said.startswith("the API key from $CONPEEK_KEY holds")
    with pytest.raises(ConfigError) as info:
        conn.for_client()
    assert str(info.value) == said


@pytest.mark.parametrize("missing", [{}, {"api_key": "no API key: it should be in $X"}])
def test_why_not_falls_back_to_where_a_key_could_come_from(missing: dict[str, str]) -> None:
    assert why_not(missing, "api_key").startswith("no API key: ")
