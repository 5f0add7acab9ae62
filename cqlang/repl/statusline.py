"""The REPL's live status line: one line about the input as typed.

A meta command is described by the registry (:mod:`cqlang.repl.meta`); a
query by the session's check of each of its statements: its first error or
warning, else how many requests it needs.
"""

from __future__ import annotations

from typing import Any

from ..diagnostics import NEVER_MATCHES, Diagnostic
from ..planner import Plan
from ..visible import visible
from .meta import Registry
from .session import Session, bare_command, statement_spans

__all__ = ["status_line"]


def status_line(session: Session, text: str, commands: Registry[Any]) -> str:
    """The live status line for the input ``text`` (see docs/repl.md),
    drawn visible (:func:`cqlang.visible.visible`): a message quoting what
    was typed or a value may hold a control or bidi character (U+202E
    would reverse the rest of the bar)."""
    return visible(_status(session, text, commands))


def _status(session: Session, text: str, commands: Registry[Any]) -> str:
    stripped = text.strip()
    if not stripped:
        return "type a query, or \\help"
    word = bare_command(stripped)
    if stripped.startswith("\\") or word is not None:
        return commands.describe(stripped if word is None else "\\" + word)
    statements = [text[s:e] for s, e in statement_spans(text) if text[s:e].strip()]
    plan: Plan | None = None
    for stmt in statements:
        diags, plan = session.assess(stmt)
        if diags:
            return _one_line(diags[0])
    if plan is None:  # pragma: no cover - only blank statements
        return "type a query, or \\help"
    if plan.never_matches:
        return NEVER_MATCHES
    n = plan.requests
    words = f"ok: {n} request{'s' if n != 1 else ''}"
    if plan.residual is not None:
        words += ", then checked on the client"
    return words


def _one_line(d: Diagnostic) -> str:
    hint = f" ({d.hint})" if d.hint else ""
    return f"{d.severity}[{d.code}] {d.line}:{d.column}: {d.message}{hint}"
