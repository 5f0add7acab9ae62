"""The REPL's instant prompt (cqlang/term/instant.py, docs/repl.md): the
banner and the prompt drawn before prompt_toolkit is loaded, keys typed
meanwhile kept for the editor, the terminal's settings put back on every
way out. End to end in a real pseudo-terminal (pexpect), and the hold on
its own over a pty pair."""

from __future__ import annotations

import os
import re
import signal
import sys
import termios
from pathlib import Path
from typing import Any

import pytest

from cqlang.repl.texts import BANNER, PROMPT
from cqlang.term.instant import Hold
from tests.repl_support import read_within

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pty")

CPR_REQUEST = "\x1b[6n"  # prompt_toolkit's first words to the terminal
OPEN = '[{"property": "state", "value": ["OPEN"]}]'
EXE = Path(sys.executable).with_name("cqlang")

if not EXE.is_file():  # pragma: no cover - the suite runs from the venv
    pytest.skip("needs the cqlang console script", allow_module_level=True)


def environment(tmp: Path, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("CONPEEK_URL", "CONPEEK_KEY", "CQLANG_CONFIG", "NO_COLOR"):
        env.pop(var, None)
    env.update(
        HOME=str(tmp),
        XDG_STATE_HOME=str(tmp / "state"),
        XDG_CONFIG_HOME=str(tmp / "config"),
        TERM="xterm",
    )
    env.update(extra)
    return env


class Run:
    """``cqlang repl`` (or a shell script running it) in a pty, keeping all
    it printed, answering prompt_toolkit's cursor position requests."""

    def __init__(self, tmp: Path, cmd: str, args: list[str], **extra: str) -> None:
        self.child = pexpect.spawn(
            cmd,
            args,
            env=environment(tmp, **extra),
            cwd=str(tmp),
            encoding="utf-8",
            timeout=20,
            dimensions=(30, 120),
        )
        self.seen = ""

    def expect(self, text: str) -> None:
        for _ in range(200):  # bounded: each round answers one request
            i = self.child.expect_exact([CPR_REQUEST, text, pexpect.EOF])
            self.seen += self.child.before + (self.child.after if i < 2 else "")
            if i == 1:
                return
            if i == 2:
                raise AssertionError(f"never saw {text!r} in {self.seen!r}")
            self.child.send("\x1b[10;1R")
        raise AssertionError(f"never saw {text!r}")

    def hold_still(self) -> str:
        """Stop the process group, and return what it printed until then
        (nothing more can come while it is stopped)."""
        os.killpg(self.child.pid, signal.SIGSTOP)
        drained = ""
        for _ in range(100):  # bounded
            try:
                drained += self.child.read_nonblocking(65536, timeout=0.2)
            except pexpect.TIMEOUT:
                break
        self.seen += drained
        return drained

    def go_on(self) -> None:
        os.killpg(self.child.pid, signal.SIGCONT)

    def finish(self) -> str:
        """Wait for the end (answering requests); everything printed."""
        for _ in range(200):  # bounded
            i = self.child.expect_exact([CPR_REQUEST, pexpect.EOF])
            self.seen += self.child.before + (self.child.after if i == 0 else "")
            if i == 1:
                break
            self.child.send("\x1b[10;1R")
        self.child.close()
        return self.seen


def repl(tmp: Path, *args: str, **extra: str) -> Run:
    return Run(tmp, str(EXE), ["repl", *args], **extra)


def painted_and_still(run: Run) -> None:
    """Wait for the painted prompt and stop the process before the editor
    took the terminal; skip when it already had (the machine was too slow
    to stop it in time: nothing is then tested)."""
    run.expect(PROMPT)
    drained = run.hold_still()
    if CPR_REQUEST in run.seen or CPR_REQUEST in drained:  # pragma: no cover - timing
        run.go_on()
        run.child.close(force=True)
        pytest.skip("the editor started before the test could stop it")


def test_the_banner_once_and_the_editor_draws_over_the_painted_prompt(tmp_path: Path) -> None:
    run = repl(tmp_path)
    try:
        run.expect(PROMPT)
        run.child.send("\x04")  # Ctrl-D: leave
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert run.child.exitstatus == 0
    assert seen.count(BANNER) == 1
    assert seen.startswith(f"{BANNER}\r\n{PROMPT}")  # painted first, then the editor
    # The editor's first drawing starts on the painted prompt's line, at its
    # start, and erases to the end of the screen before drawing its prompt:
    # one prompt on the screen, not two.
    after = seen[len(BANNER) + 2 + len(PROMPT) :]
    first = after.index("cqlang>")
    assert "\r" in after[:first] and "\n" not in after[:first]
    assert after.index("\x1b[J") < first


def test_keys_typed_before_the_program_starts_are_run(tmp_path: Path) -> None:
    run = repl(tmp_path)
    try:
        run.child.send("state = OPEN\r")  # before Python has even started
        run.expect(OPEN)
        run.expect("cqlang>")  # the editor's next prompt
        run.child.send("\\quit\r")
        run.finish()
    finally:
        run.child.close(force=True)
    assert run.child.exitstatus == 0


def test_keys_typed_at_the_painted_prompt_are_not_echoed_raw(tmp_path: Path) -> None:
    run = repl(tmp_path)
    try:
        painted_and_still(run)
        # Up, Left, Down, then a query, while the editor is not yet there.
        run.child.send("\x1b[A\x1b[D\x1b[Bstate = OPEN\r")
        quiet = run.hold_still()  # the terminal echoes nothing meanwhile
        run.go_on()
        run.expect(OPEN)
        run.expect("cqlang>")  # the editor's next prompt
        run.child.send("\\quit\r")
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert quiet == ""
    assert run.child.exitstatus == 0
    assert "^[" not in seen and "[A" not in seen and "[B" not in seen
    assert seen.count(BANNER) == 1


STTY = """#!/bin/sh
trap : INT QUIT
stty -g > before
"$@"
echo "exit=$?"
stty -g > after
"""


def wrapped(tmp: Path, *args: str, **extra: str) -> Run:
    """``cqlang repl ARGS`` under a shell script that saves ``stty -g``
    before and after it (and outlives a Ctrl-C, which the terminal sends
    to both: a trap, unlike an ignored signal, is not inherited)."""
    script = tmp / "wrap.sh"
    script.write_text(STTY)
    script.chmod(0o755)
    return Run(tmp, str(script), [str(EXE), "repl", *args], **extra)


def settings_kept(tmp: Path, seen: str, status: int) -> None:
    assert f"exit={status}" in seen, seen
    before, after = (tmp / "before").read_text(), (tmp / "after").read_text()
    assert before.strip() and before == after
    assert "Traceback" not in seen


def test_the_terminal_is_as_it_was_after_leaving_with_ctrl_d(tmp_path: Path) -> None:
    run = wrapped(tmp_path)
    try:
        painted_and_still(run)
        run.child.send("state = OPEN\r\x04")  # typed ahead, then Ctrl-D
        run.go_on()
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert OPEN in seen
    settings_kept(tmp_path, seen, 0)


def test_the_terminal_is_as_it_was_after_quit(tmp_path: Path) -> None:
    run = wrapped(tmp_path)
    try:
        run.expect(PROMPT)
        run.child.send("\\quit\r")
        seen = run.finish()
    finally:
        run.child.close(force=True)
    settings_kept(tmp_path, seen, 0)


@pytest.mark.parametrize(("key", "status"), [("\x03", 130), ("\x1c", 131)])
def test_ctrl_c_before_the_editor_is_there_ends_the_run_and_restores(
    tmp_path: Path, key: str, status: int
) -> None:
    """Ctrl-C and Ctrl-\\ still send their signals while the terminal is
    held: the run ends (130, 131) and the settings go back."""
    run = wrapped(tmp_path)
    try:
        painted_and_still(run)
        run.child.send(key)
        run.go_on()
        seen = run.finish()
    finally:
        run.child.close(force=True)
    settings_kept(tmp_path, seen, status)


def test_sigterm_before_the_editor_is_there_restores(tmp_path: Path) -> None:
    run = wrapped(tmp_path)
    try:
        painted_and_still(run)
        repl_pid = [p for p in _children(run.child.pid)]
        for pid in repl_pid:
            os.kill(pid, signal.SIGTERM)
        run.go_on()
        seen = run.finish()
    finally:
        run.child.close(force=True)
    settings_kept(tmp_path, seen, 143)


def _children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_a_missing_module_before_the_editor_restores(tmp_path: Path) -> None:
    """prompt_toolkit failing to import, after the prompt was painted: the
    run ends in one line, on a line of its own, and the settings go back."""
    shadow = tmp_path / "shadow" / "prompt_toolkit"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text("raise ImportError('no prompt_toolkit here')\n")
    path = os.pathsep.join([str(shadow.parent), os.environ.get("PYTHONPATH", "")])
    run = wrapped(tmp_path, PYTHONPATH=path)
    try:
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert f"{PROMPT}\r\ncqlang: internal error: ImportError: no prompt_toolkit here" in seen
    settings_kept(tmp_path, seen, 70)


def test_an_error_before_the_prompt_restores_and_paints_nothing(tmp_path: Path) -> None:
    run = wrapped(tmp_path, "--tz", "Nowhere/Land")
    try:
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert "cqlang: --tz:" in seen and BANNER not in seen and PROMPT not in seen
    settings_kept(tmp_path, seen, 2)


def test_not_a_terminal_prints_as_before(tmp_path: Path) -> None:
    """Input from a file, output to the terminal: no banner, no prompt,
    nothing held (the piped mode)."""
    (tmp_path / "q.cql").write_text("state = OPEN\n")
    run = Run(tmp_path, "/bin/sh", ["-c", f"'{EXE}' repl < q.cql; echo exit=$?"])
    try:
        seen = run.finish()
    finally:
        run.child.close(force=True)
    assert seen == f"{OPEN}\r\nexit=0\r\n"


# ------------------------------------------------------------ the hold alone


@pytest.fixture
def pty_pair() -> Any:
    main, side = os.openpty()
    stdin = open(side, encoding="utf-8", closefd=False)  # noqa: SIM115
    stdout = open(side, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    try:
        yield main, side, stdin, stdout
    finally:
        os.close(main)
        os.close(side)


def test_the_hold_is_prompt_toolkits_raw_mode_with_signals(
    pty_pair: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, side, stdin, stdout = pty_pair
    monkeypatch.setenv("TERM", "xterm")
    before = termios.tcgetattr(side)
    hold = Hold.start(stdin, stdout)
    assert hold is not None
    try:
        held = termios.tcgetattr(side)
        assert not held[3] & (termios.ECHO | termios.ICANON | termios.IEXTEN)
        assert held[3] & termios.ISIG
        assert not held[0] & (termios.ICRNL | termios.IXON)
        os.write(main, b"ab\x1b[A")  # typed: not echoed by the terminal
        import select

        assert select.select([side], [], [], 5)[0]  # arrived, in the held mode
        hold.paint("banner\nprompt> ")
        # The instant prompt's echo reads it and draws the text, up to the
        # arrow key (the editor's to draw), after the painted prompt.
        drawn = b"banner\r\nprompt> \rprompt> ab\x1b[K"
        assert read_within(main, len(drawn)) == drawn
        hold.hand_over()
        assert termios.tcgetattr(side) == before
        assert read_within(main, 100, 1.0) == b"\r"  # the editor draws from the start
        assert hold.typed() == b"ab\x1b[A"  # every key read, for the editor
        os.write(main, b"cd\n")  # typed later: queued for the editor, in order
        assert read_within(side, 3) == b"cd\n"
        hold.release()  # nothing left to do
        assert termios.tcgetattr(side) == before
    finally:
        hold.release()


def test_a_released_hold_ends_the_painted_line(
    pty_pair: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    main, side, stdin, stdout = pty_pair
    monkeypatch.setenv("TERM", "xterm")
    before = termios.tcgetattr(side)
    hold = Hold.start(stdin, stdout)
    assert hold is not None
    hold.paint("prompt> ")
    hold.release()
    assert termios.tcgetattr(side) == before
    assert read_within(main, 100, 1.0) == b"prompt> \r\n"
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL


@pytest.mark.parametrize("term", ["dumb", "unknown", "DUMB"])
def test_no_hold_on_a_dumb_terminal(
    pty_pair: Any, monkeypatch: pytest.MonkeyPatch, term: str
) -> None:
    _, side, stdin, stdout = pty_pair
    monkeypatch.setenv("TERM", term)
    before = termios.tcgetattr(side)
    assert Hold.start(stdin, stdout) is None
    assert termios.tcgetattr(side) == before


def test_no_hold_without_a_terminal(tmp_path: Path, pty_pair: Any) -> None:
    import io

    _, _, stdin, stdout = pty_pair
    assert Hold.start(io.StringIO(), stdout) is None
    assert Hold.start(stdin, io.StringIO()) is None
    with open(tmp_path / "f", "w+", encoding="utf-8") as f:
        assert Hold.start(f, f) is None


def test_the_painted_prompt_is_the_editors() -> None:
    from cqlang.repl import app

    assert app.PROMPT == PROMPT
    assert re.fullmatch(r"\S.*\S", BANNER)
