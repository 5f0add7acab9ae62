"""Lines into inputs, as the REPL reads them without a terminal and as it
reads a paste of several lines: one rule for both (docs/repl.md).

Each line is a meta command, or the text of queries; a line that cannot
end a query (:func:`~cqlang.repl.session.needs_more_input`: after ``and``,
an operator, an open parenthesis) is joined with the next, and so is a
line that starts with ``and`` or ``or`` (no query starts so) with the
query before it, which therefore runs once the next line is read. A meta
command line is never joined into a query: an unfinished query before it
is given as it is (its error shows), then the command. Blank lines, and
lines of only ``#`` comments, between inputs are skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from .session import Session, needs_more_input

__all__ = ["Joiner", "continues"]


def continues(line: str) -> bool:
    """Whether ``line`` goes on with the query before it: its first token,
    as the lexer reads it, is the word ``and`` or ``or``, which no query
    starts with (the SQL habit of putting them first on a line)."""
    from ..parser.lexer import first_token

    token = first_token(line)
    return token is not None and token[0] == "WORD" and token[1].lower() in ("and", "or")


class Joiner:
    """Lines into inputs. :meth:`inputs` is the one loop of both readers
    (piped input, a paste of several lines). Under it, :meth:`feed` takes
    one line and gives the inputs that line completes (none, one, or two:
    an unfinished query cut short by a meta command, then the command),
    each with whether it is a meta command line; :meth:`end` gives what
    the end of the lines completes. :attr:`pending` holds the lines of a
    query still unfinished, or of a finished one that a next line
    starting with ``and``/``or`` would go on with. The session is read at
    each line (what the lines before did to it counts)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.pending: list[str] = []
        #: Whether the pending lines make a whole query, given once the
        #: next line does not go on with it.
        self.done = False

    def feed(self, line: str) -> list[tuple[str, bool]]:
        from ..parser import skip_trivia

        out: list[tuple[str, bool]] = []
        trivia = skip_trivia(line) == len(line)  # blank, or only a comment
        if self.done and not continues(line) and not (trivia and line.strip()):
            out.extend(self.end())
        command = line.lstrip().startswith("\\")
        if self.pending and command:
            out.append(("\n".join(self.pending), False))
            self.pending, self.done = [], False
        if command:
            out.append((line, True))
            return out
        if trivia and (not self.pending or not line.strip()):
            return out  # a blank line, or only a comment: a note, not a query
        self.pending.append(line)  # (a comment line inside a query belongs to it)
        self.done = not needs_more_input("\n".join(self.pending), self.session)
        return out

    def end(self) -> list[tuple[str, bool]]:
        """The query the lines left finished, if any (the pending lines of
        an unfinished one stay in :attr:`pending`)."""
        if not self.done:
            return []
        text = "\n".join(self.pending)
        self.pending, self.done = [], False
        return [(text, False)]

    def inputs(
        self, lines: Iterable[str], *, then: str | None = None
    ) -> Iterator[tuple[str, bool]]:
        """The inputs ``lines`` make, each with whether it is a meta command
        line, read lazily: a line is fed only once the inputs before it are
        taken (and run: the session they change is read at the next line).

        ``then`` is what follows the last line break, still being edited
        (a paste's last line with the text after the cursor): a query held
        for an ``and`` line is given at the end unless ``then`` goes on
        with it, and an unfinished query stays in :attr:`pending`. With
        ``None`` the input ended: the held query is given, then an
        unfinished one as it is (its error shows)."""
        for line in lines:
            yield from self.feed(line)
        if then is not None and continues(then):
            return
        yield from self.end()
        if then is None and self.pending:
            text = "\n".join(self.pending)
            self.pending, self.done = [], False
            yield text, False
