"""A TOML integer longer than Python turns into an int (4300 digits) is a
mistake of the file, worded and placed as any other invalid TOML, exit 2.
Before, tomllib's plain ValueError escaped every reader: `compile` ended in
"internal error" (exit 70), a pyproject.toml in a raw traceback from the
launcher, and the language server failed every request."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from lsp_support import RawServer, server_env, temp_root, uri_of

from cqlang.config import ConfigError, remove_query, save_query
from cqlang.config.tomlread import loads

HUGE = "9" * 4301
WORDS = "not valid TOML: an integer of more than 4300 digits"


@pytest.fixture(autouse=True)
def workdir(config_home: Path) -> Path:
    return config_home


def launch(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """The installed command's path: the fast launcher first."""
    done = subprocess.run(
        [sys.executable, "-m", "cqlang", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=60,
        env=dict(os.environ),
    )
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    return done


def run(*args: str) -> Result:
    from cqlang.cli import main

    result = CliRunner().invoke(main, list(args), prog_name="cqlang")
    assert "Traceback" not in result.output and "internal error" not in result.output
    return result


def test_loads_words_it_with_its_place() -> None:
    import tomllib

    with pytest.raises(tomllib.TOMLDecodeError) as caught:
        loads(f"a = 1\n[t]\nb = [1, {HUGE}]\n")
    assert str(caught.value) == "an integer of more than 4300 digits (at line 3, column 9)"
    # The limit is Python's: one digit fewer is read, hex is not limited.
    assert loads(f"a = {HUGE[1:]}\nb = 0x{'f' * 5000}\n")["a"] == int(HUGE[1:])


@pytest.mark.parametrize(
    "content, place",
    [
        (f"[connection]\npage_size = {HUGE}\n", "cqlang.toml:2:13"),
        (f'[queries.a]\nquery = "state = OPEN"\nparams = {{ p = {"9" * 5000} }}\n', "3:16"),
    ],
)
def test_every_command_refuses_the_config_with_exit_2(
    workdir: Path, content: str, place: str
) -> None:
    (workdir / "cqlang.toml").write_text(content)
    for args in (("compile", "state = OPEN"), ("queries", "list"), ("fmt", "@a"), ("config",)):
        done = launch(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert place in done.stderr and WORDS in done.stderr, done.stderr
    checked = run("check", "state = OPEN")  # needs no config: warned, goes on
    assert checked.exit_code == 0 and WORDS in checked.stderr
    repl = launch("repl", stdin="state = OPEN\n")
    assert repl.returncode == 0 and WORDS in repl.stderr and '"OPEN"' in repl.stdout


def test_a_pyproject_with_a_huge_integer_elsewhere(workdir: Path) -> None:
    """The launcher asks whether pyproject.toml holds [tool.cqlang]: a huge
    integer in another tool's table is reported, not a traceback."""
    (workdir / "pyproject.toml").write_text(f"[tool.cqlang]\n[tool.other]\nx = {HUGE}\n")
    done = launch("compile", "state = OPEN")
    assert done.returncode == 2 and f"pyproject.toml:3:5: {WORDS}" in done.stderr


def test_queries_save_and_rm_refuse_the_file_unchanged(workdir: Path) -> None:
    path = workdir / "b.toml"
    content = f"[queries]\nx = {HUGE}\n"
    path.write_text(content)
    for edit in (lambda: save_query(path, "y", "state = OPEN"), lambda: remove_query(path, "x")):
        with pytest.raises(ConfigError) as caught:
            edit()
        assert "2:5" in str(caught.value) and "more than 4300 digits" in str(caught.value)
    assert path.read_text() == content
    checked = run("queries", "check", "b.toml")
    assert checked.exit_code == 2 and f"b.toml:2:5: {WORDS}" in checked.stderr
    fmt = run("fmt", "--check", "b.toml")
    assert fmt.exit_code == 2 and f"b.toml:2:5: {WORDS}" in fmt.stderr


def test_the_language_server_keeps_answering() -> None:
    root = temp_root()
    home, ws = root / "home", root / "ws"
    home.mkdir()
    ws.mkdir()
    config = ws / "cqlang.toml"
    config.write_text(f'[queries.a]\nquery = "state = OPEN"\n[connection]\npage_size = {HUGE}\n')
    (ws / "q.cql").write_text("state = OPEN\n")
    assert server_env(home)  # the server's environment: no CQLANG_/CONPEEK_ variables
    server = RawServer(home, ws)
    try:
        query = uri_of(ws / "q.cql")
        server.open(query, "state = OPEN\n")
        at = {"textDocument": {"uri": query}, "position": {"line": 0, "character": 1}}
        got = server.answer(server.request("textDocument/hover", at))
        assert "error" not in got and "state" in str(got["result"]), got
        toml = uri_of(config)
        server.open(toml, config.read_text(), language="toml")
        published = server.wait(
            lambda m: (
                m.get("method") == "textDocument/publishDiagnostics"
                and m["params"]["uri"] == toml
                and bool(m["params"]["diagnostics"])
            )
        )
        (diagnostic,) = published["params"]["diagnostics"]
        assert "an integer of more than 4300 digits" in diagnostic["message"]
        assert diagnostic["range"]["start"] == {"line": 3, "character": 12}
        formatted = server.answer(
            server.request(
                "textDocument/formatting",
                {"textDocument": {"uri": toml}, "options": {"tabSize": 4, "insertSpaces": True}},
            )
        )
        assert "error" not in formatted and not formatted.get("result"), formatted
    finally:
        server.close()
