"""Where fetched records go, and in which format: decided, and checked,
before any request is sent.

* The format: ``--format`` when given; else, for a file, its extension
  (``.csv``, ``.json``, ``.jsonl``/``.ndjson``, ``.parquet``,
  ``.arrow``/``.feather``; another one is a usage error); else ``table`` on
  a terminal and ``jsonl`` otherwise (a standard stream, a device, a pipe).
* The writers are :mod:`cqlang.output.writers`: every format but ``table``
  streams. A CSV of no records still has its header row (:func:`csv_header`);
  Parquet and Arrow are binary, refused on a terminal (:func:`check_binary`).
* :func:`cqlang.output.write.emit` writes them; a regular file through
  :mod:`cqlang.output.atomic`.

A choice that cannot work is an :class:`~cqlang.errors.OutputSettingError`
(a usage error: exit 2).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from typing import Any

from ..errors import OutputSettingError

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "STREAMS",
    "check_binary",
    "check_output",
    "choose_format",
    "csv_header",
    "replaceable",
]

FORMATS = ("jsonl", "json", "csv", "table", "parquet", "arrow")  # writers.FORMATS
#: File extensions (lower case) and the format they mean.
EXTENSIONS = {
    ".csv": "csv",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
    ".arrow": "arrow",
    ".feather": "arrow",
}

#: Names of the standard streams: written to as they are (an append stays an
#: append), never replaced.
STREAMS = {
    "-": 1,
    "/dev/stdout": 1,
    "/dev/fd/1": 1,
    "/proc/self/fd/1": 1,
    "/dev/stderr": 2,
    "/dev/fd/2": 2,
    "/proc/self/fd/2": 2,
}


def replaceable(output: str) -> bool:
    """Whether ``output`` is (or will be) a regular file, so that it is
    written through a temporary file renamed over it; a device or a pipe is
    written directly."""
    if os.path.realpath(output).startswith("/proc/"):
        return False  # an open file of some process, such as a pipe
    try:
        return stat.S_ISREG(os.stat(output).st_mode)
    except OSError:
        return True  # a new file


#: How each front end names the output file's setting in its messages: the
#: command line has ``--output`` (and ``--format`` beside it), the REPL
#: ``\o FILE`` (the format is always the extension's).
OUTPUT_SETTINGS = {"cli": "--output", "repl": "\\o"}


def check_output(output: str, *, front: str = "cli") -> None:
    """Refuse, before any request is sent, an --output whose folder is
    missing or not writable (the temporary file goes there). A folder as
    --output is click's to refuse (``dir_okay=False``). ``front`` words
    the message (:data:`OUTPUT_SETTINGS`)."""
    if output in STREAMS or not replaceable(output):
        return
    option = OUTPUT_SETTINGS[front]
    folder = os.path.dirname(os.path.realpath(output))
    if not os.path.isdir(folder):
        raise OutputSettingError(f"{option} {output}: no such folder {folder}", "output")
    if not os.access(folder, os.W_OK):
        raise OutputSettingError(
            f"{option} {output}: cannot write in {folder} (permission denied)", "output"
        )


def choose_format(
    fmt: str | None, output: str | None, terminal: bool, *, front: str = "cli"
) -> str:
    """The format of the records: ``fmt`` (``--format``) when given; for a
    file, the one its extension names (an unknown or missing extension is a
    :class:`~cqlang.errors.OutputSettingError`, worded for ``front``: only
    the command line has a ``--format`` to offer); else ``table`` for a
    terminal (``terminal``: stdout is one and there is no --output),
    ``jsonl`` for anything else."""
    if fmt is not None:
        return fmt
    if output is None or output in STREAMS or not replaceable(output):
        return "table" if output is None and terminal else "jsonl"
    ext = os.path.splitext(output)[1].lower()
    found = EXTENSIONS.get(ext)
    if found is None:
        known = ", ".join(EXTENSIONS)
        what = f"its extension {ext!r}" if ext else "a name without an extension"
        if front == "cli":
            fix = f"give --format ({'|'.join(FORMATS)}) or name the file {known}"
        else:
            fix = f"name the file {known} (\\o takes the format from the extension)"
        raise OutputSettingError(
            f"{OUTPUT_SETTINGS[front]} {output}: cannot tell the format from {what}; {fix}",
            "output",
        )
    return found


def check_binary(fmt: str, output: str | None, terminal: bool) -> None:
    """Refuse, before any request, to write a binary format (Parquet,
    Arrow) to a terminal; without pyarrow, name the extra to install."""
    from .writers import BINARY_FORMATS

    if fmt not in BINARY_FORMATS:
        return
    from .arrowconvert import require

    require(f"the {fmt} format")
    if output is None and terminal:
        raise OutputSettingError(
            f"{fmt} is a binary format, not for a terminal: write it to a file "
            f"(-o FILE.{'parquet' if fmt == 'parquet' else 'arrow'}) or redirect standard output"
        )


def csv_header(schema: Any, exclude: Sequence[str] | None = ()) -> list[str]:
    """The header of a CSV without --columns (:func:`cqlang.output.writers.csv_columns`)."""
    from .writers import csv_columns

    return csv_columns(schema, exclude)
