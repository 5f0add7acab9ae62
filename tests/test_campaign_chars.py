"""A campaign id holding a character that is not printable (a bell, an
escape, a tab) is refused wherever it comes from, by one check
(cqlang.encoding.campaign_problem): --campaign, a config file's campaign,
Python's Client and the REPL's \\campaign (tests/test_repl_commands.py);
named by its code point, never shown as it is. It used to be sent as a%07b."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import cqlang
from cqlang.encoding import campaign_problem, request_path

BAD = ["a\x07b", "a\x1b[31mb", "a\tb", "a\nb", "a\x7fb", "a\x9bb"]


@pytest.mark.parametrize("campaign", BAD)
def test_the_one_check(campaign: str) -> None:
    problem = campaign_problem(campaign)
    assert problem is not None and problem.startswith("a campaign id cannot hold a control")
    assert campaign not in problem
    with pytest.raises(ValueError, match="control character"):
        request_path(campaign)


def test_ordinary_ids_pass() -> None:
    for campaign in ("5b7c389fe8df7b60af688989", "kampania łódzka", "a/b", "a b"):
        assert campaign_problem(campaign) is None


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CONPEEK_", "CQLANG_"))}
    env.update(XDG_CONFIG_HOME=str(tmp / "cfg"), HOME=str(tmp), CONPEEK_URL="http://127.0.0.1:9")
    env["CONPEEK_KEY"] = "k"
    return env


def test_the_cli_the_config_file_and_python(tmp_path: Path) -> None:
    run = [sys.executable, "-m", "cqlang"]
    r = subprocess.run(
        [*run, "fetch", "--campaign", "a\x07b", "state = OPEN"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "control character (U+0007" in r.stderr
    assert "\x07" not in r.stderr + r.stdout
    toml = tmp_path / "cqlang.toml"
    toml.write_text('[connection]\ncampaign = "a\\u001bb"\n', encoding="utf-8")
    toml.chmod(0o600)
    r = subprocess.run(
        [*run, "config"],
        cwd=tmp_path,
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2 and "cqlang.toml:2:12: connection.campaign" in r.stderr
    assert "\x1b" not in r.stderr + r.stdout
    client = cqlang.Client("http://127.0.0.1:9", "k")
    with pytest.raises(ValueError, match="U\\+0007"):
        list(client.voice_campaign_requests("a\x07b", "state = OPEN"))
