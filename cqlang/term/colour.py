"""Colour on a terminal: when, and diagnostics painted.

:func:`enabled` decides for one stream: ``--color always`` and ``never``
are obeyed; ``auto`` (the default) colours a terminal whose ``TERM`` is not
``dumb``, unless the environment variable ``NO_COLOR`` is set to anything
but the empty string (https://no-color.org; an explicit ``--color always``
wins over it, as that page asks).

:func:`paint` colours text made of rendered diagnostics
(:func:`cqlang.diagnostics.render`), whose layout it knows line by line:
the header (``error[CQL101]: ...`` red, ``warning[...]`` yellow), the
``-->`` location and the gutter blue, the carets in the severity's colour;
the query's own text is never coloured. A line it does not recognise is
left as it is.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is not imported at run time: `cqlang compile` starts fast
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MODES", "enabled", "paint"]

MODES = ("auto", "always", "never")

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_RED = "\x1b[1;31m"
_YELLOW = "\x1b[1;33m"
_BLUE = "\x1b[1;34m"
_CYAN = "\x1b[36m"


def enabled(mode: str | None, stream: Any) -> bool:
    """Whether to colour what goes to ``stream`` under ``mode`` (``None``:
    ``auto``)."""
    if mode == "always":
        return True
    if mode == "never":
        return False
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream is not None and bool(stream.isatty())
    except (ValueError, OSError):
        return False


def _severity_of(line: str) -> str | None:
    for word in ("error", "warning"):
        if line.startswith((word + "[", word + ":")):
            return word
    return None


def _gutter(line: str) -> tuple[str, str, str] | None:
    """``(head, " |", rest)`` for a gutter line: ``12 | text`` (head the
    line number) or ``   | ^^^ hint`` and ``  |`` (head blanks); else
    ``None``."""
    bar = line.find(" |")
    head, rest = line[:bar], line[bar + 2 :]
    if bar < 1 or (rest and not rest.startswith(" ")):
        return None
    if head == " " * len(head) or (head.isascii() and head.isdigit()):
        return head, " |", rest
    return None


def paint(text: str) -> str:
    """``text`` (rendered diagnostics) with ANSI colours."""
    out = []
    colour = _RED
    for line in text.split("\n"):
        severity = _severity_of(line)
        if severity is not None:
            colour = _RED if severity == "error" else _YELLOW
            head, colon, message = line.partition(": ")
            out.append(f"{colour}{head}{_RESET}{_BOLD}{colon}{message}{_RESET}")
            continue
        stripped = line.lstrip(" ")
        if stripped.startswith("--> "):
            lead = line[: len(line) - len(stripped)]
            out.append(f"{lead}{_BLUE}-->{_RESET}{stripped[3:]}")
            continue
        parts = _gutter(line)
        if parts is None:
            out.append(line)
            continue
        head, bar, rest = parts
        if head.strip():  # a line of the query: its text stays as it is
            out.append(f"{_BLUE}{head}{bar}{_RESET}{rest}")
            continue
        body = rest.lstrip(" ")
        if body.startswith("^"):
            carets = len(body) - len(body.lstrip("^"))
            lead = rest[: len(rest) - len(body)]
            hint = body[carets:]
            painted_hint = f"{_CYAN}{hint}{_RESET}" if hint.strip() else hint
            out.append(
                f"{_BLUE}{head}{bar}{_RESET}{lead}{colour}{body[:carets]}{_RESET}{painted_hint}"
            )
        else:
            out.append(f"{_BLUE}{head}{bar}{_RESET}{rest}")
    return "\n".join(out)
