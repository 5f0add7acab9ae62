"""The arguments of a REPL meta command, read as a shell reads them.

``\\o "/tmp/my file.csv"`` names ``/tmp/my file.csv``: quotes group and
are removed, a backslash escapes the next character (:func:`shlex.split`
in POSIX mode), as psql reads the arguments of its own backslash commands.
The commands that take a query or a parameter value (``\\compile QUERY``,
``\\param NAME=VALUE``) keep their text as typed instead: quotes mean
something in the language and in a list value.
"""

from __future__ import annotations

import shlex

__all__ = ["one_word", "words"]


def words(arg: str) -> list[str] | None:
    """``arg`` split as a shell splits it, quotes removed; ``None`` when it
    cannot be (an unclosed quote, a backslash at the end)."""
    try:
        return shlex.split(arg, comments=False, posix=True)
    except ValueError:
        return None


def one_word(arg: str) -> str | None:
    """The one argument ``arg`` holds (``""`` for none); ``None`` when it
    holds more than one, or cannot be split."""
    found = words(arg)
    if found is None or len(found) > 1:
        return None
    return found[0] if found else ""
