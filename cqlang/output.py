"""Writing fetched records: ``cqlang fetch``'s formats and ``--output``.

* The format: ``--format`` when given; else, for a file, its extension
  (``.csv``, ``.json``, ``.jsonl``/``.ndjson``, ``.parquet``,
  ``.arrow``/``.feather``; another one is a usage error); else ``table`` on
  a terminal and ``jsonl`` otherwise (a standard stream, a device, a pipe).
* The writers are :mod:`cqlang.writers`: every format but ``table``
  streams. A CSV of no records still has its header row (:func:`csv_header`);
  Parquet and Arrow are binary, refused on a terminal (:func:`check_binary`).
* A regular file is written through a hidden temporary file beside it,
  renamed over it only once everything is written: a failure or a signal
  (SIGINT, SIGTERM, SIGHUP, SIGQUIT) leaves no half-written output. The
  temporary file's name holds the writer's pid
  (``.NAME.cqlang-PID-RANDOM.tmp``), so what a run killed outright
  (SIGKILL) left behind is removed by the next run for the same target,
  once no process of that pid is alive.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .launch import EXIT_IO, EXIT_USAGE

if TYPE_CHECKING:
    from .writers import Writer

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "STREAMS",
    "OutputError",
    "UsageError",
    "check_binary",
    "check_output",
    "choose_format",
    "csv_header",
    "emit",
    "remove_stale",
    "replaceable",
]

FORMATS = ("jsonl", "json", "csv", "table", "parquet", "arrow")  # cqlang.writers.FORMATS
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

#: What the temporary files of this module are called after the target's name.
_TMP_TAG = ".cqlang-"
_TMP_SUFFIX = ".tmp"


class OutputError(Exception):
    """The records could not be written where --output (or stdout) says."""

    cqlang_exit_status = EXIT_IO


class UsageError(Exception):
    """An --output or --format that cannot work (exit 2, before any request)."""

    cqlang_exit_status = EXIT_USAGE


# ------------------------------------------------------------------ where


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


def check_output(output: str) -> None:
    """Refuse, before any request is sent, an --output whose folder is
    missing or not writable (the temporary file goes there). A folder as
    --output is click's to refuse (``dir_okay=False``)."""
    if output in STREAMS or not replaceable(output):
        return
    folder = os.path.dirname(os.path.realpath(output))
    if not os.path.isdir(folder):
        raise UsageError(f"--output {output}: no such folder {folder}")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"--output {output}: cannot write in {folder} (permission denied)")


def choose_format(fmt: str | None, output: str | None, terminal: bool) -> str:
    """The format of the records: ``fmt`` (``--format``) when given; for a
    file, the one its extension names (an unknown or missing extension is a
    :class:`UsageError`); else ``table`` for a terminal (``terminal``: stdout
    is one and there is no --output), ``jsonl`` for anything else."""
    if fmt is not None:
        return fmt
    if output is None or output in STREAMS or not replaceable(output):
        return "table" if output is None and terminal else "jsonl"
    ext = os.path.splitext(output)[1].lower()
    found = EXTENSIONS.get(ext)
    if found is None:
        known = ", ".join(EXTENSIONS)
        what = f"its extension {ext!r}" if ext else "a name without an extension"
        raise UsageError(
            f"--output {output}: cannot tell the format from {what}; give --format "
            f"({'|'.join(FORMATS)}) or name the file {known}"
        )
    return found


def check_binary(fmt: str, output: str | None, terminal: bool) -> None:
    """Refuse, before any request, to write a binary format (Parquet,
    Arrow) to a terminal; without pyarrow, name the extra to install."""
    from .writers import BINARY_FORMATS

    if fmt not in BINARY_FORMATS:
        return
    from .arrow import require

    require(f"the {fmt} format")
    if output is None and terminal:
        raise UsageError(
            f"{fmt} is a binary format, not for a terminal: write it to a file "
            f"(-o FILE.{'parquet' if fmt == 'parquet' else 'arrow'}) or redirect standard output"
        )


def csv_header(schema: Any, exclude: Sequence[str] | None = ()) -> list[str]:
    """The header of a CSV without --columns (:func:`cqlang.writers.csv_columns`)."""
    from .writers import csv_columns

    return csv_columns(schema, exclude)


# ---------------------------------------------------------------- writing


