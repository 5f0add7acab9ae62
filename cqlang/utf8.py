"""Whether a standard stream is UTF-8: the one test of it, for the
launcher (which answers on its fast path only when stdout and stderr are
UTF-8), the streams that escape what their encoding lacks
(cqlang.term.streams) and standard input read as UTF-8
(cqlang.queryfile.utf8_input). Imports :mod:`codecs` alone (loaded by
every Python start), so that the launcher pays nothing for it.
"""

from __future__ import annotations

import codecs

__all__ = ["is_utf8"]


def is_utf8(stream: object) -> bool:
    """Whether ``stream`` reads or writes UTF-8: its ``encoding`` is one of
    Python's names for it, in any spelling (``UTF-8``, ``utf8``,
    ``UTF_8``, ``cp65001``). False for no stream, no encoding, one Python
    does not know, and ``utf-8-sig`` (which writes a byte order mark)."""
    encoding = getattr(stream, "encoding", None)
    if not isinstance(encoding, str) or not encoding:
        return False
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        return False
