"""`fetch --dry-run` prints shell commands: pasted into a shell, they run
curl and nothing else, whatever the config, the URL or the campaign hold.

Each printed command is run by ``sh`` with a PATH holding only a fake
``curl`` (and a fake ``GET``, which a ``# GET URL`` line would call if it
were not a comment), which writes down the arguments it was given; a
payload that escaped its quotes would write a file through a shell
redirection (no command needed).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cqlang.cli import main
from cqlang.cli.dryrun import curl
from cqlang.config import Config, ConfigError
from cqlang.config.validate import validate

SH = shutil.which("sh")
pytestmark = pytest.mark.skipif(SH is None, reason="needs a POSIX sh")

RECORDER = """#!{python}
import json, os, sys
with open(os.environ["RECORD"], "a", encoding="utf-8") as f:
    f.write(json.dumps([os.path.basename(sys.argv[0]), *sys.argv[1:]]) + "\\n")
"""


def run(env: dict[str, str], *args: str, code: int = 0) -> Result:
    result = CliRunner().invoke(main, list(args), env=env)
    assert result.exit_code == code, result.output
    return result


def in_sh(tmp_path: Path, script: str, **env: str) -> list[list[str]]:
    """Run ``script`` with ``sh`` in ``tmp_path``; the fake commands' calls."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    for name in ("curl", "GET"):
        fake = bin_dir / name
        fake.write_text(RECORDER.format(python=sys.executable), encoding="utf-8")
        fake.chmod(0o755)
    record = tmp_path / "calls.jsonl"
    record.unlink(missing_ok=True)
    assert SH is not None
    subprocess.run(
        [SH, "-c", script],
        cwd=tmp_path,
        env={"PATH": str(bin_dir), "RECORD": str(record), **env},
        capture_output=True,
        timeout=60,
        check=False,
    )
    if not record.exists():
        return []
    return [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]


def curl_args(url: str, header: str) -> list[str]:
    return ["curl", "-sS", "--compressed", "-H", header, "-H", "Accept: application/json", url]


