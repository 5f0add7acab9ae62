"""End to end: `cqlang repl` in a real pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

CPR_REQUEST = re.escape("\x1b[6n")


def cqlang_command() -> tuple[str, list[str]]:
    exe = Path(sys.executable).with_name("cqlang")
    if exe.is_file():
        return str(exe), ["repl"]
    return sys.executable, ["-m", "cqlang.cli", "repl"]


class Terminal:
    """A child in a pty that answers prompt_toolkit's cursor position
    requests as a terminal would (so the bottom toolbar is drawn)."""

    def __init__(self, tmp: Path, *args: str, **extra: str) -> None:
        env = dict(os.environ)
        for var in ("CONPEEK_URL", "CONPEEK_KEY", "CQLANG_CONFIG", "NO_COLOR"):
            env.pop(var, None)
        env.update(extra)
        env.update(
            HOME=str(tmp),
            XDG_STATE_HOME=str(tmp / "state"),
            XDG_CONFIG_HOME=str(tmp / "config"),
            TERM="xterm",
        )
        cmd, base = cqlang_command()
        self.child = pexpect.spawn(
            cmd,
            [*base, *args],
            env=env,
            cwd=str(tmp),
            encoding="utf-8",
            timeout=15,
            dimensions=(30, 120),
        )

    def expect(self, text: str) -> None:
        for _ in range(200):  # bounded: each round answers one request
            i = self.child.expect([CPR_REQUEST, re.escape(text)])
            if i == 1:
                return
            self.child.send("\x1b[10;1R")
        raise AssertionError(f"never saw {text!r}")

    def send(self, text: str) -> None:
        self.child.send(text)


def test_repl_in_a_pseudo_terminal(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    try:
        term.expect("cqlang>")
        # The toolbar checks the query as it is typed...
        term.send("state = OPEN and prioirty >= 3")
        term.expect("error[CQL101] 1:18: unknown property 'prioirty' (did you mean 'priority'?)")
        # ...and Enter submits it: the diagnostic with its caret and
        # suggestion, in colour on a terminal.
        term.send("\r")
        term.expect("\x1b[1;31merror[CQL101]\x1b[0m\x1b[1m: unknown property 'prioirty'")
        term.expect("\x1b[1;31m^^^^^^^^\x1b[0m\x1b[36m did you mean 'priority'?")
        term.expect("cqlang>")
        # Enter after `and` continues the query on a new line.
        term.send("state in (OPEN, CLOSED) and\r")
        term.expect("...>")
        term.send("priority >= 3\r")
        term.expect(
            '[{"property": "state", "value": ["OPEN", "CLOSED"]}, '
            '{"property": "priority", "operator": "gte", "value": 3}]'
        )
        term.expect("cqlang>")
        term.send("\\quit\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close(force=True)
    assert term.child.exitstatus == 0
    history = (tmp_path / "state" / "cqlang" / "history").read_text()
    assert "+state = OPEN and prioirty >= 3" in history
    assert "+priority >= 3" in history


@pytest.mark.parametrize(("args", "env"), [(("--color", "never"), {}), ((), {"NO_COLOR": "1"})])
def test_no_colour_in_the_terminal_when_asked(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    term = Terminal(tmp_path, *args, **env)
    try:
        term.expect("cqlang>")
        term.send("prioirty >= 3\r")
        term.expect("error[CQL101]: unknown property 'prioirty'")
        term.expect("cqlang>")
        seen = term.child.before or ""
        term.send("\\quit\r")
        term.child.expect(pexpect.EOF)
    finally:
        term.child.close(force=True)
    assert "\x1b[1;31m" not in seen and "\x1b[31m" not in seen
