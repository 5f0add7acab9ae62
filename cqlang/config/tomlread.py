"""TOML text read with :mod:`tomllib`, every refusal as ``TOMLDecodeError``.

``tomllib.loads`` raises ``TOMLDecodeError`` for a text that is not TOML,
but a plain ``ValueError`` for a decimal integer longer than Python turns
into an ``int`` (4300 digits by default, ``sys.get_int_max_str_digits()``):
``int()`` refuses it, and tomllib lets that through. Every reader of a
config file (the config itself, ``pyproject.toml``'s ``[tool.cqlang]``
test, ``queries save``/``rm``, ``fmt``, the language server) reads with
:func:`loads`, which words that refusal as any other mistake of a TOML
file, with its place: ``an integer of more than 4300 digits (at line 2,
column 13)``. Imported by :mod:`.locate`, so on the launcher's path:
standard library only, tomllib imported when a text is read.
"""

from __future__ import annotations

import re
import sys

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any


def loads(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``; raises ``tomllib.TOMLDecodeError`` for any
    text it refuses, its message ending ``(at line L, column C)`` when the
    place is known (``RecursionError``, for nesting too deep for tomllib,
    passes through)."""
    import tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        raise
    except ValueError as exc:
        # Only int() of a decimal integer past the digit limit gets here.
        limit = sys.get_int_max_str_digits()
        what = (
            f"an integer of more than {limit} digits"
            if "digits" in str(exc)
            else "a value that cannot be read"
        )
        offset = _number_start(exc.__traceback__)
        if offset is not None:
            line = text.count("\n", 0, offset) + 1
            column = offset - (text.rfind("\n", 0, offset) + 1) + 1
            what += f" (at line {line}, column {column})"
        raise tomllib.TOMLDecodeError(what) from None


def _number_start(tb: TracebackType | None) -> int | None:
    """Where the number tomllib was reading starts: its reader's
    ``match`` (the regular expression's match of the number), when the
    traceback holds it; ``None`` when not (a later Python may name it
    otherwise: the message then goes without its place)."""
    start = None
    while tb is not None:
        match = tb.tb_frame.f_locals.get("match")
        if isinstance(match, re.Match):
            start = match.start()
        tb = tb.tb_next
    return start
