"""Nothing a user types makes a command an internal error (issue 11, item 7).

Hypothesis drives the click application with every command and every one of
its options and arguments, given random values (well-formed, malformed,
Unicode digits, control characters, empty) and random standard input, and
asserts: never exit 70, never a traceback, never an exception escaping the
command. No network: the base URL is a closed loopback port (fetch is held
to a short retry budget), and the emulator command is pointed at a port
already taken, so it exits instead of serving.
"""

from __future__ import annotations

import contextlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import pytest
import strategies as S
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cqlang.cli import main
from cqlang.status import ExitStatus

CONFIG = """\
[connection]
campaign = "c1"
max_branches = 8

[profiles.staging]
timezone = "Europe/Warsaw"
page_size = 50

[schema.custom_fields]
region = { type = "enum", values = ["PL", "DE"] }
score = "integer"

[queries.hot]
query = "priority >= $min and custom.region = PL"
params = { min = 3 }
exclude = ["history"]
limit = 5

[queries.warm]
query = "@hot or state = OPEN"
"""

#: Text with what breaks naive parsers: Unicode digits, a byte order mark,
#: control characters, separators and quotes.
NASTY = "²³١٢٣߀\ufeff\u200b\u00a0\t\r\n\x1b\x7f,;=@$#\"'\\/:%&-_.()[]{}"
text = st.text(
    alphabet=st.one_of(
        st.sampled_from(NASTY),
        st.characters(exclude_categories=("Cs",), exclude_characters="\x00"),
    ),
    max_size=16,
)
WORDS = (
    "",
    "-",
    "id",
    "history,custom",
    "id,history",
    "0",
    "-1",
    "²",
    "1e3",
    "nan",
    "inf",
    "99999999999999999999",
    "Europe/Warsaw",
    "Nowhere/Land",
    "2021-08-10",
    "today - 1d",
    "min=3",
    "min=",
    "=3",
    "r=PL, DE",
    "@hot",
    "@nope",
    "staging",
    "c1",
)
words = st.sampled_from(WORDS) | text


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A working folder, a config file, a closed port and a taken one."""
    root = tmp_path_factory.mktemp("fuzz")
    (root / "home").mkdir()
    (root / "records.json").write_text('[{"id": "a", "state": "OPEN"}]', encoding="utf-8")
    (root / "bad.json").write_text("[{", encoding="utf-8")
    (root / "folder").mkdir()
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: connections are refused
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        yield {
            "root": root,
            "closed": f"http://127.0.0.1:{closed_port}",
            "taken": taken.getsockname()[1],
        }
    finally:
        taken.close()


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[Any]:
    ctx = click.Context(group)
    for name in group.list_commands(ctx):  # the commands load lazily
        cmd = group.get_command(ctx, name)
        assert cmd is not None
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, (*prefix, name))
        else:
            yield (*prefix, name), cmd


COMMANDS = list(_commands(main))


def _paths(root: Path, devices: bool = True) -> st.SearchStrategy[str]:
    names = [
        "out.csv",
        "out.json",
        "out.jsonl",
        "out.NDJSON",
        "out.txt",
        "noext",
        "folder",
        "missing/out.csv",
        "records.json",
        "bad.json",
        "cqlang.toml",
    ]
    special = ["-", ""] + ([os.devnull, "/dev/stdout"] if devices else [])
    return st.sampled_from([str(root / n) for n in names] + special) | text


#: Values that make sense, by parameter name, so that most command lines get
#: past the option parsing into the command itself.
GOOD = {
    "tz": ["UTC", "Europe/Warsaw"],
    "now": ["2021-08-10 12:00:00", "2026-11-28"],
    "params": ["min=3", "r=PL,DE", "min=x"],
    "campaign": ["c1", "5b7c389fe8df7b60af688989"],
    "campaigns": ["c1"],
    "exclude": ["history", "history,custom", "", "custom"],
    "limit": ["0", "5"],
    "max_branches": ["1", "3", "64"],
    "page_size": ["1", "50"],
    "config_profile": ["staging"],
    "profile": ["staging"],
    "description": ["about it"],
    "name": ["hot", "warm", "new_q", "@hot"],
    "seed": ["1", "x", "-3"],
    "api_key": ["demo-key"],
    "faults": ["500=1", "latency=0.01", "drop=10%", "429=1@3"],
    "window_days": ["1", "90"],
    "port": ["0", "8080"],
    "host": ["127.0.0.1"],
}


def _value(param: click.Parameter, place: dict[str, Any]) -> st.SearchStrategy[str]:
    """Values for one parameter: mostly sensible ones (by its name), else
    anything (by its type); by name, too, where a value could leave the
    machine or hang the test."""
    name = param.name or ""
    typ = param.type
    root: Path = place["root"]
    if name == "base_url":
        fine = st.sampled_from([place["closed"], place["closed"] + "/api/", "https://127.0.0.1:1"])
        broken = st.sampled_from(["notaurl", "http://[::1", "ftp://x", "http://127.0.0.1:99999"])
        return fine | broken | text.filter(lambda t: "//" not in t)
    if name in ("retries",):
        return st.sampled_from(["0", "1"]) | st.sampled_from(["0", "2", "-1", "x", "²"])
    if name in ("retry_budget", "timeout"):
        bad = ["0", "nan", "inf", "-1", "1e999", "x", "²"]
        return st.sampled_from(["0.2", "1"]) | st.sampled_from(bad)
    if name == "records":
        return st.sampled_from(["0", "3", "-1", "x", "²", "1e3"])
    if name == "config_file":
        config = st.just(str(root / "cqlang.toml"))
        return config | config | config | _paths(root)
    if name == "output":
        return _paths(root)
    if name == "data":
        # Not a device or a pipe: `emulator --data` reads it to the end, and
        # refusing those is issue 16's emulator item, not this test's.
        return _paths(root, devices=False)
    if name in ("query", "filter_"):
        queries = S.query_texts(max_leaves=4).map(lambda q: q[1])
        return st.sampled_from(WORDS) | queries | queries | text
    anything: st.SearchStrategy[str]
    if isinstance(typ, click.Choice):
        anything = st.sampled_from(list(typ.choices)) | words
    elif isinstance(typ, click.types.IntParamType):
        anything = st.integers(-3, 10**6).map(str) | words
    elif isinstance(typ, click.types.FloatParamType):
        anything = st.floats(allow_nan=True, allow_infinity=True).map(repr) | words
    else:
        anything = words
    good = GOOD.get(name)
    if isinstance(typ, click.Choice):
        good = list(typ.choices)
    if not good:
        return anything
    sensible = st.sampled_from(good)
    return st.one_of(sensible, sensible, sensible, sensible, sensible, anything)


@st.composite
def command_lines(draw: st.DrawFn, place: dict[str, Any]) -> tuple[list[str], str]:
    path, cmd = draw(st.sampled_from(COMMANDS))
    args: list[str] = []
    for param in main.params:  # --config / --profile before the command
        if param.name not in ("config_file", "config_profile"):
            continue  # --help and --version end the run before any command
        if not draw(st.integers(0, 3)) and isinstance(param, click.Option):
            args += [draw(st.sampled_from(param.opts)), draw(_value(param, place))]
    args += list(path)
    if path == ("fetch",):  # a short retry budget first; random values may follow
        args += ["--retries", "0", "--retry-budget", "0.2", "--timeout", "1"]
    for param in cmd.params:
        if isinstance(param, click.Argument):
            if param.required or draw(st.booleans()):
                args.append(draw(_value(param, place)))
            continue
        assert isinstance(param, click.Option)
        # Each option in one of three command lines (--config and --profile,
        # which every command has, in one of six).
        rare = param.name in ("config_file", "config_profile")
        if draw(st.integers(0, 5 if rare else 2)):
            continue
        for _ in range(draw(st.integers(1, 3)) if param.multiple else 1):
            opt = draw(st.sampled_from(param.opts))
            if param.is_flag:
                args.append(opt)
            elif opt.startswith("--") and draw(st.booleans()):
                args.append(f"{opt}={draw(_value(param, place))}")
            else:
                args += [opt, draw(_value(param, place))]
    if path == ("emulator",):  # never serve: the port is taken
        args += ["--host", "127.0.0.1", "--port", str(place["taken"])]
    lines = draw(
        st.lists(
            st.sampled_from(
                [
                    "state = OPEN",
                    "quit",
                    "help",
                    "\\fetch ²",
                    "\\fetch 3",
                    "\\set max_branches ²",
                    "\\set page_size 5",
                    "\\save x",
                    "\\param min=²",
                    "@hot",
                    "\\tz Nowhere/Land",
                    "state = OPEN and",
                ]
            )
            | text,
            max_size=4,
        )
    )
    return args, ("\ufeff" if draw(st.booleans()) else "") + "\n".join(lines)


@settings(
    max_examples=S.examples(300),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_command_line_is_an_internal_error(place: dict[str, Any], data: st.DataObject) -> None:
    root: Path = place["root"]
    args, stdin = data.draw(command_lines(place))
    config = root / "cqlang.toml"
    config.write_text(CONFIG, encoding="utf-8")  # what `queries save/rm` changed goes
    env = {
        "HOME": str(root / "home"),
        "XDG_CONFIG_HOME": str(root / "home" / ".config"),
        "XDG_STATE_HOME": str(root / "home" / ".state"),
        "CQLANG_CONFIG": str(config),
        "CONPEEK_URL": place["closed"] if args[:1] == ["fetch"] or "fetch" in args else None,
        "CONPEEK_KEY": "k-fuzz-0123456789",
        "CQLANG_DEBUG": None,
    }
    with contextlib.chdir(root):
        result = CliRunner().invoke(main, args, input=stdin, env=env)
    shown = f"cqlang {' '.join(map(repr, args))}\n{result.output}"
    assert result.exit_code != ExitStatus.INTERNAL, shown
    assert "internal error" not in result.output, shown
    assert "Traceback" not in result.output, shown
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        shown,
        result.exception,
    )


#: Command lines that were internal errors once (regressions).
KNOWN = [
    (["fetch", "--campaign", "c1", "--exclude", "id", "state = OPEN"], ""),
    (["fetch", "--campaign", "c1", "--exclude", "history,id"], ""),
    (["repl"], "state = OPEN\n\\fetch ²\n"),
    (["repl"], "\\set max_branches ²\n\\fetch ١٢\n"),
    (["emulator", "--seed", "²"], ""),
    (["fetch", "--campaign", "c1", "-o", "out.txt"], ""),
    (["queries", "check", "--config", "folder"], ""),
    (["--config", "folder", "config"], ""),
]


@pytest.mark.parametrize(("args", "stdin"), KNOWN)
def test_known_command_lines(place: dict[str, Any], args: list[str], stdin: str) -> None:
    root: Path = place["root"]
    (root / "cqlang.toml").write_text(CONFIG, encoding="utf-8")
    if args[0] == "emulator":
        args = [*args, "--host", "127.0.0.1", "--port", str(place["taken"])]
    env = {
        "CQLANG_CONFIG": str(root / "cqlang.toml"),
        "CONPEEK_URL": place["closed"],
        "CONPEEK_KEY": "k-fuzz-0123456789",
        "CQLANG_DEBUG": None,
    }
    with contextlib.chdir(root):
        result = CliRunner().invoke(main, args, input=stdin, env=env)
    assert result.exit_code in (1, 2), result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    assert "invalid literal" not in result.output  # int() of Unicode digits