@pytest.mark.parametrize(
    "name",
    ["CONPEEK_$(echo >PWNED)", 'CONPEEK_A"B', "CONPEEK_A B", "CONPEEK_`echo >PWNED`", "CONPEEK_É"],
)
@pytest.mark.parametrize("table", ["connection", "profiles.p"])
def test_an_api_key_env_that_is_not_a_variable_name_is_a_mistake_in_the_file(
    tmp_path: Path, name: str, table: str
) -> None:
    """Checked in every file (the user's own too, which may name any
    variable), at FILE:LINE:COL, before a dry run could print it."""
    value = json.dumps(name, ensure_ascii=False)
    text = f'[{table}]\nbase_url = "http://127.0.0.1:9"\napi_key_env = {value}\ncampaign = "c"\n'
    config = tmp_path / "c.toml"
    config.write_text(text, encoding="utf-8")
    env = {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": ""}
    args = ["--config", str(config)] + (["--profile", "p"] if table != "connection" else [])
    dry = run(env, *args, "fetch", "--dry-run", "", code=2)
    assert f"c.toml:3:15: {table}.api_key_env: " in dry.stderr, dry.stderr
    assert "is not the name of an environment variable" in dry.stderr
    assert "curl" not in dry.stdout and not (tmp_path / "PWNED").exists()
    for own in (False, True):  # the user's own file may name any variable, not any text
        _, problems = validate(tomllib.loads(text), own_file=own)
        assert [p.keys[-1] for p in problems] == ["api_key_env"], problems


def test_the_config_check_refuses_it_through_the_python_api_too(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[connection]\napi_key_env = "CONPEEK_$(id)"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"2:15: connection.api_key_env: 'CONPEEK_\$\(id\)'"):
        Config.load(config)


def test_printed_commands_run_curl_with_exact_arguments_and_nothing_else(tmp_path: Path) -> None:
    """A hostile base URL path and campaign id: each curl line, through
    sh, gives curl the URL and the headers exactly, and runs nothing else."""
    base = "http://127.0.0.1:9/a'b$(echo >PWNED)`echo >PWNED`\"c\\d"
    campaign = "c'$(echo >PWNED);\"x"
    config = tmp_path / "c.toml"
    config.write_text(
        f'[connection]\nbase_url = {json.dumps(base)}\napi_key_env = "CONPEEK_T_KEY"\n'
        f"campaign = {json.dumps(campaign)}\n",
        encoding="utf-8",
    )
    env = {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": ""}
    query = '(state = OPEN or priority > 5) and custom.x != "a\'$(echo >PWNED)"'
    dry = run(env, "--config", str(config), "fetch", "--dry-run", query)
    urls = [line[6:] for line in dry.stdout.splitlines() if line.startswith("# GET ")]
    curls = [line for line in dry.stdout.splitlines() if line.startswith("curl ")]
    assert len(urls) == len(curls) == 2
    for url, line in zip(urls, curls, strict=True):
        assert in_sh(tmp_path, line, CONPEEK_T_KEY="the-secret") == [
            curl_args(url, "Authorization: the-secret")
        ]
    # The whole output as one script: the comments stay comments.
    calls = in_sh(tmp_path, dry.stdout, CONPEEK_T_KEY="k")
    assert [c[0] for c in calls] == ["curl", "curl"]
    assert not (tmp_path / "PWNED").exists()


def test_the_url_variable_and_the_placeholder_are_quoted_too(tmp_path: Path) -> None:
    """No base URL known: ``"$CONPEEK_URL"`` then the quoted rest; a key
    written in a config file: the quoted placeholder."""
    url = "$CONPEEK_URL/voice_campaign/c/request?limit=1000&offset=0&filter=%5B%5D"
    calls = in_sh(tmp_path, curl(url, "CONPEEK_KEY"), CONPEEK_URL="http://h", CONPEEK_KEY="k")
    assert calls == [curl_args("http://h" + url[len("$CONPEEK_URL") :], "Authorization: k")]
    calls = in_sh(tmp_path, curl("http://h/x", None))
    assert calls == [curl_args("http://h/x", "Authorization: YOUR_API_KEY")]


@pytest.mark.parametrize("bad", ["CONPEEK_$(echo >PWNED)", 'A"B', "A B", "", "1A", "A;B"])
def test_curl_never_writes_a_name_that_is_not_a_variable_name(tmp_path: Path, bad: str) -> None:
    """Whatever reaches it from Python, curl() writes the placeholder."""
    line = curl("http://h/x", bad)
    assert in_sh(tmp_path, line) == [curl_args("http://h/x", "Authorization: YOUR_API_KEY")]
    assert not (tmp_path / "PWNED").exists()


@pytest.mark.skipif(os.name != "posix", reason="a line break in a file name")
def test_a_config_path_with_a_line_break_stays_in_its_comment(tmp_path: Path) -> None:
    """The comment that says where a written key is names the file: a line
    break in its name is drawn, not printed, so the next line is no command."""
    folder = tmp_path / "x\necho >PWNED\n"
    folder.mkdir()
    config = folder / "c.toml"
    config.write_text(
        '[connection]\nbase_url = "http://127.0.0.1:9"\napi_key = "k-0123456789abcdef"\n'
        'campaign = "c"\n',
        encoding="utf-8",
    )
    config.chmod(0o600)
    env = {"CONPEEK_URL": "", "CONPEEK_KEY": "", "CQLANG_CONFIG": ""}
    dry = run(env, "--config", str(config), "fetch", "--dry-run", "state = OPEN")
    first = dry.stdout.splitlines()[0]
    assert first.startswith("# the API key is written in the config") and "␊echo" in first
    assert [c[0] for c in in_sh(tmp_path, dry.stdout)] == ["curl"]
    assert not (tmp_path / "PWNED").exists()
