"""The REPL's live status line: one line about the input as typed.

A meta command is described by the registry (:mod:`cqlang.repl.meta`); a
query by the session's check of each of its statements: its first error or
warning, else how many requests it needs. :func:`status` gives the line
with its kind (``error``, ``warning`` or ``ok``: the toolbar's colour),
decided from the data (the diagnostic's severity, the registry's look-up),
never from the words.
"""

from __future__ import annotations

from typing import Any, Literal, NamedTuple

from ..diagnostics import NEVER_MATCHES, Diagnostic
from ..planner import Plan
from ..visible import visible
from .meta import Registry
from .session import Session, bare_command, statement_spans

__all__ = ["Status", "status", "status_line"]

#: What a status line is about: its colour in the toolbar.
Kind = Literal["error", "warning", "ok"]


class Status(NamedTuple):
    """A status line and its kind."""

    line: str
    kind: Kind


def status_line(session: Session, text: str, commands: Registry[Any]) -> str:
    """The live status line for the input ``text`` (see docs/repl.md),
    drawn visible (:func:`cqlang.visible.visible`): a message quoting what
    was typed or a value may hold a control or bidi character (U+202E
    would reverse the rest of the bar)."""
    return status(session, text, commands).line


def status(session: Session, text: str, commands: Registry[Any]) -> Status:
    """:func:`status_line` with its kind: a diagnostic's severity, a
    warning for an unknown meta command, else ``ok``."""
    line, kind = _status(session, text, commands)
    return Status(visible(line), kind)


def _status(session: Session, text: str, commands: Registry[Any]) -> Status:
    stripped = text.strip()
    if not stripped:
        return Status("type a query, or \\help", "ok")
    word = bare_command(stripped)
    if stripped.startswith("\\") or word is not None:
        line = stripped if word is None else "\\" + word
        known = commands.lookup(line)[0] is not None
        return Status(commands.describe(line), "ok" if known else "warning")
    statements = [text[s:e] for s, e in statement_spans(text) if text[s:e].strip()]
    plan: Plan | None = None
    for stmt in statements:
        diags, plan = session.assess(stmt)
        if diags:
            return Status(_one_line(diags[0]), diags[0].severity)
    if plan is None:  # pragma: no cover - only blank statements
        return Status("type a query, or \\help", "ok")
    if plan.never_matches:
        return Status(NEVER_MATCHES, "ok")
    n = plan.requests
    words = f"ok: {n} request{'s' if n != 1 else ''}"
    if plan.residual is not None:
        words += ", then checked on the client"
    return Status(words, "ok")


def _one_line(d: Diagnostic) -> str:
    hint = f" ({d.hint})" if d.hint else ""
    return f"{d.severity}[{d.code}] {d.line}:{d.column}: {d.message}{hint}"
