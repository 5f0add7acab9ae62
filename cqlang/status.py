"""How a run of ``cqlang`` ends: its exit status (docs/cli.md).

:class:`ExitStatus` names every status the command line, its fast launcher
(cqlang/launch.py) and the REPL end with. :func:`exit_statuses` is the one
table from an exception class to the status it ends a run with (httpie's
``status.py`` is the model): an exception takes the entry of the nearest
class of its MRO in the table. :func:`exit_for` ends a run for an exception
that reached the top: one line on stderr, never a traceback (unless
``$CQLANG_DEBUG`` is set).

Cheap to import (the launcher imports it on every run): ``enum`` comes with
``re``; the error classes are imported when the table is first asked for.
"""

from __future__ import annotations

import errno
import io
import os
import sys
from enum import IntEnum

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import NoReturn

__all__ = [
    "WRITE_ERRORS",
    "ExitStatus",
    "entry",
    "exit_for",
    "exit_status",
    "exit_statuses",
    "fail",
    "failure_text",
    "for_signal",
    "forgiving_stderr",
    "internal_error",
    "quiet_stdout",
]


class ExitStatus(IntEnum):
    """The exit statuses of ``cqlang`` (docs/cli.md lists them)."""

    #: Success (also: a fetch of a query that never matches, with a warning).
    OK = 0
    #: The query is invalid or cannot be compiled as asked.
    INVALID = 1
    #: A usage error: an option, a setting or a config file that cannot work.
    USAGE = 2
    #: The API or the network failed.
    API = 3
    #: An internal error (``EX_SOFTWARE``): a bug, reported in one line.
    INTERNAL = 70
    #: The output could not be written (``EX_IOERR``): a full disk, a closed device.
    IO = 74
    #: Ended by SIGHUP (the terminal closed): 128 + 1.
    SIGHUP = 129
    #: Interrupted: Ctrl-C (SIGINT), 128 + 2.
    INTERRUPTED = 130
    #: Ended by SIGQUIT (Ctrl-\\): 128 + 3.
    SIGQUIT = 131
    #: Ended by SIGTERM (``kill``): 128 + 15.
    SIGTERM = 143


def for_signal(signum: int) -> int:
    """The status of a run a signal ended: 128 + its number, as shells
    report it (an :class:`ExitStatus` for the signals cqlang handles)."""
    status = 128 + int(signum)
    try:
        return ExitStatus(status)
    except ValueError:
        return status


_TABLE: dict[type[BaseException], ExitStatus] | None = None


def exit_statuses() -> dict[type[BaseException], ExitStatus]:
    """The one table: exception class -> the status a run it ends exits
    with. A ``CqlError`` not otherwise listed is a query's mistake
    (INVALID: the command line draws its diagnostics with carets);
    docs/errors.md lists the table (tests/test_status.py keeps them in
    step)."""
    global _TABLE
    if _TABLE is None:
        from . import errors as e

        _TABLE = {
            e.CqlError: ExitStatus.INVALID,
            e.QueryExistsError: ExitStatus.INVALID,
            e.UnknownQueryError: ExitStatus.INVALID,
            e.SettingError: ExitStatus.USAGE,
            e.ConfigError: ExitStatus.USAGE,
            e.QueryFileError: ExitStatus.USAGE,
            e.MissingExtra: ExitStatus.USAGE,
            e.ApiError: ExitStatus.API,
            e.OutputError: ExitStatus.IO,
            BrokenPipeError: ExitStatus.OK,  # the reader went away: not an error
            KeyboardInterrupt: ExitStatus.INTERRUPTED,
        }
    return _TABLE


def entry(
    exc: BaseException | type[BaseException],
) -> tuple[type[BaseException], ExitStatus] | None:
    """The table's entry that applies to an exception or an exception
    class (its nearest class in the table), or ``None``."""
    table = exit_statuses()
    for cls in (exc if isinstance(exc, type) else type(exc)).__mro__:
        status = table.get(cls)
        if status is not None:
            return cls, status
    return None


#: What writing to stdout fails with when the fault is where it goes.
WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO, errno.EBADF})


def _write_failed(exc: BaseException) -> bool:
    return isinstance(exc, OSError) and exc.filename is None and exc.errno in WRITE_ERRORS


def exit_status(exc: BaseException) -> ExitStatus:
    """The status a run that ``exc`` ends exits with: the table's, else IO
    for a failure to write the output (a full disk under stdout), else
    INTERNAL."""
    found = entry(exc)
    if found is not None:
        return found[1]
    if _named_path(exc):  # a file the user named cannot be used: not a bug
        return ExitStatus.IO if getattr(exc, "errno", None) in WRITE_ERRORS else ExitStatus.USAGE
    return ExitStatus.IO if _write_failed(exc) else ExitStatus.INTERNAL


