"""Lines into inputs, as the REPL reads them without a terminal and as it
reads a paste of several lines: one rule for both (docs/repl.md).

Each line is a meta command, or the text of queries; a line that cannot
end a query (:func:`~cqlang.repl.session.needs_more_input`: after ``and``,
an operator, an open parenthesis) is joined with the next. A meta command
line is never joined into a query: an unfinished query before it is given
as it is (its error shows), then the command. Blank lines between inputs
are skipped.
"""

from __future__ import annotations

from .session import Session, needs_more_input

__all__ = ["Joiner"]


class Joiner:
    """Feed it lines one at a time; each :meth:`feed` gives the inputs
    that line completes (none, one, or two: an unfinished query cut short
    by a meta command, then the command), each with whether it is a meta
    command line. :attr:`pending` holds the lines of a query still
    unfinished. The session is read at each line (what the lines before
    did to it counts)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[str] = []

    def feed(self, line: str) -> list[tuple[str, bool]]:
        out: list[tuple[str, bool]] = []
        command = line.lstrip().startswith("\\")
        if self.pending and command:
            out.append(("\n".join(self.pending), False))
            self.pending = []
        if command:
            out.append((line, True))
            return out
        if not self.pending and not line.strip():
            return out
        self.pending.append(line)
        text = "\n".join(self.pending)
        if not needs_more_input(text, self.session):
            self.pending = []
            out.append((text, False))
        return out
