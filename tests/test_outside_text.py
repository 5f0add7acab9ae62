"""Text from outside on a terminal (docs/cli.md, "Text from outside"): the
records of the API, config files, what was typed. Text for reading is drawn
visible (cqlang.visible.visible) wherever it goes; JSON writes escapes; raw
text formats keep their bytes for a file or a pipe and are drawn on a
terminal. For every front end: the fast path, the click commands, the
REPL."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import cqlang
import cqlang.cli
from cqlang import launch
from cqlang.cli import main
from cqlang.config import locate
from cqlang.output.display import render_table
from cqlang.repl import Dispatcher, Session

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
        "close_reason": NAME,  # a column the REPL's table shows
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


def on_a_terminal(env: dict[str, str], *args: str) -> str:
    """stdout of ``cqlang ARGS`` written to a pseudo-terminal."""
    master, slave = pty.openpty()
    chunks = []
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cqlang.launch import main; main()", *args],
            stdin=subprocess.DEVNULL, stdout=slave, stderr=subprocess.DEVNULL,
            env={**os.environ, "TERM": "xterm", "CQLANG_CONFIG": "", **env},
        )  # fmt: skip
        os.close(slave)
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        proc.wait(timeout=60)
    finally:
        os.close(master)
    return b"".join(chunks).decode()


DRAWN = "␛[31mRED␛[0m␇<U+009B>2J<U+202E>abc"


def test_the_table_draws_what_the_repl_draws(server: dict[str, str]) -> None:
    """`--format table` and the REPL's `\\fetch` draw a record's text with
    the same function, to a pipe as to a terminal."""
    piped = fetch(server, "--format", "table", "--columns", "id,name").stdout
    assert not raw_in(piped) and DRAWN in piped, piped
    shown = on_a_terminal(server, "fetch", "--campaign", "c", "--format", "table", "--columns",
                          "id,name")  # fmt: skip
    assert not raw_in(shown) and DRAWN in shown, shown
    d = Dispatcher(Session(campaign="c", base_url=server["CONPEEK_URL"], api_key="k"), width=300)
    d.handle("state = OPEN")
    fetched = d.handle("\\fetch")
    assert fetched.ok and not raw_in(fetched.text) and DRAWN in fetched.text, fetched.text


def test_the_table_spells_values_as_json(server: dict[str, str]) -> None:
    """`true`, `null` and `{"a": [1, {"b": 2}]}`, not Python's reprs."""
    columns = "id,custom.vip,custom.nested,custom.gone"
    table = fetch(server, "--format", "table", "--columns", columns).stdout
    row = table.splitlines()[-1].split()
    assert row[:2] == ["a1", "true"] and '{"a": [1, {"b": 2}]}' in table, table
    d = Dispatcher(Session(campaign="c", base_url=server["CONPEEK_URL"], api_key="k"), width=300)
    d.handle("state = OPEN")
    fetched = d.handle("\\fetch").text
    assert "vip=true, neste…" in fetched and "True" not in fetched, fetched
    record = {"id": "1", "custom": {"vip": True, "none": None, "nested": {"a": [1, {"b": 2}]}}}
    assert render_table([record], width=200).splitlines()[-1].split(None, 1)[1] == (
        'vip=true, none=null, nested={"a": [1, {…'
    )
    other = render_table(
        [{"id": "1", "on": False, "list": [None, {"b": [True]}]}], columns=["id", "on", "list"]
    )
    assert other.splitlines()[-1].split(None, 1)[1] == 'false   null, {"b": [true]}'
    shown = d.handle("\\show a1").text
    assert "custom.vip" in shown and "| true" in shown


def test_csv_keeps_its_bytes_for_a_file_or_a_pipe_and_draws_on_a_terminal(
    server: dict[str, str], tmp_path: Path
) -> None:
    piped = fetch(server, "--format", "csv", "--columns", "id,name").stdout
    assert list(csv.reader(io.StringIO(piped)))[1] == ["a1", NAME]  # exact: the data
    saved = tmp_path / "out.csv"
    fetch(server, "--columns", "id,name", "-o", str(saved))
    with saved.open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f))[1] == ["a1", NAME]
    shown = on_a_terminal(server, "fetch", "--campaign", "c", "--format", "csv", "--columns",
                          "id,name")  # fmt: skip
    assert not raw_in(shown) and f"a1,{DRAWN}" in shown, shown


def test_show_draws_a_bidi_control_in_a_custom_key(server: dict[str, str]) -> None:
    """`\\show` with a custom key holding U+202E: the key is drawn, and the
    labels stay aligned on the drawn names."""
    d = Dispatcher(Session(campaign="c", base_url=server["CONPEEK_URL"], api_key="k"))
    shown = d.handle("\\show a1").text
    assert not raw_in(shown), shown
    rows = [line for line in shown.splitlines() if " | " in line]
    assert "custom.k<U+202E> | v<U+202E>abc" in rows
    assert len({line.index(" | ") for line in rows}) == 1


# ------------------------------------------------------------ query text

OSC = "\x1b]52;c;cHduZWQ=\x07"  # sets the clipboard in many terminals


def test_query_text_writes_escapes_in_strings(server: dict[str, str]) -> None:
    """fmt, explain's client-side check, decompile and the REPL's \\format
    write a control, C1 or bidi character in a string as its \\u escape:
    the same query, nothing that acts on a terminal."""
    query = f'custom.x != "{OSC}\x9b\u202e" and custom["k\u202e"] = 1'
    escaped = 'custom.x != "\\u001b]52;c;cHduZWQ=\\u0007\\u009b\\u202e"'
    formatted = run("fmt", query).stdout
    assert formatted.startswith(escaped) and 'custom["k\\u202e"] = 1' in formatted, formatted
    assert cqlang.format(formatted) == formatted.strip()
    explained = run("explain", query).stdout
    assert not raw_in(explained) and escaped in explained, explained
    filters = json.dumps([{"property": "custom_fields", "key": "k\u202e", "value": "\x9b"}])
    decompiled = run("decompile", filters).stdout
    assert decompiled == 'custom["k\\u202e"] = "\\u009b"\n'
    d = Dispatcher(Session())
    assert d.handle(f"\\format {query}").text.startswith(escaped)


