"""Issue 14, item 3: diagnostics in colour on a terminal, in the CLI (both
the click command and the fast `compile` path) and in the REPL; `--color
never|always|auto` and `NO_COLOR` everywhere."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import cqlang
from cqlang.cli import main
from cqlang.diagnostics import render_all
from cqlang.repl import Dispatcher, Session
from cqlang.term.colour import enabled, paint

ANSI = re.compile(r"\x1b\[[0-9;]*m")
BAD = "prioirty >= 3 and state = OPNE"


def plain(text: str) -> str:
    return ANSI.sub("", text)


@given(st.text(alphabet="statepriority=<>!OPNE()\"' 0123456789aornd.\n\t|^-", max_size=60))
def test_painting_only_adds_colour(text: str) -> None:
    diags = cqlang.check(text)
    drawn = render_all(diags, text)
    painted = paint(drawn)
    assert plain(painted) == drawn
    if any(d.severity == "error" for d in diags):
        assert "\x1b[1;31merror[" in painted


def test_the_query_text_itself_is_never_coloured() -> None:
    drawn = render_all(cqlang.check(BAD), BAD)
    painted = paint(drawn)
    assert f"\x1b[0m {BAD}\n" in painted  # after the gutter, as it is
    assert "\x1b[1;31m^^^^^^^^\x1b[0m" in painted


def test_when_colour_is_on(monkeypatch: pytest.MonkeyPatch) -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert enabled("auto", Tty()) and enabled(None, Tty())
    assert not enabled("auto", None) and not enabled("never", Tty())
    assert enabled("always", None)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not enabled("auto", Tty())
    assert enabled("always", Tty())  # the explicit choice wins over NO_COLOR
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset
    assert enabled("auto", Tty())
    monkeypatch.setenv("TERM", "dumb")
    assert not enabled("auto", Tty())


def test_cli_color_option_before_or_after_the_command(tmp_path: Path) -> None:
    runner = CliRunner()
    env = {"CQLANG_CONFIG": str(tmp_path / "none.toml"), "NO_COLOR": "1"}
    (tmp_path / "none.toml").write_text("", encoding="utf-8")
    for args in (["check", "--color", "always", BAD], ["--color", "always", "check", BAD]):
        result = runner.invoke(main, args, env=env)
        assert result.exit_code == 1
        assert "\x1b[1;31merror[CQL101]" in result.stderr
        assert plain(result.stderr) == render_all(cqlang.check(BAD), BAD) + "\n"
    for args in (["check", "--color", "never", BAD], ["check", BAD], ["compile", BAD]):
        result = runner.invoke(main, args, env={**env, "NO_COLOR": ""})
        assert "\x1b[" not in result.stderr  # not a terminal
    bad = runner.invoke(main, ["--color", "sometimes", "check", "x"], env=env)
    assert bad.exit_code == 2


def _on_a_terminal(args: list[str], **env: str) -> str:
    """stderr of ``cqlang ARGS`` written to a pseudo-terminal."""
    master, slave = pty.openpty()
    chunks = []
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from cqlang.launch import main; main()", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave,
            env={**os.environ, "TERM": "xterm", "NO_COLOR": "", "CQLANG_CONFIG": "", **env},
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


def test_diagnostics_on_a_terminal_are_coloured_unless_no_color(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no config file around: `compile` takes the fast path
    for args in (["compile", BAD], ["check", BAD]):
        coloured = _on_a_terminal(args)
        assert "\x1b[1;31merror[CQL101]" in coloured, args
        assert "\x1b[" not in _on_a_terminal(args, NO_COLOR="1"), args
        assert "\x1b[" not in _on_a_terminal([args[0], "--color", "never", BAD]), args


def test_the_repl_paints_its_diagnostics_when_asked() -> None:
    painted = Dispatcher(Session(), color=True).handle(BAD)
    assert not painted.ok and "\x1b[1;31merror[CQL101]" in painted.text
    warning = Dispatcher(Session(), color=True).handle("state = OPEN and state = CLOSED")
    assert "\x1b[1;33mwarning[CQL201]" in warning.text
    assert "\x1b[" not in Dispatcher(Session()).handle(BAD).text
    result = CliRunner().invoke(main, ["repl", "--color", "always"], input=BAD + "\n")
    assert "\x1b[1;31merror[CQL101]" in result.stderr
    result = CliRunner().invoke(main, ["repl"], input=BAD + "\n")
    assert "\x1b[" not in result.stderr
