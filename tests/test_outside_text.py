"""Text from outside on a terminal (docs/cli.md, "Text from outside"): the
records of the API, config files, what was typed. Text for reading is drawn
visible (cqlang.visible.visible) wherever it goes; JSON writes escapes; raw
text formats keep their bytes for a file or a pipe and are drawn on a
terminal. For every front end: the fast path, the click commands, the
REPL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import cqlang.cli
from cqlang import launch
from cqlang.cli import main
from cqlang.config import locate

#: What must never reach a terminal as it is.
ACTING = ("\x1b", "\x07", "\x9b", "\u202e")


def raw_in(text: str) -> list[str]:
    return [c for c in ACTING if c in text]


@pytest.fixture(autouse=True)
def no_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for var in ("CQLANG_CONFIG", "CONPEEK_URL", "CONPEEK_KEY", "CQLANG_DEBUG", "NO_COLOR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(work)
    assert locate.no_config_file()
    return work


def run(*args: str, code: int = 0, **kw: str) -> Result:
    result = CliRunner().invoke(main, list(args), **kw)  # type: ignore[arg-type]
    assert result.exit_code == code, result.output
    return result


def launched(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> str:
    """The console script's fast path (no click): its stdout."""

    def no_click() -> None:
        raise AssertionError("the fast path sent it to click")

    monkeypatch.setattr("sys.argv", ["cqlang", *args])
    monkeypatch.setattr(cqlang.cli, "main", no_click)
    with pytest.raises(SystemExit):
        launch.main()
    return capsys.readouterr().out


# ----------------------------------------------------------------- JSON

QUERY = 'custom.x = "\\u009b2J\\u202eabc\\u001b]0;T\\u0007" and priority > 1'
VALUE = "\x9b2J\u202eabc\x1b]0;T\x07"


def test_compile_writes_escapes_on_the_fast_path_and_through_click(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fast = launched(monkeypatch, capsys, "compile", QUERY)
    slow = run("compile", QUERY).stdout
    assert fast == slow
    assert not raw_in(fast) and "\\u009b2J\\u202eabc" in fast
    assert json.loads(fast)[0]["value"] == VALUE  # the same data


def test_explain_and_check_json_write_escapes(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for args in (["explain", QUERY], ["explain", "--json", QUERY]):
        fast = launched(monkeypatch, capsys, *args)
        assert fast == run(*args).stdout and not raw_in(fast), fast
    name = "q\u202etxt.cql"  # a file name that shows reversed
    Path(name).write_text("prioirty > 1\n", encoding="utf-8")
    checked = run("check", "--json", "-f", name, code=1).stdout
    assert not raw_in(checked), checked
    assert json.loads(checked)[0]["file"] == name


# ------------------------------------------------------------ records

NAME = "\x1b[31mRED\x1b[0m\x07\x9b2J\u202eabc"
RECORDS = [
    {
        "id": "a1",
        "name": NAME,
        "state": "OPEN",
        "priority": 1,
        "custom": json.dumps(
            {"k\u202e": "v\u202eabc", "vip": True, "nested": {"a": [1, {"b": 2}]}}
        ),
    }
]


@pytest.fixture
def server(emulator_factory: Any) -> dict[str, str]:
    emu = emulator_factory(data={"c": RECORDS}, api_key="k", strict=False)
    return {"CONPEEK_URL": emu.url, "CONPEEK_KEY": "k"}


def fetch(env: dict[str, str], *args: str) -> Result:
    return run("fetch", "--campaign", "c", "", *args, env=env)


def test_json_formats_write_escapes_and_keep_the_data(server: dict[str, str]) -> None:
    for fmt in ("jsonl", "json"):
        out = fetch(server, "--format", fmt).stdout
        assert not raw_in(out), out
        records = json.loads(out) if fmt == "json" else [json.loads(out)]
        assert records[0]["name"] == NAME