def test_fmt_keeps_a_comment_exact_for_a_pipe_and_draws_it_on_a_terminal() -> None:
    """A comment cannot be escaped: its bytes go to a pipe as they are (so
    `fmt > q.cql` loses nothing) and are drawn on a terminal."""
    query = f"state = OPEN  # {OSC}"
    assert run("fmt", query).stdout == query + "\n"
    shown = on_a_terminal({}, "fmt", query)
    assert not raw_in(shown) and "# ␛]52;c;cHduZWQ=␇" in shown, shown
    Path("q.cql").write_text(f"state=OPEN  # {OSC}\n", encoding="utf-8")
    diff = run("fmt", "--check", "q.cql", code=1).stdout
    assert f"+state = OPEN  # {OSC}" in diff  # exact for a pipe
    shown = on_a_terminal({}, "fmt", "--check", "q.cql")
    assert not raw_in(shown) and "+state = OPEN  # ␛]52;c;cHduZWQ=␇" in shown, shown


# ---------------------------------------------------- config files' text

CONFIG = r"""
[queries.t]
query = "custom.x != \"\u001b]52;c;cHduZWQ=\u0007\" and custom.y != \"\u009b\u202e\""
description = "d\u001b]0;T\u0007e\u009b"
"""


@pytest.fixture
def hostile_config(no_config: Path) -> Path:
    path = no_config / "f.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_queries_show_and_list_draw_the_files_text(hostile_config: Path) -> None:
    """The reviewer's repro: `queries show t | cat -v` held `^[]52;c;...^G`."""
    shown = run("--config", str(hostile_config), "queries", "show", "t").stdout
    assert not raw_in(shown), shown
    assert "@t: d␛]0;T␇e<U+009B>" in shown
    assert 'custom.x != "␛]52;c;cHduZWQ=␇"' in shown  # the text as written, drawn
    assert 'custom.y != "\\u009b\\u202e"' in shown  # the plan: query text, escaped
    listed = run("--config", str(hostile_config), "queries", "list").stdout
    assert not raw_in(listed) and "d␛]0;T␇e<U+009B>" in listed, listed
    as_json = run("--config", str(hostile_config), "queries", "show", "--json", "t").stdout
    assert not raw_in(as_json) and json.loads(as_json)["description"] == "d\x1b]0;T\x07e\x9b"
    described = run("--config", str(hostile_config), "config").stdout
    assert not raw_in(described), described


def test_named_queries_in_explain_fmt_and_the_repl(hostile_config: Path) -> None:
    for args in (["explain", "@t"], ["fmt", "@t"]):
        out = run("--config", str(hostile_config), *args).stdout
        assert not raw_in(out) and "\\u001b]52;c;cHduZWQ=\\u0007" in out, out
    result = run("--config", str(hostile_config), "repl", input="\\queries\n\\explain @t\n")
    assert not raw_in(result.stdout), result.stdout
    assert '@t  custom.x != "␛]52;c;cHduZWQ=␇"' in result.stdout


# ----------------------------------------------------- the REPL's echoes


def test_the_repl_draws_what_it_echoes_and_cuts_it_short(tmp_path: Path) -> None:
    d = Dispatcher(Session())
    out = tmp_path / "\x1b[2Jx.csv"
    said = d.handle(f"\\o {out}")
    assert said.ok and "␛[2Jx.csv" in said.text and not raw_in(said.text), said.text
    unknown = d.handle("\\" + "x" * 100_000)
    assert not unknown.ok and len(unknown.text) < 200, len(unknown.text)
    assert unknown.text.startswith("unknown command \\xxxx") and "…" in unknown.text
    for line in ("\\\x1b]0;T\x07", "\\show \x1b[2J", "\\param -\x1b[2J", "\\set \x1b[2J",
                 "\\tz \x1b[2J", "\\campaign \x1b[2J", "\\save \x1b[2J"):  # fmt: skip
        reply = d.handle(line)
        assert not reply.ok and not raw_in(reply.text), (line, reply.text)


@pytest.mark.parametrize("color", [False, True])
def test_no_reply_of_any_command_sends_what_it_quotes_raw(color: bool, tmp_path: Path) -> None:
    """Every meta command of the registry, given text that would act on a
    terminal (and 100,000 characters of it): its reply is drawn, with only
    the colours of diagnostics, and an echo is not printed whole."""
    from cqlang.repl.commands import COMMANDS

    hostile = f"{OSC}\x9b\u202e" + "x" * 100_000
    d = Dispatcher(Session(config_file=str(tmp_path / "c.toml")), color=color)
    d.handle(f'custom.x != "{OSC}" and prioirty > 1')
    for name in COMMANDS:
        if name in ("quit", "fetch", "count", "show"):  # they need a server, or leave
            continue
        reply = d.handle(f"\\{name} {hostile}")
        text = reply.text.replace("\x1b[0m", "")
        for sgr in ("\x1b[1m", "\x1b[1;31m", "\x1b[1;33m", "\x1b[1;34m", "\x1b[36m"):
            text = text.replace(sgr, "")  # the colours of diagnostics, and only those
        assert not raw_in(text), (name, reply.text[:300])
