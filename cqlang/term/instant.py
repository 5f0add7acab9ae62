"""The REPL's instant prompt: its first prompt on the screen before the line
editor is loaded, and the keys typed meanwhile kept for it.

Importing prompt_toolkit takes most of ``cqlang repl``'s start (about ten
times ``python -c pass``, docs/performance.md). As powerlevel10k's instant
prompt does for zsh, the REPL draws what its first screen shows (the banner
and ``cqlang>``) as soon as it knows what that is, then loads the editor,
which draws the same prompt over it and reads what was typed in between.

:meth:`Hold.start` puts the terminal, as early as the launcher runs, in the
mode prompt_toolkit reads it in, except that Ctrl-C, Ctrl-Z and Ctrl-\\
still send their signals: no echo, no line editing by the terminal (so an
arrow key does not print ``^[[A``, and a typed line is not echoed raw), with
``TCSANOW`` so that what was typed stays queued. :meth:`Hold.paint` draws
the prompt; :meth:`Hold.hand_over`, called as the editor takes the terminal,
puts the settings back (the editor saves them, and restores them when it
is done) and returns the cursor to the start of the prompt's line, where
the editor draws its own prompt over the painted one. :meth:`Hold.release`
puts them back on every other way out (an error, Ctrl-C, a signal). From
the paint until the editor is there, what is typed after the prompt is
shown as it is typed (cqlang/term/echo.py), and every key read to show it
is kept: :meth:`Hold.typed` returns them for the editor to read first.

Nothing here imports more than the standard library's ``termios`` and
``signal`` (and the echo's ``_thread`` and ``select``); anything unusual
about the terminal (not a terminal, a ``dumb`` one, a ``termios`` error)
means no hold: the REPL starts as it would without one.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time: the launcher starts fast
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any, TextIO

    from .echo import Echo

__all__ = ["Hold", "terminal_mode"]

#: The signals that end the run during the hold (as Ctrl-C does): the
#: settings are put back before it ends. SIGINT is Python's KeyboardInterrupt.
_SIGNALS = ("SIGTERM", "SIGHUP", "SIGQUIT")


def terminal_mode(attrs: list[Any]) -> list[Any]:
    """The settings held: prompt_toolkit's raw mode (no echo, no canonical
    input, no ``IEXTEN``, no flow control, no CR/NL translation, one byte
    at a time) with ``ISIG`` kept, so the keys that send signals still do."""
    import termios

    new = list(attrs)
    new[0] &= ~(termios.IXON | termios.IXOFF | termios.ICRNL | termios.INLCR | termios.IGNCR)
    new[3] &= ~(termios.ECHO | termios.ICANON | termios.IEXTEN)
    cc = list(new[6])
    cc[termios.VMIN] = 1
    cc[termios.VTIME] = 0
    new[6] = cc
    return new


class Hold:
    """The terminal held for the line editor (see the module's text)."""

    def __init__(self, fd: int, saved: list[Any], out: TextIO) -> None:
        self.fd = fd
        self.saved = saved
        self.out = out
        self.painted = False
        self.held = True
        self._signals: dict[int, Any] = {}
        self._echo: Echo | None = None

    @classmethod
    def start(cls, stdin: TextIO, stdout: TextIO) -> Hold | None:
        """Hold the terminal, or ``None`` when the instant prompt is not
        for it: input or output not a terminal, ``TERM`` ``dumb`` or
        ``unknown`` (prompt_toolkit's plain mode), no ``termios``, or any
        error reading or setting it."""
        if os.environ.get("TERM", "").lower() in ("dumb", "unknown"):
            return None
        try:
            import termios
        except ImportError:  # not a POSIX system
            return None
        try:
            if not (stdin.isatty() and stdout.isatty()):
                return None
            fd = stdin.fileno()
            saved = termios.tcgetattr(fd)
        except (OSError, ValueError, AttributeError, termios.error):
            return None
        hold = cls(fd, saved, stdout)
        hold._catch_signals()  # first: a signal from now on puts the settings back
        try:
            termios.tcsetattr(fd, termios.TCSANOW, terminal_mode(saved))
        except (OSError, ValueError, TypeError, termios.error):
            hold._restore()  # the signals' handlers back
            return None
        return hold

    def _catch_signals(self) -> None:
        import signal

        def ended(signum: int, frame: FrameType | None) -> None:
            sys.exit(128 + signum)  # 128 + N, as shells report it; unwinds to release()

        for name in _SIGNALS:
            number = getattr(signal, name, None)
            if number is not None:
                try:
                    previous = signal.signal(number, ended)
                except (OSError, ValueError):  # not the main thread
                    continue
                self._signals[number] = previous

    def _restore(self) -> None:
        if not self.held:
            return
        self.held = False
        import contextlib
        import signal
        import termios

        self.typed()  # the echo's reading stops before the settings go back

        with contextlib.suppress(termios.error):  # the terminal went away
            termios.tcsetattr(self.fd, termios.TCSANOW, self.saved)
        for number, handler in self._signals.items():
            signal.signal(number, handler)
        self._signals.clear()

    def paint(self, text: str) -> None:
        """Draw ``text`` (the banner and the prompt, the cursor left after
        it), and from then on show what is typed after the prompt (its last
        line) until the editor takes over (cqlang/term/echo.py)."""
        self.out.write(text)
        self.out.flush()
        self.painted = True
        if self.held and self._echo is None:
            from .echo import Echo

            try:
                # A terminal that does not know its size says 0: prompt_toolkit's 80, then.
                columns = os.get_terminal_size(self.out.fileno()).columns or 80
                self._echo = Echo(self.fd, self.out, text.rsplit("\n", 1)[-1], columns)
            except (OSError, ValueError, AttributeError):  # no size, no pipe: keys stay queued
                self._echo = None

    def typed(self) -> bytes:
        """Every byte typed at the painted prompt and read to show it (the
        reading stops here; what is typed from now on stays queued in the
        terminal): the editor reads these first."""
        return b"" if self._echo is None else self._echo.stop()

    def hand_over(self) -> None:
        """The editor takes the terminal: the settings go back (it saves
        them and restores them when it is done), the cursor to the start of
        the painted prompt's line, where the editor draws its own."""
        if not self.held:
            return
        self._restore()
        if self.painted:
            self.out.write("\r")
            self.out.flush()

    def release(self) -> None:
        """The run ends before the editor took the terminal (or after: then
        nothing is left to do): a painted prompt's line is ended, so what
        is printed next starts a line, and the settings go back."""
        if not self.held:
            return
        try:
            if self.painted:
                self.out.write("\n")
                self.out.flush()
        except (OSError, ValueError):
            pass
        finally:
            self._restore()
