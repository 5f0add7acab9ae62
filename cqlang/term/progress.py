"""The progress line of a fetch: one line on a terminal's standard error,
redrawn in place (records kept, requests, rate, time), gone when the
fetch ends. The records counted are those written (or counted, for
``--count``): not those the pages brought, which count the records two
pages overlap on and those the client-side check drops.

:func:`wanted` says when there is one: standard error is a terminal, no
``--verbose`` log says the same thing line by line, and the records do not
stream to that same terminal (the line would tangle with them; a table is
collected first, so it may have one). The line is plain text, written
with a carriage return and an erase-to-end-of-line, cut to the terminal's
width so that it never wraps; it is redrawn at most ten times a second.
"""

from __future__ import annotations

import shutil
import time
from typing import Any, TextIO

__all__ = ["Progress", "wanted"]

_ERASE = "\r\x1b[2K"
_EVERY = 0.1  # seconds between redraws


def wanted(
    *, stderr_tty: bool, stdout_tty: bool, to_stdout: bool, streams: bool, verbose: bool
) -> bool:
    """Whether a fetch shows a progress line: ``stderr_tty`` (standard
    error is a terminal), and neither ``verbose`` nor records that
    ``streams`` to stdout (``to_stdout``) when stdout is that terminal
    too (``stdout_tty``)."""
    if not stderr_tty or verbose:
        return False
    return not (to_stdout and stdout_tty and streams)


class Progress:
    """The line on ``stream``; :meth:`update` after each request,
    :meth:`above` to print a line above it, :meth:`close` to erase it."""

    def __init__(self, stream: TextIO, *, what: str = "fetching", clock: Any = None) -> None:
        self.stream = stream
        self.what = what
        self.clock = clock or time.monotonic
        self.start = self.clock()
        self.requests = 0
        self.records = 0
        self._drawn = False
        self._last = 0.0

    def update(self, requests: int, records: int, *, force: bool = False) -> None:
        """The counts so far (``records``: those kept, as they are
        written): drawn unless drawn less than 0.1 s ago and not ``force``
        (the last counts of a fetch, drawn whatever the time)."""
        self.requests, self.records = requests, records
        now = self.clock()
        if force or now - self._last >= _EVERY or not self._drawn:
            self._last = now
            self.draw()

    def text(self) -> str:
        """The line as it stands: ``fetching: 12,000 records, 12 requests,
        4,210 records/s, 2.9 s``."""
        elapsed = max(self.clock() - self.start, 1e-9)
        rate = self.records / elapsed
        req = "request" if self.requests == 1 else "requests"
        rec = "record" if self.records == 1 else "records"
        return (
            f"{self.what}: {self.records:,} {rec}, {self.requests:,} {req}, "
            f"{rate:,.0f} records/s, {elapsed:.1f} s"
        )

    def draw(self) -> None:
        width = shutil.get_terminal_size((80, 24)).columns
        line = self.text()[: max(width - 1, 10)]
        # Marked drawn first: a Ctrl-C that lands while it is written still
        # has it erased (clear() on the way out).
        self._drawn = True
        try:
            self.stream.write(_ERASE + line)
            self.stream.flush()
        except (OSError, ValueError):
            self._drawn = False

    def above(self, line: str) -> None:
        """Print ``line`` (a log line) above the progress line."""
        self.clear()
        self.stream.write(line + "\n")
        self.stream.flush()
        if self.requests:
            self.draw()

    def clear(self) -> None:
        if self._drawn:
            try:
                self.stream.write(_ERASE)
                self.stream.flush()
            except (OSError, ValueError):
                pass
            self._drawn = False

    close = clear
