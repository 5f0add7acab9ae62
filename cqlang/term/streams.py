"""Standard streams that never fail on a character their encoding lacks.

Python writes to standard output in the locale's encoding and, by default,
raises ``UnicodeEncodeError`` on a character that encoding cannot hold (a
``Ł`` under ``LANG=pl_PL.ISO-8859-1`` or ``PYTHONIOENCODING=ascii``). cqlang
writes such a character as ``\\uXXXX`` instead (a pair of them above
U+FFFF): JSON's own escape, so JSON output stays valid JSON that reads back
as the same text, and other output stays readable. A stream in UTF-8 is
left alone (docs/cli.md, "Output encoding").
"""

from __future__ import annotations

import codecs

from ..utf8 import is_utf8

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import TextIO

#: The name of the error handler registered with :mod:`codecs`.
HANDLER = "cqlang-json-escape"


def json_escape(err: UnicodeError) -> tuple[str, int]:
    """A :mod:`codecs` error handler: each character that cannot be
    encoded as ``\\uXXXX``, UTF-16 surrogate pairs above U+FFFF."""
    if not isinstance(err, UnicodeEncodeError):
        raise err
    out = []
    for ch in err.object[err.start : err.end]:
        code = ord(ch)
        if code > 0xFFFF:
            code -= 0x10000
            out.append(f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}")
        else:
            out.append(f"\\u{code:04x}")
    return "".join(out), err.end


def never_fail(stream: TextIO) -> None:
    """Make ``stream`` write what its encoding cannot hold with
    :func:`json_escape` instead of raising; nothing for a UTF-8 stream
    (it holds every character but a lone surrogate, which the stream's
    own handler, Python's choice for the locale, deals with) or a stream
    that cannot be reconfigured."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None or not getattr(stream, "encoding", None) or is_utf8(stream):
        return
    try:
        codecs.lookup_error(HANDLER)
    except LookupError:
        codecs.register_error(HANDLER, json_escape)
    try:
        reconfigure(errors=HANDLER)
    except (ValueError, OSError):  # closed or detached: nothing will be written to it
        return
