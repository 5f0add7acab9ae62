"""The REPL's meta commands as data: one registry feeds the dispatch, the
``\\help`` list, the status line and the completion.

A :class:`MetaCommand` is everything about one command (litecli's
``special`` commands are the model): its name and aliases, the arguments
it takes and one line of help, how its argument completes, and the
handler that runs it. A :class:`Registry` holds them in the order
``\\help`` lists them; :mod:`cqlang.repl.commands` builds the REPL's one
registry, ``COMMANDS``. This module knows no command itself, so every
module of the REPL can use it without importing the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Generic, Literal, TypeVar

from ..diagnostics import suggest
from ..visible import shorten

if TYPE_CHECKING:
    from ..completion import Candidate
    from .session import Session

__all__ = ["QUERY", "ArgumentCompleter", "MetaCommand", "Registry", "Reply"]


@dataclass(frozen=True)
class Reply:
    """What one input produced: ``text`` to print (may be empty), ``ok``
    false for an invalid query or a failed command, ``quit`` to leave,
    ``paint`` when the text holds rendered diagnostics (coloured on a
    terminal, once the dispatcher has drawn the text visible),
    ``interrupted`` when Ctrl-C stopped it (the rest of a paste is not
    run then)."""

    text: str = ""
    ok: bool = True
    quit: bool = False
    paint: bool = False
    interrupted: bool = False


#: ``complete=QUERY``: the command's argument is a query, completed as one.
QUERY: Final = "query"

#: The candidates for a command's argument: called with the session and the
#: argument as typed up to the cursor; ranked against the word typed.
ArgumentCompleter = Callable[["Session", str], Iterable["Candidate"]]

#: What a command's handler is called with (the dispatcher, or a test's own).
C = TypeVar("C")


@dataclass(frozen=True)
class MetaCommand(Generic[C]):
    """One meta command: ``\\name ARGS`` does ``help``.

    ``handler(context, arg)`` runs it (``arg``: the text after the name,
    stripped) and returns its :class:`Reply`; ``complete`` completes its
    argument (``None``: nothing to offer, :data:`QUERY`: a query)."""

    name: str
    args: str
    help: str
    handler: Callable[[C, str], Reply]
    aliases: tuple[str, ...] = ()
    complete: ArgumentCompleter | Literal["query"] | None = None

    @property
    def usage(self) -> str:
        """``\\name ARGS`` as ``\\help`` shows it."""
        return f"\\{self.name} {self.args}".rstrip()


class Registry(Mapping[str, MetaCommand[C]]):
    """The meta commands by name, in the order ``\\help`` lists them; an
    alias finds its command through :meth:`find` and :meth:`split`."""

    def __init__(self, commands: Iterable[MetaCommand[C]]) -> None:
        self._commands: dict[str, MetaCommand[C]] = {}
        self._names: dict[str, str] = {}  # name or alias -> name
        for command in commands:
            for word in (command.name, *command.aliases):
                if word != word.lower() or word in self._names:
                    raise ValueError(f"meta command name {word!r} is not lower case or taken")
                self._names[word] = command.name
            self._commands[command.name] = command

    def __getitem__(self, name: str) -> MetaCommand[C]:
        return self._commands[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._commands)

    def __len__(self) -> int:
        return len(self._commands)

    def split(self, line: str) -> tuple[str, str]:
        """``("fetch", "10")`` for ``\\fetch 10``: the name lower-cased, an
        alias resolved to its command (an unknown name as typed)."""
        body = line.strip()[1:]
        name, _, arg = body.partition(" ")
        name = name.strip().lower()
        return self._names.get(name, name), arg.strip()

    def find(self, line: str) -> tuple[MetaCommand[C] | None, str]:
        """The command ``line`` (``\\name arg``) runs, and its argument."""
        name, arg = self.split(line)
        return self._commands.get(name), arg

    def lookup(self, line: str) -> tuple[MetaCommand[C] | None, str, str | None]:
        """What ``line`` (``\\name arg``) names, as data: its command (``None``
        for an unknown name), the name as typed (lower-cased, an alias
        resolved) and, for an unknown name, the closest command's name, if
        any is close."""
        command, _ = self.find(line)
        name, _ = self.split(line)
        if command is not None:
            return command, name, None
        return None, name, suggest(name, self._commands) if name else None

    def describe(self, line: str) -> str:
        """One line about the meta command being typed (the status line)."""
        command, name, close = self.lookup(line)
        if command is not None:
            return f"{command.usage}: {command.help}"
        # What was typed is echoed drawn and cut short (it may be 100,000 characters).
        said = f"unknown command \\{shorten(name)}"
        return said + (f"; did you mean \\{close}?" if close else "")

    def unknown(self, line: str) -> str:
        """The reply to an unknown command: what the status line says, and
        where the commands are listed when no name is close (as psql's
        "Try \\? for help."). Whether a name is close is the look-up's
        answer (:meth:`lookup`), never read back from the words."""
        said = self.describe(line)
        help_command = self._commands.get("help")
        if self.lookup(line)[2] is not None or help_command is None:
            return said
        return f"{said} (\\{help_command.name} lists the commands)"

    def help_text(self, columns: int = 80) -> str:
        """What ``\\help`` prints: each command's usage and help, the help
        wrapped to fit ``columns`` (under the help column, however narrow)."""
        import textwrap

        width = max(len(c.usage) for c in self._commands.values())
        room = max(columns - width - 2, 24)
        lines: list[str] = []
        for c in self._commands.values():
            first, *more = textwrap.wrap(c.help, room) or [""]
            lines.append(f"{c.usage:<{width}}  {first}".rstrip())
            lines.extend(" " * (width + 2) + line for line in more)
        tail = "Anything else is a query; ';' separates queries on one line."
        lines.extend(textwrap.wrap(tail, max(columns, 24)))
        return "\n".join(lines)

    def candidates(self) -> list[Candidate]:
        """The commands as completion candidates (``\\name``, its help)."""
        from ..completion import Candidate

        return [Candidate(f"\\{c.name}", "command", c.help) for c in self._commands.values()]