def _named_path(exc: BaseException) -> bool:
    """An OSError about a path (a name too long, no permission, a folder
    where a file should be): the commands word their own, and any that
    reaches the top is still the user's file, not cqlang's bug."""
    return isinstance(exc, OSError) and exc.filename is not None


def fail(message: str, code: int = ExitStatus.USAGE) -> NoReturn:
    """Print ``cqlang: message`` on stderr and exit with ``code``. What the
    message quotes from outside (a file name, an API's words) is drawn
    visible (:func:`cqlang.visible.visible`)."""
    if sys.stderr is not None:
        from .visible import visible

        try:
            sys.stderr.write(f"cqlang: {visible(message, lines=True)}\n")
            sys.stderr.flush()
        except (OSError, ValueError):  # stderr cannot be written: the status still says it
            pass
    sys.exit(code)


class _Dropping(io.FileIO):
    """Standard error that drops what cannot be written (a full disk, a
    device that refuses it, a closed pipe) instead of raising: from the
    first failure on, everything written is dropped."""

    lost = False

    def write(self, b: object) -> int:
        data = bytes(b)  # type: ignore[call-overload]  # a bytes-like object
        if not self.lost:
            try:
                done = 0
                while done < len(data):
                    n = super().write(data[done:])
                    if not n:  # would block: not to be waited for
                        break
                    done += n
            except OSError:
                self.lost = True
        return len(data)


def forgiving_stderr() -> None:
    """Make ``sys.stderr`` drop what it cannot write rather than raise:
    a message that cannot be shown (``2>`` a full disk) must not change
    how a run ends (a fetch whose records were written exits 0; docs/cli.md,
    "Exit status"). Done once, by the console script; nothing for a
    stream with no file descriptor (a test runner's)."""
    err = sys.stderr
    if err is None or isinstance(getattr(err, "buffer", None), _Dropping):
        return
    try:
        fd = err.fileno()
        err.flush()
        raw = _Dropping(fd, "w", closefd=False)
    except (OSError, ValueError, AttributeError):
        return
    sys.stderr = io.TextIOWrapper(
        raw,  # a raw stream under the text, as Python's own stderr
        encoding=err.encoding,
        errors=err.errors,
        line_buffering=bool(getattr(err, "line_buffering", False)),
        write_through=True,
    )


def quiet_stdout() -> None:
    """Point stdout at /dev/null, so that the interpreter's last flush of
    what could not be written does not fail a second time at exit."""
    if sys.stdout is None:
        return
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def failure_text(exc: BaseException) -> str | None:
    """The one line (after ``cqlang: ``) that an exception no command
    handled is reported with, as :func:`exit_for` prints it and the REPL
    shows it; ``None`` for the quiet ends (Ctrl-C, a reader that went
    away). A bug is ``internal error: ...``, its traceback left to
    :func:`exit_for` (``$CQLANG_DEBUG``)."""
    status = exit_status(exc)
    if isinstance(exc, (KeyboardInterrupt, BrokenPipeError)):
        return None
    if status == ExitStatus.IO and entry(exc) is None:  # printing failed
        return f"cannot write the output: {getattr(exc, 'strerror', exc)}"
    if _named_path(exc):
        assert isinstance(exc, OSError)
        from .errors import display_path

        try:
            where = display_path(str(exc.filename))
        except OSError:  # no working directory
            where = str(exc.filename)
        return f"{where}: {exc.strerror or exc}"
    if status != ExitStatus.INTERNAL:
        return str(exc)
    return internal_error(exc, hint=True)


def internal_error(exc: BaseException, *, hint: bool) -> str:
    """A bug in one line: ``internal error: KeyError: 'x'``, with (``hint``)
    how to see its traceback."""
    more = " (set CQLANG_DEBUG=1 for details)" if hint else ""
    return f"internal error: {type(exc).__name__}: {exc}{more}"


def exit_for(exc: BaseException) -> NoReturn:
    """End the run for an exception no command handled: its one-line
    message (:func:`failure_text`) and its status (:func:`exit_status`);
    quietly for Ctrl-C and a reader that went away; a bug is one line too
    (its traceback only with ``$CQLANG_DEBUG`` set)."""
    status = exit_status(exc)
    text = failure_text(exc)
    if text is None:
        if isinstance(exc, BrokenPipeError):
            quiet_stdout()
        sys.exit(status)
    if status == ExitStatus.IO and entry(exc) is None:
        quiet_stdout()
    if status == ExitStatus.INTERNAL and os.environ.get("CQLANG_DEBUG"):
        raise exc
    fail(text, status)
