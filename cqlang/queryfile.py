"""Queries read from files: ``--file/-f FILE`` of the commands, and telling
a file name given where a query was expected.

A query file holds one query, as UTF-8 text (a byte order mark is skipped);
``#`` comments are welcome. A file that cannot be read is a
:class:`~cqlang.errors.QueryFileError` (a usage error, exit 2). A file that
reads but is not UTF-8 is no such error: its text is the query, each byte
that is not UTF-8 kept as Python's ``surrogateescape`` keeps it (U+DC80 to
U+DCFF), which the parser reports as CQL002 at its place, as it does for
the same bytes on standard input (:func:`utf8_input`) or the command line.
Imports only :mod:`os`, :mod:`sys`, :mod:`cqlang.errors` and :mod:`cqlang.utf8`, so that the
fast launcher (cqlang/launch.py) can ask :func:`looks_like_path`. (It sits below the
front ends: ``cqlang queries check FILES`` reads query files through the
config.)
"""

from __future__ import annotations

import os
import sys

from .errors import QueryFileError
from .utf8 import is_utf8

TYPE_CHECKING = False  # typing is not imported at run time (cqlang/launch.py)
if TYPE_CHECKING:
    from typing import TextIO

__all__ = [
    "MAX_QUERY_FILE_BYTES",
    "QueryFileError",
    "cannot_read",
    "decode_query",
    "looks_like_path",
    "not_a_file",
    "read_query_file",
    "utf8_input",
]

#: The largest query file read, in bytes (a query is at most 1,000,000
#: characters: cqlang.parser.MAX_QUERY_CHARS).
MAX_QUERY_FILE_BYTES = 4_000_000


def looks_like_path(arg: str) -> bool:
    """Whether a QUERY argument that is not a query looks like the name of a
    file: it ends with ``.cql``, or a file of that name exists. Only asked
    of an argument that does not parse, so a query is never taken for a
    file name (docs/cli.md)."""
    if not arg or "\n" in arg or "\0" in arg:
        return False
    if arg.lower().endswith(".cql"):
        return True
    try:
        return os.path.isfile(arg)
    except (OSError, ValueError):
        return False


def cannot_read(name: str | os.PathLike[str], exc: OSError) -> str:
    """Why the file ``name`` the user named could not be read, in the one
    wording every command uses (``check -f``, ``fmt``, ``emulator
    --data``): ``NAME: no such file``, else ``NAME: cannot read it:
    REASON``."""
    if isinstance(exc, FileNotFoundError):
        return f"{os.fspath(name)}: no such file"
    return f"{os.fspath(name)}: cannot read it: {exc.strerror or exc}"


def not_a_file(what: str = "query file", kind: str = "a directory") -> str:
    """Why a path the user named as a file that is ``kind`` (a directory, a
    named pipe...) is not read as ``what`` (a query file, a config file),
    after its name and a colon: ``is a directory, not a query file``. The
    one wording of every command that reads query files (``-f FILE``,
    ``fmt FILES``, ``queries check FILES``) and config files."""
    return f"is {kind}, not a {what}"


def read_query_file(name: str) -> str:
    """The text of the query file ``name`` (``-``: standard input)."""
    if name == "-":
        if sys.stdin is None:
            raise QueryFileError("--file -: standard input is closed", name)
        return utf8_input(sys.stdin).read().removeprefix("\ufeff")
    try:
        with open(name, "rb") as fh:
            raw = fh.read(MAX_QUERY_FILE_BYTES + 1)
            device = len(raw) > MAX_QUERY_FILE_BYTES and _is_device(fh.fileno())
    except IsADirectoryError:
        raise QueryFileError(f"{name}: {not_a_file()}", name) from None
    except OSError as exc:
        raise QueryFileError(cannot_read(name, exc), name) from None
    if device:  # /dev/zero, /dev/urandom: no size to speak of
        raise QueryFileError(f"{name}: {not_a_file(kind='a device')}", name)
    if len(raw) > MAX_QUERY_FILE_BYTES:
        raise QueryFileError(
            f"{name}: larger than {MAX_QUERY_FILE_BYTES} bytes: not a query file", name
        )
    return decode_query(raw)


def _is_device(fd: int) -> bool:
    """Whether ``fd`` is a character or block device (``/dev/zero``)."""
    import stat

    mode = os.fstat(fd).st_mode
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def decode_query(raw: bytes) -> str:
    """The query text of a file's bytes: UTF-8, a byte order mark skipped;
    a byte that is not UTF-8 is kept (``surrogateescape``) for the parser
    to report (CQL002, at its line and column). Line breaks are kept as the
    file has them: a CRLF is two characters, as on standard input, in an
    argument, from Python and in an editor, so that a diagnostic's offsets
    are the same on every path (the parser ends a line at CRLF, CR or LF)."""
    text = raw.decode("utf-8", "surrogateescape")
    return text.removeprefix("\ufeff")


def utf8_input(stream: TextIO) -> TextIO:
    """``stream`` (standard input), set to read UTF-8 and keep a byte that
    is not (``surrogateescape``) for the parser to report as CQL002, as
    :func:`decode_query` does for a file: Python reads standard input in
    the locale's encoding, and with the strict error handler under most
    UTF-8 locales, so that such a byte would otherwise end the run with an
    internal error. Its line breaks are kept as they come (``newline=""``:
    ``\\r\\n`` stays two characters, as in a file, :func:`decode_query`, where
    a stream that translates them would shift every offset after one). A
    stream that cannot be set (not a text file of bytes, or read from
    already in another encoding) is left as it is."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is None:
        return stream
    decoding = {"errors": "surrogateescape"}
    if not is_utf8(stream):
        decoding["encoding"] = "utf-8"
    # Apart: a stream read from already may not change its newline, but may
    # still change its errors.
    for setting in (decoding, {"newline": ""}):
        try:
            reconfigure(**setting)
        except (OSError, ValueError):  # io.UnsupportedOperation is both
            continue
    return stream
