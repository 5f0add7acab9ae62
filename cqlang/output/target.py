"""Where fetched records go, and in which format: decided, and checked,
before any request is sent.

* What the output is, by what is at the path (:func:`output_kind`): a
  standard stream by name (``-``, ``/dev/stdout``...); a path ending in
  the separator (``out/``, ``x.csv/``), which names a folder, whatever is
  there (refused, never made or replaced as a file); a named pipe, a
  device, a socket or an open descriptor (``/dev/fd/3``), written to
  directly; else a regular file, existing or new (``/proc/nope/x.csv`` is
  a new file in a folder that does not exist, refused as any such).
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

import errno
import os
import stat
from collections.abc import Sequence
from typing import Any

from ..errors import OutputSettingError
from .formats import BINARY_FORMATS, EXTENSIONS, FORMATS, extension_of, extensions_text

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "STREAMS",
    "check_binary",
    "check_name",
    "check_output",
    "choose_format",
    "csv_header",
    "is_terminal",
    "output_kind",
    "real_path",
    "replaceable",
]

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


#: What an output path is (:func:`output_kind`).
STREAM = "stream"  #: a name of STREAMS: the stream as it is
DIRECT = "direct"  #: a named pipe, a device, a socket, an open descriptor: written to
FILE = "file"  #: a regular file, or a new one: replaced through a temporary file
FOLDER = "folder"  #: a folder: refused
CLOSED = "closed"  #: /dev/fd/N (/proc/self/fd/N) of a descriptor that is not open: refused


def output_kind(output: str) -> str:
    """What ``output`` is, by what is there (never by its name alone): one
    of :data:`STREAM`, :data:`DIRECT`, :data:`FILE`, :data:`FOLDER` and
    :data:`CLOSED`. A path that does not exist (or cannot be looked at) is
    a new :data:`FILE`, whatever folder it is in (``/proc/nope/x.csv``
    too): :func:`check_output` then looks at its folder. A path ending in
    the separator names a folder (``new/``, ``x.csv/``), existing or not:
    :data:`FOLDER`."""
    if output in STREAMS:
        return STREAM
    if output.endswith(os.sep) or (os.altsep is not None and output.endswith(os.altsep)):
        return FOLDER
    descriptor = _descriptor(output)
    try:
        mode = os.stat(output).st_mode
    except (OSError, ValueError):
        return CLOSED if descriptor else FILE
    if descriptor:  # an open file handed over (`3>x`, `>(cmd)`): never replaced
        return FOLDER if stat.S_ISDIR(mode) else DIRECT
    if stat.S_ISREG(mode):
        return FILE
    return FOLDER if stat.S_ISDIR(mode) else DIRECT


def _descriptor(output: str) -> bool:
    """Whether ``output`` names a file descriptor: ``/dev/fd/N``,
    ``/proc/self/fd/N``, ``/proc/PID/fd/N`` (its folder, resolved, is a
    process's ``fd`` folder under ``/proc``, or ``/dev/fd`` itself)."""
    folder, name = os.path.split(os.path.abspath(output))
    if not (name.isascii() and name.isdigit()):
        return False
    parts = os.path.realpath(folder).split("/")
    return parts[-1:] == ["fd"] and (parts[:2] == ["", "proc"] or parts == ["", "dev", "fd"])


def replaceable(output: str) -> bool:
    """Whether ``output`` is (or will be) a regular file, so that it is
    written through a temporary file renamed over it; a device, a pipe or a
    descriptor is written directly (:func:`output_kind`)."""
    return output_kind(output) == FILE


#: How each front end names the output file's setting in its messages: the
#: command line has ``--output`` (and ``--format`` beside it), the REPL
#: ``\o FILE`` (the format is always the extension's).
OUTPUT_SETTINGS = {"cli": "--output", "repl": "\\o"}


def check_output(output: str, *, front: str = "cli") -> None:
    """Refuse, before any request is sent, an output that cannot be
    written: a file that could not be replaced
    (:func:`cqlang.output.atomic.unreplaceable`: read-only, even to root;
    its folder missing or not writable, since the temporary file goes
    there; another user's in a sticky folder), a folder, a descriptor
    that is not open, a device or pipe this user may not write; and an
    empty name
    (:func:`check_name`). ``front`` words the message
    (:data:`OUTPUT_SETTINGS`)."""
    check_name(output, front=front)
    kind = output_kind(output)
    if kind == STREAM:
        return
    option = OUTPUT_SETTINGS[front]
    if kind == FOLDER:
        raise OutputSettingError(f"{option} {output}: a folder; name a file", "output")
    if kind == CLOSED:
        raise OutputSettingError(f"{option} {output}: no such open file descriptor", "output")
    if kind == DIRECT:
        if not os.access(output, os.W_OK):
            raise OutputSettingError(f"{option} {output}: cannot write to it", "output")
        return
    from .atomic import unreplaceable, unwritable

    try:
        real = real_path(output)
    except OSError as exc:  # a loop of symbolic links: as cp and tee say it
        raise OutputSettingError(f"{option} {output}: {exc.strerror}", "output") from None
    folder = os.path.dirname(real)
    if not os.path.isdir(folder):
        raise OutputSettingError(f"{option} {output}: no such folder {folder}", "output")
    reason = unreplaceable(real)
    if reason is not None:
        fix = "make it writable first (chmod u+w) or " if unwritable(output) else ""
        raise OutputSettingError(
            f"{option} {output}: {reason}; {fix}write to another file", "output"
        )


def real_path(output: str) -> str:
    """The file ``output`` names, its symbolic links followed: what is
    replaced when the records are written (a link stays a link). A link
    that names no file yet names the file it will make; a loop of links
    (``loop1`` -> ``loop2`` -> ``loop1``), which ``os.path.realpath`` would
    leave as it is, for the link itself to be replaced by a regular file,
    is an ``OSError`` (``ELOOP``, "Too many levels of symbolic links")."""
    try:
        return os.path.realpath(output, strict=True)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise
    return os.path.realpath(output)


def check_name(output: str, *, front: str = "cli") -> None:
    """Refuse an output name that can name no file: an empty one (``-o
    ""``, ``\\o ""``; standard output has its own names: no ``--output``,
    ``-``; ``\\o`` alone in the REPL), and a folder (``out``, ``out/``, a
    link to a folder). Checked even for a dry run, which writes nothing."""
    setting = OUTPUT_SETTINGS[front]
    if output == "":
        if front == "cli":
            fix = "leave --output out (or give -o -) to write to standard output"
        else:
            fix = "\\o alone shows the records on the screen"
        raise OutputSettingError(f'{setting} "": an empty file name; {fix}', "output")
    if output_kind(output) == FOLDER:
        raise OutputSettingError(f"{setting} {output}: a folder; name a file", "output")


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
    if output is None or not replaceable(output):
        return "table" if output is None and terminal else "jsonl"
    ext = os.path.splitext(output)[1].lower()
    found = EXTENSIONS.get(ext)
    if found is None:
        known = extensions_text()
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
    Arrow) to a terminal: standard output when it is one (``terminal``,
    with no ``output``), and any output that is one: ``/dev/stderr`` on a
    terminal, ``/dev/tty``, ``/dev/pts/N``, a descriptor of a terminal
    (:func:`is_terminal`). Without pyarrow, name the extra to install."""
    if fmt not in BINARY_FORMATS:
        return
    from .arrowconvert import require

    require(f"the {fmt} format")
    if (output is None and terminal) or (output is not None and is_terminal(output)):
        where = "a terminal" if output is None else f"{output}, a terminal"
        raise OutputSettingError(
            f"{fmt} is a binary format, not for {where}: write it to a file "
            f"(-o FILE{extension_of(fmt)}) or redirect standard output",
            "format",
        )


def is_terminal(output: str) -> bool:
    """Whether the output ``output`` names is a terminal: a standard stream
    by name that is one, or a character device (``/dev/tty``, a descriptor
    of one) that is one when opened. Opened without waiting and without
    becoming the controlling terminal; a regular file, a pipe or a path
    that cannot be opened is no terminal."""
    import sys

    stream = STREAMS.get(output)
    if stream is not None:
        handle = sys.stdout if stream == 1 else sys.stderr
        return handle is not None and bool(handle.isatty())
    try:
        if not stat.S_ISCHR(os.stat(output).st_mode):
            return False
        flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_NONBLOCK", 0)
        fd = os.open(output, flags)
    except (OSError, ValueError):
        return False
    try:
        return os.isatty(fd)
    finally:
        os.close(fd)


def csv_header(schema: Any, exclude: Sequence[str] | None = ()) -> list[str]:
    """The header of a CSV without --columns (:func:`cqlang.output.writers.csv_columns`)."""
    from .writers import csv_columns

    return csv_columns(schema, exclude)
