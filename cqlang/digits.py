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

import re

#: An integer's canonical decimal text (``5``, ``-12``, ``0``; not ``05``,
#: ``+5``, `` 5``, ``-0``, nor past 16 digits): the one text of each
#: integer, so that text equality (the API's comparison of custom fields)
#: and integer equality agree. How the evaluator and the Arrow writer read
#: a custom field as an integer, and how a stored parameter default
#: becomes one again (``-0`` stays text, as ``05`` does).
CANONICAL_INT = re.compile(r"(?:0|-?[1-9][0-9]{0,15})\Z")

#: Python refuses to turn longer digit strings into an int (4300 by default).
_MAX_DIGITS = 4000


def ascii_int(text: str) -> int | None:
    """``text`` as an integer when it is an optional ``+`` or ``-`` and the
    ASCII digits ``0-9`` (blanks around it allowed), else ``None``: no
    Unicode digits (``٣``, ``²``), no ``_``, no ``0x``, no empty text."""
    s = text.strip()
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit() or len(body.lstrip("0")) > _MAX_DIGITS:
        return None
    return int(s[: len(s) - len(body)] + (body.lstrip("0") or "0"))


def too_many_digits(text: str) -> bool:
    """Whether ``text`` is an integer :func:`ascii_int` refuses only for
    its length (more than 4000 digits, leading zeros not counted): out of
    any range a number is checked against, and to be said so."""
    s = text.strip()
    body = s[1:] if s[:1] in ("+", "-") else s
    return body.isascii() and body.isdigit() and len(body.lstrip("0")) > _MAX_DIGITS


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


#: The longest duration any option takes, in seconds: a request's timeout,
#: a retry budget or wait, an emulator fault's latency. One day: longer is a
#: typo (``--timeout 1e12`` overflowed the clock of the deadline thread).
MAX_SECONDS = 86_400.0


def duration_problem(seconds: float, *, zero: bool = True) -> str | None:
    """Why ``seconds`` is no duration an option may take (not a number,
    negative, zero when ``zero`` is false, or over :data:`MAX_SECONDS`),
    else ``None``. Callers word it as their front end does."""
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return "is not a number of seconds"
    if seconds < 0 or (seconds == 0 and not zero):
        return "must be more than 0 seconds" if not zero else "must not be negative"
    if seconds > MAX_SECONDS:
        return f"is more than {MAX_SECONDS:,.0f} seconds (one day), the longest allowed"
    return None
