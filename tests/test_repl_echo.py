"""What is typed at the REPL's instant prompt is shown as it is typed and
kept for the line editor (cqlang/term/echo.py, docs/repl.md): the echo on
its own over a pty pair, and end to end in a pseudo-terminal, with the
editor's load held back until the test lets it go (a ``sitecustomize``
that waits before prompt_toolkit is imported), so that what the screen
shows before the editor is there is not a matter of timing."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from cqlang.repl.texts import PROMPT
from cqlang.term.echo import Echo, cells
from tests.repl_support import read_within
from tests.test_repl_instant import Run

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

EXE = Path(sys.executable).with_name("cqlang")
CPR_REQUEST = "\x1b[6n"  # the editor's first words to the terminal
OPEN = '[{"property": "state", "value": ["OPEN"]}]'


@pytest.fixture
def pty_pair() -> Any:
    import termios
    import tty

    main, side = os.openpty()
    tty.setraw(side, termios.TCSANOW)  # as the hold leaves it: no echo, no lines
    out = open(side, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    try:
        yield main, side, out
    finally:
        os.close(main)
        os.close(side)


def drawn_after(main: int, expected: bytes) -> bytes:
    got = read_within(main, len(expected))
    assert got == expected
    return got


def test_text_is_drawn_as_typed_and_every_key_kept(pty_pair: Any) -> None:
    main, side, out = pty_pair
    echo = Echo(side, out, "p> ", 80)
    try:
        os.write(main, b"stat")
        drawn_after(main, b"\rp> stat\x1b[K")
        os.write(main, b"\x7fte")  # Backspace takes back the last character
        drawn_after(main, b"\rp> state\x1b[K")
        os.write(main, "é 日本".encode())
        drawn_after(main, "\rp> stateé 日本\x1b[K".encode())
    finally:
        typed = echo.stop()
    assert typed == "stat\x7fteé 日本".encode()
    assert echo.stop() == typed  # again: the same bytes


def test_the_editors_keys_end_the_drawing_not_the_reading(pty_pair: Any) -> None:
    main, side, out = pty_pair
    echo = Echo(side, out, "p> ", 80)
    try:
        os.write(main, b"ab\x1b[Acd")  # an arrow key: drawn up to it
        drawn_after(main, b"\rp> ab\x1b[K")
        os.write(main, b"ef\r")
        assert read_within(main, 100, 0.5) == b""  # nothing more drawn
        deadline = time.monotonic() + 5  # bounded: wait for the read to be kept
        while len(echo._typed) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        typed = echo.stop()
    assert typed == b"ab\x1b[Acdef\r"
    os.write(main, b"gh")  # after the stop: left queued in the terminal
    assert read_within(side, 2) == b"gh"


@pytest.mark.parametrize(
    ("keys", "shown"),
    [
        (b"ab\xff", b"\rp> ab\x1b[K"),  # not UTF-8: the editor shows it its way
        (b"ab\tc", b"\rp> ab\x1b[K"),  # Tab: completion is the editor's
        (b"ab\x04", b"\rp> ab\x1b[K"),  # Ctrl-D
    ],
)
def test_a_key_that_is_not_text_ends_the_drawing(pty_pair: Any, keys: bytes, shown: bytes) -> None:
    main, side, out = pty_pair
    echo = Echo(side, out, "p> ", 80)
    try:
        os.write(main, keys[:2])
        drawn_after(main, shown)
        os.write(main, keys[2:] + b"zz")
        assert read_within(main, 100, 0.5) == b""
    finally:
        echo.stop()
    assert not echo.drawing


def test_nothing_is_drawn_past_the_line(pty_pair: Any) -> None:
    main, side, out = pty_pair
    echo = Echo(side, out, "p> ", 10)
    try:
        os.write(main, b"abcdef")  # 3 + 6 = 9 columns: fits
        drawn_after(main, b"\rp> abcdef\x1b[K")
        os.write(main, "日".encode())  # two more: it would wrap
        assert read_within(main, 100, 0.5) == b""
    finally:
        typed = echo.stop()
    assert typed == "abcdef日".encode()


def test_cells() -> None:
    assert cells("abc") == 3
    assert cells("日本") == 4
    assert cells("e\u0301") == 1  # a combining accent takes no column
    assert cells("a\u200db") == 2  # nor does a format character


# ---------------------------------------------------------------- end to end

#: Imported at the start (PYTHONPATH): holds the import of prompt_toolkit
#: back until the file $ECHO_GATE exists (at most 20 s).
GATE = """\
import os, sys, time

class Gate:
    def find_spec(self, name, path=None, target=None):
        if name == "prompt_toolkit":
            for _ in range(400):
                if os.path.exists(os.environ["ECHO_GATE"]):
                    break
                time.sleep(0.05)
        return None

sys.meta_path.insert(0, Gate())
"""


class Gated(Run):
    """``cqlang repl`` in a pty (tests/test_repl_instant.py's ``Run``), its
    editor held back until :meth:`open`."""

    def __init__(self, tmp: Path) -> None:
        site = tmp / "site"
        site.mkdir()
        (site / "sitecustomize.py").write_text(GATE)
        self.gate = tmp / "gate"
        path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
        super().__init__(tmp, str(EXE), ["repl"], ECHO_GATE=str(self.gate), PYTHONPATH=path)

    def open(self) -> None:
        self.gate.write_text("")


@pytest.fixture
def gated(tmp_path: Path) -> Any:
    if not EXE.is_file():  # pragma: no cover - the suite runs from the venv
        pytest.skip("needs the cqlang console script")
    run = Gated(tmp_path)
    try:
        yield run
    finally:
        run.open()
        run.child.close(force=True)


def test_typing_at_the_painted_prompt_shows_and_runs(gated: Gated) -> None:
    gated.expect(PROMPT)
    gated.child.send("stat")
    gated.expect(f"\r{PROMPT}stat\x1b[K")
    gated.child.send("e = OPNE\x7f\x7fEN")
    gated.expect(f"\r{PROMPT}state = OPEN\x1b[K")
    assert CPR_REQUEST not in gated.seen  # all of it before the editor was there
    gated.child.send("\r")  # Enter: the editor's to do, when it is there
    gated.open()
    gated.expect(OPEN)  # the text typed, Backspaces applied, run once
    gated.expect("cqlang>")
    gated.child.send("\\quit\r")
    seen = gated.finish()
    assert gated.child.exitstatus == 0
    assert seen.count(OPEN) == 1
    assert "Traceback" not in seen


def test_keys_typed_before_and_after_the_editor_arrive_in_order(gated: Gated) -> None:
    gated.expect(PROMPT)
    gated.child.send("state = O")
    gated.expect(f"\r{PROMPT}state = O\x1b[K")
    gated.open()
    gated.child.expect_exact(CPR_REQUEST)  # the editor is drawing: the rest is its to read
    gated.child.send("\x1b[10;1RPEN\r")
    gated.expect(OPEN)
    gated.child.send("\x04")  # Ctrl-D: leave
    gated.finish()
    assert gated.child.exitstatus == 0


def test_ctrl_d_typed_at_the_painted_prompt_leaves(gated: Gated) -> None:
    gated.expect(PROMPT)
    gated.child.send("\x04")
    gated.open()
    seen = gated.finish()
    assert gated.child.exitstatus == 0
    assert "Traceback" not in seen
