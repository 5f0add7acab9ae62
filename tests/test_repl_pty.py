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

    def __init__(self, tmp: Path) -> None:
        env = dict(os.environ)
        for var in ("CONPEEK_URL", "CONPEEK_KEY", "CQLANG_CONFIG"):
            env.pop(var, None)
        env.update(
            HOME=str(tmp),
            XDG_STATE_HOME=str(tmp / "state"),
            XDG_CONFIG_HOME=str(tmp / "config"),
            TERM="xterm",
        )
        cmd, args = cqlang_command()
        self.child = pexpect.spawn(
            cmd, args, env=env, cwd=str(tmp), encoding="utf-8", timeout=15, dimensions=(30, 120)
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
        # ...and Enter submits it: the diagnostic with its caret and suggestion.
        term.send("\r")
        term.expect("error[CQL101]: unknown property 'prioirty'")
        term.expect("^^^^^^^^ did you mean 'priority'?")
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
