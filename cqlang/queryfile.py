"""Queries read from files: ``--file/-f FILE`` of the commands, and telling
a file name given where a query was expected.

A query file holds one query, as UTF-8 text (a byte order mark is skipped);
``#`` comments are welcome. A file that cannot be read is a
:class:`~cqlang.errors.QueryFileError` (a usage error, exit 2). Imports only
:mod:`os`, :mod:`sys` and :mod:`cqlang.errors`, so that the fast launcher
(cqlang/launch.py) can ask :func:`looks_like_path`. (It sits below the
front ends: ``cqlang queries check FILES`` reads query files through the
config.)
"""

from __future__ import annotations

import os
import sys

from .diagnostics import not_utf8
from .errors import QueryFileError

__all__ = ["MAX_QUERY_FILE_BYTES", "QueryFileError", "looks_like_path", "read_query_file"]

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


def read_query_file(name: str) -> str:
    """The text of the query file ``name`` (``-``: standard input)."""
    if name == "-":
        if sys.stdin is None:
            raise QueryFileError("--file -: standard input is closed", name)
        return sys.stdin.read().removeprefix("\ufeff")
    try:
        with open(name, "rb") as fh:
            raw = fh.read(MAX_QUERY_FILE_BYTES + 1)
    except FileNotFoundError:
        raise QueryFileError(f"{name}: no such file", name) from None
    except IsADirectoryError:
        raise QueryFileError(f"{name}: is a directory, not a query file", name) from None
    except OSError as exc:
        raise QueryFileError(f"{name}: cannot read it: {exc.strerror}", name) from None
    if len(raw) > MAX_QUERY_FILE_BYTES:
        raise QueryFileError(
            f"{name}: larger than {MAX_QUERY_FILE_BYTES} bytes: not a query file", name
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        message, line, column = not_utf8(raw, exc)
        raise QueryFileError(f"{name}:{line}:{column}: {message}", name) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")
