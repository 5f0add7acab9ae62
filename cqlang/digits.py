"""Numbers as a user writes them: ASCII digits only, everywhere.

Python's ``int()`` and ``float()`` read any Unicode decimal digit
(``int("٣")`` is 3, ``float("١")`` is 1.0) and underscores (``int("1_000")``),
and ``str.isdigit()`` is true for ``"²"``, which ``int()`` then refuses.
docs/cli.md promises numbers in ASCII digits only, so every number a user
types (a command-line option, a ``--param`` or config parameter value
bound to an integer, a REPL count, an emulator fault) is read here.
Imported on ``cqlang compile``'s fast path (the checker reads integer
parameters with it): standard library only, nothing imported.
"""

from __future__ import annotations

#: Python refuses to turn longer digit strings into an int (4300 by default).
_MAX_DIGITS = 4000


def ascii_int(text: str) -> int | None:
    """``text`` as an integer when it is an optional ``+`` or ``-`` and the
    ASCII digits ``0-9`` (blanks around it allowed), else ``None``: no
    Unicode digits (``٣``, ``²``), no ``_``, no ``0x``, no empty text."""
    s = text.strip()
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit() or len(body) > _MAX_DIGITS:
        return None
    return int(s)


def ascii_float(text: str) -> float | None:
    """``text`` as a number (``5``, ``0.5``, ``1e3``, ``inf``) when it is
    written in ASCII without ``_``, else ``None``; ``float()`` decides the
    rest."""
    s = text.strip()
    if not s.isascii() or "_" in s:
        return None
    try:
        return float(s)
    except ValueError:
        return None
