"""End to end in a pseudo-terminal: the REPL echoes each input of a
bracketed paste after the first on a prompt of its own, drawn visible
(cqlang.visible) as every other text from outside: an escape sequence, a
bell, a NUL or a ^D in a pasted line is shown as a symbol, never written
raw to the terminal (where it could set the title, clear the screen)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

from test_repl_pty import Terminal  # noqa: E402

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

PASTE_START, PASTE_END = "\x1b[200~", "\x1b[201~"


def _after_paste(term: Terminal, lines: list[str], last: str) -> str:
    """What the terminal shows after ``lines`` are pasted, up to ``last``
    (a text the echo holds) and the prompt after the last input."""
    term.expect("cqlang>")
    term.send(PASTE_START + "\n".join(lines) + "\n" + PASTE_END)
    term.expect(last)
    seen = str(term.child.before) + last
    term.expect("cqlang>")
    return seen + str(term.child.before)


@pytest.mark.parametrize(
    ("line", "drawn"),
    [
        ('custom.a = "\x1b]0;PWNED\x07x\x1b[2J"', 'custom.a = "␛]0;PWNED␇x␛[2J"'),
        ('custom.a = "a\x04b\x00c"', 'custom.a = "a␄b␀c"'),
        ("custom.a = 'a\x1b[31mred\x9b2J'", "custom.a = 'a␛[31mred<U+009B>2J'"),
    ],
)
def test_a_pasted_line_is_echoed_visible(tmp_path: Path, line: str, drawn: str) -> None:
    term = Terminal(tmp_path)
    try:
        seen = _after_paste(term, ["state = OPEN", line], drawn)
        # The echo: the line on a prompt of its own, every control drawn.
        assert "cqlang> " + drawn in seen
        # Nothing of the pasted controls reaches the terminal raw.
        for raw in ("\x1b]0;PWNED", "\x07", "\x1b[2J", "\x00", "\x04", "\x1b[31m", "\x9b"):
            assert raw not in seen, raw
    finally:
        term.child.sendcontrol("d")
        term.child.expect(pexpect.EOF, timeout=15)


def test_a_pasted_continuation_line_is_echoed_visible(tmp_path: Path) -> None:
    term = Terminal(tmp_path)
    try:
        lines = ["state = OPEN", "priority > 1 and", 'custom.a = "\x1b]2;T\x07"']
        seen = _after_paste(term, lines, 'custom.a = "␛]2;T␇"')
        assert re.search(r"\.\.\.> custom\.a = \"␛\]2;T␇\"", seen)
        assert "\x1b]2;T" not in seen and "\x07" not in seen
    finally:
        term.child.sendcontrol("d")
        term.child.expect(pexpect.EOF, timeout=15)
