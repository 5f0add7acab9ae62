"""Completion in the REPL: the engine (:mod:`cqlang.completion`) for queries,
plus meta commands and their arguments.

:func:`repl_completions` is plain (no prompt_toolkit): it finds the statement
or meta command around the cursor and asks the engine, with the session's
schema, named queries, parameters and seen custom keys.
:class:`CqlangCompleter` adapts it to prompt_toolkit.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from functools import lru_cache

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from ..completion import Candidate, Completions, completions, rank
from .commands import COMMANDS, command_name
from .session import Session, statement_spans

__all__ = ["CqlangCompleter", "repl_completions"]

# Meta commands whose argument is a query.
_QUERY_ARGUMENT = frozenset({"compile", "explain", "format"})


@lru_cache(maxsize=1)
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones()))


def repl_completions(text: str, cursor: int, session: Session) -> Completions:
    """The completions at ``cursor`` in the REPL's input ``text``."""
    lead = len(text) - len(text.lstrip())
    if text[lead : lead + 1] == "\\":
        return _meta(text, cursor, lead, session)
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


def _meta(text: str, cursor: int, lead: int, session: Session) -> Completions:
    space = text.find(" ", lead)
    if space < 0 or cursor <= space:
        word = text[lead:cursor]
        cands = [Candidate(f"\\{n}", "command", COMMANDS[n][1]) for n in COMMANDS]
        return Completions(lead, word, tuple(rank(word, cands)))
    name, _ = command_name(text)
    arg_at = space + 1
    while arg_at < cursor and text[arg_at] == " ":
        arg_at += 1
    if name in _QUERY_ARGUMENT:
        return _query(text[arg_at:], cursor - arg_at, arg_at, session)
    word = text[arg_at:cursor]
    options: Iterable[Candidate] = ()
    if name == "tz":
        options = (Candidate(z, "zone") for z in _zones())
    elif name == "param":
        options = (Candidate(f"{p}=", "param", session.params[p]) for p in sorted(session.params))
    elif name == "save":
        options = (Candidate(q, "query") for q in session.query_names())
    elif name == "campaign" and session.default_campaign:
        options = (Candidate(session.default_campaign, "campaign"),)
    elif name == "set" and " " not in text[arg_at:cursor]:
        from .commands import SETTINGS

        options = (Candidate(n, "setting") for n in SETTINGS)
    if not word and name == "tz":
        return Completions(arg_at, word, ())  # 600 zones: wait for a letter
    return Completions(arg_at, word, tuple(rank(word, list(options))))


class CqlangCompleter(Completer):
    """prompt_toolkit completer over :func:`repl_completions`."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        cursor = document.cursor_position
        found = repl_completions(document.text, cursor, self.session)
        for c in found.items:
            yield Completion(
                c.text,
                start_position=found.start - cursor,
                display_meta=c.meta or c.kind,
            )
