"""A regular file written whole or not at all.

The records go to a hidden temporary file beside the target, renamed over
it only once everything is written: a failure or a signal (SIGINT, SIGTERM,
SIGHUP, SIGQUIT) leaves no half-written output, and a run a signal ends
exits 128 + its number (143 for SIGTERM: :class:`cqlang.status.ExitStatus`). The temporary
file's name holds the writer's pid (``.NAME.cqlang-PID-RANDOM.tmp``), so
what a run killed outright (SIGKILL) left behind is removed by the next run
for the same target, once no process of that pid is alive.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

__all__ = ["remove_stale", "replace"]

#: What the temporary files of this module are called after the target's name.
_TMP_TAG = ".cqlang-"
_TMP_SUFFIX = ".tmp"

T = TypeVar("T")


def replace(target: str, write: Callable[[IO[Any], dict[str, str]], T], *, binary: bool) -> T:
    """Call ``write(stream, spool)`` with a temporary file beside ``target``
    open for writing (in binary when ``binary``, else UTF-8 text), then
    rename that file over ``target``; on any failure or signal the
    temporary file goes. ``spool`` holds ``spool_dir`` and
    ``spool_prefix``: where a writer may keep files of its own (Parquet's
    row groups), under names :func:`remove_stale` knows. Returns what
    ``write`` returns."""
    import signal
    import tempfile

    folder, name = os.path.split(target)
    remove_stale(target)
    lead = f".{name}{_TMP_TAG}{os.getpid()}-"
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=lead, suffix=_TMP_SUFFIX)

    def terminated(signum: int, frame: Any) -> None:
        # 128 + N, as shells report it (cqlang.status.ExitStatus.SIGTERM...)
        sys.exit(128 + signum)  # unwinds through the cleanup below

    # SIGTERM (kill), SIGHUP (the terminal closed) and SIGQUIT (Ctrl-\) end
    # the run as Ctrl-C does: the temporary file goes.
    wanted = ("SIGTERM", "SIGHUP", "SIGQUIT")
    signals = [getattr(signal, s) for s in wanted if hasattr(signal, s)]
    previous = {s: signal.signal(s, terminated) for s in signals}
    spool = {"spool_dir": folder, "spool_prefix": lead + "spool-"}
    try:
        if binary:
            with open(fd, "wb") as bout:
                result = write(bout, spool)
        else:
            with open(fd, "w", encoding="utf-8", newline="") as out:
                result = write(out, spool)
        os.chmod(tmp, _file_mode(target))
        os.replace(tmp, target)
        return result
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
