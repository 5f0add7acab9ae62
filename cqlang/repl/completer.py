"""Completion in the REPL: the engine (:mod:`cqlang.completion`) for queries,
plus meta commands and their arguments.

:func:`repl_completions` is plain (no prompt_toolkit): it finds the statement
or meta command around the cursor and asks the engine, with the session's
schema, named queries, parameters and seen custom keys.
:class:`CqlangCompleter` adapts it to prompt_toolkit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from ..completion import Completions, completions, rank
from .commands import COMMANDS
from .meta import Registry
from .session import Session, statement_spans

__all__ = ["CqlangCompleter", "repl_completions"]


def repl_completions(
    text: str, cursor: int, session: Session, commands: Registry[Any] | None = None
) -> Completions:
    """The completions at ``cursor`` in the REPL's input ``text``; meta
    commands and their arguments from ``commands`` (default: the REPL's)."""
    lead = len(text) - len(text.lstrip())
    if text[lead : lead + 1] == "\\":
        return _meta(text, cursor, lead, session, COMMANDS if commands is None else commands)
    for s, e in statement_spans(text):
        if s <= cursor <= e:
            return _query(text[s:e], cursor - s, s, session)
    return Completions(cursor, "", ())  # pragma: no cover - spans cover the text


def _query(text: str, cursor: int, offset: int, session: Session) -> Completions:
    found = completions(
        text,
        cursor,
        schema=session.schema,
        queries=session.query_names(),
        params=sorted(session.params),
        custom_keys=sorted(session.custom_keys),
    )
    return Completions(found.start + offset, found.word, found.items)


def _meta(
    text: str, cursor: int, lead: int, session: Session, commands: Registry[Any]
) -> Completions:
    space = text.find(" ", lead)
    if space < 0 or cursor <= space:
        word = text[lead:cursor]
        return Completions(lead, word, tuple(rank(word, commands.candidates())))
    command, _ = commands.find(text)
    arg_at = space + 1
    while arg_at < cursor and text[arg_at] == " ":
        arg_at += 1
    word = text[arg_at:cursor]
    if command is None or command.complete is None:
        return Completions(arg_at, word, ())
    complete = command.complete
    if isinstance(complete, str):  # QUERY: the argument is a query
        return _query(text[arg_at:], cursor - arg_at, arg_at, session)
    options = list(complete(session, word))
    return Completions(arg_at, word, tuple(rank(word, options)))


class CqlangCompleter(Completer):
    """prompt_toolkit completer over :func:`repl_completions`."""

    def __init__(self, session: Session, commands: Registry[Any] | None = None) -> None:
        self.session = session
        self.commands = commands

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        cursor = document.cursor_position
        found = repl_completions(document.text, cursor, self.session, self.commands)
        for c in found.items:
            yield Completion(
                c.text,
                start_position=found.start - cursor,
                display=c.shown,
                display_meta=c.meta or c.kind,
            )