def emit(
    records: Iterable[dict[str, Any]],
    fmt: str,
    output: str | None,
    **options: Any,
) -> Writer:
    """Write the records to stdout, or to ``output``: a regular file (or a
    symbolic link to one) through a temporary file beside it, renamed over
    it only once everything is written; a standard stream, a device or a
    pipe directly, since it cannot be replaced. Returns the writer (its
    ``count`` and ``notes()``). ``options`` go to
    :func:`cqlang.writers.make_writer` (``columns``, ``schema``,
    ``exclude``, ``metadata``). Failing to write raises OutputError (exit
    74), naming ``output`` as given."""
    from .writers import BINARY_FORMATS

    binary = fmt in BINARY_FORMATS
    stream = STREAMS.get(output or "-")
    if output is None or stream is not None:
        out = sys.stderr if stream == 2 else sys.stdout
        if out is None:  # started with it closed (`>&-`)
            raise OutputError("cannot write the output: the stream is closed")
        # A failing write here (a full disk) is the command's to report, as
        # for every command that prints.
        if binary:
            out.flush()
            target = out.buffer
            writer = _write(records, fmt, target, False, options)
            target.flush()
            return writer
        width = _width(out.isatty())
        writer = _write(records, fmt, out, out.isatty(), {"width": width, **options})
        out.flush()
        return writer
    try:
        if not replaceable(output):
            mode = "wb" if binary else "w"
            kw: dict[str, Any] = {} if binary else {"encoding": "utf-8", "newline": ""}
            with open(output, mode, **kw) as direct:
                return _write(records, fmt, direct, False, options)
        return _replace(records, fmt, os.path.realpath(output), options)  # a link stays a link
    except OSError as exc:
        raise OutputError(f"--output {output}: {exc.strerror}") from None


def _width(tty: bool) -> int:
    import shutil

    return shutil.get_terminal_size().columns if tty else 200


def _write(
    records: Iterable[dict[str, Any]], fmt: str, out: Any, tty: bool, options: dict[str, Any]
) -> Writer:
    from .writers import make_writer, write_all

    writer = make_writer(fmt, out, **options)
    write_all(records, writer)
    return writer


def _replace(
    records: Iterable[dict[str, Any]], fmt: str, target: str, options: dict[str, Any]
) -> Writer:
    """Write the records to a temporary file beside ``target`` and rename it
    over ``target``; on any failure or signal the temporary file goes."""
    import signal
    import tempfile

    from .writers import BINARY_FORMATS

    folder, name = os.path.split(target)
    remove_stale(target)
    lead = f".{name}{_TMP_TAG}{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=lead, suffix=_TMP_SUFFIX)

    def terminated(signum: int, frame: Any) -> None:
        sys.exit(128 + signum)  # unwinds through the cleanup below

    # SIGTERM (kill), SIGHUP (the terminal closed) and SIGQUIT (Ctrl-\) end
    # the run as Ctrl-C does: the temporary file goes.
    wanted = ("SIGTERM", "SIGHUP", "SIGQUIT")
    signals = [getattr(signal, s) for s in wanted if hasattr(signal, s)]
    previous = {s: signal.signal(s, terminated) for s in signals}
    binary = fmt in BINARY_FORMATS
    # Parquet and Arrow spool their row groups beside the target, under
    # names remove_stale knows.
    options = {**options, "spool_dir": folder, "spool_prefix": lead + "spool-"}
    try:
        if binary:
            with open(fd, "wb") as bout:
                writer = _write(records, fmt, bout, False, options)
        else:
            with open(fd, "w", encoding="utf-8", newline="") as out:
                writer = _write(records, fmt, out, False, options)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
        return writer
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def remove_stale(target: str) -> list[str]:
    """Remove the temporary files that runs for ``target`` left behind when
    they were killed outright: this user's regular files named after it
    whose writer's pid is no longer alive. Returns the paths removed."""
    folder, name = os.path.split(target)
    lead = f".{name}{_TMP_TAG}"
    removed: list[str] = []
    try:
        names = [n for n in os.listdir(folder or ".") if n.startswith(lead)]
    except OSError:
        return removed
    for entry in names:
        middle = entry[len(lead) :]
        pid_text, dash, rest = middle.partition("-")
        if not (dash and rest.endswith(_TMP_SUFFIX) and pid_text.isascii() and pid_text.isdigit()):
            continue
        pid = int(pid_text)
        if pid == os.getpid() or _alive(pid):
            continue
        path = os.path.join(folder, entry)
        try:
            info = os.lstat(path)
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.geteuid():
                continue
            os.unlink(path)
        except OSError:
            continue
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of another user counts)."""
    if pid <= 0:
        return True  # not a pid this module writes: leave the file alone
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True
    return True


def _file_mode(path: str) -> int:
    """The mode a new file gets (or the existing file's)."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
