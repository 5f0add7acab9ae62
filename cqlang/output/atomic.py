"""A regular file written whole or not at all.

The records go to a hidden temporary file beside the target, renamed over
it only once everything is written: a failure or a signal (SIGINT, SIGTERM,
SIGHUP, SIGQUIT) leaves no half-written output, and a run a signal ends
exits 128 + its number (143 for SIGTERM: :class:`cqlang.status.ExitStatus`). The temporary
file's name holds the writer's pid (``.NAME.cqlang-PID-RANDOM.tmp``), so
what a run killed outright (SIGKILL) left behind is removed by the next run
for the same target, once no process of that pid is alive.

Every file cqlang replaces this way (``fetch -o``, the REPL's ``\\o``, and
through :mod:`cqlang.config.safewrite` ``fmt --write`` and ``queries
save``/``rm``) is first checked by :func:`refuse_unreplaceable`, before any
work is done: a rename needs only the folder's permission, so without it a
read-only file would be replaced as if it were not; and a writable file in
a folder this user may not write cannot be replaced this way at all (it is
refused, never written in place, which could leave it half-written); and
so is anything there that is not a regular file (a device, a pipe, a
folder: :func:`kind_of`), which the rename would turn into one. The
new file then gets the old one's mode, owner and group (:func:`adopt`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
from collections.abc import Callable
from typing import IO, Any, TypeVar

__all__ = [
    "ReadOnlyFileError",
    "adopt",
    "kind_of",
    "new_file_mode",
    "refuse_unreplaceable",
    "remove_stale",
    "replace",
    "unreplaceable",
    "unwritable",
]

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
    refuse_unreplaceable(target)
    before = _stat(target)
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
        adopt(tmp, before)
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


class ReadOnlyFileError(PermissionError):
    """A file that cqlang must not or cannot replace (:func:`unreplaceable`):
    ``strerror`` says why, ``filename`` names it."""


def unwritable(path: str | os.PathLike[str]) -> str | None:
    """Why the existing file at ``path`` must not be written, or ``None``
    (no such file yet, or one this process may write). A regular file with
    no write permission bit at all is read-only for everyone, root included
    (root may write anything, so only the bits say what its owner meant; vim
    decides ``:w`` the same way); otherwise, and for a device or a pipe,
    access(2) with the effective user and groups decides."""
    try:
        info = os.stat(path)
    except OSError:
        return None  # a new file, or one the write itself will fail on
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISREG(info.st_mode) and not mode & 0o222:
        return f"the file is read-only (mode {mode:04o})"
    effective = os.access in os.supports_effective_ids
    if not os.access(path, os.W_OK, effective_ids=effective):
        return f"the file is not writable by this user (mode {mode:04o})"
    return None


def unreplaceable(path: str | os.PathLike[str]) -> str | None:
    """Why the file at ``path`` (a real file, links resolved, or a new one)
    cannot be given new content by renaming a file over it, or ``None``:
    what :func:`unwritable` says; its folder missing; a folder this process
    may not write, even when the file itself is writable (the new file is
    made there); or, in a folder with the sticky bit (``/tmp``), a file of
    another user, which only its owner (or the folder's) may replace. So
    that it is known before any work is done: after a fetch, it would lose
    the records. Anything there that is not a regular file (a device such
    as ``/dev/null``, a pipe, a folder, a socket) is refused too: renaming
    a file over it would put a regular file in its place."""
    info = _stat(path)
    if info is not None and not stat.S_ISREG(info.st_mode):
        return (
            f"it is {kind_of(info.st_mode)}, not a regular file, and cqlang replaces a file "
            "by renaming a new one over it"
        )
    reason = unwritable(path)
    if reason is not None:
        return reason
    folder = os.path.dirname(os.path.abspath(path))
    try:
        where = os.stat(folder)
    except OSError:
        where = None
    if where is None or not stat.S_ISDIR(where.st_mode):
        return f"no such folder {folder}"
    effective = os.access in os.supports_effective_ids
    if not os.access(folder, os.W_OK | os.X_OK, effective_ids=effective):
        return (
            f"cannot write in {folder} (permission denied): cqlang writes a new file there "
            "and renames it into place, so that no half-written file is ever left"
        )
    mine = os.geteuid() if hasattr(os, "geteuid") else None
    if mine and where.st_mode & stat.S_ISVTX and where.st_uid != mine:
        owner = _stat(path)
        if owner is not None and owner.st_uid != mine:
            return (
                f"the file belongs to another user, and only its owner may replace it in "
                f"{folder} (a folder with the sticky bit)"
            )
    return None


def kind_of(mode: int) -> str:
    """What a file of mode ``mode`` is, in words ("a named pipe")."""
    kinds = (
        (stat.S_ISREG, "a regular file"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    )
    return next((words for test, words in kinds if test(mode)), "a special file")


def refuse_unreplaceable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`ReadOnlyFileError` when :func:`unreplaceable` says so."""
    reason = unreplaceable(path)
    if reason is not None:
        raise ReadOnlyFileError(errno.EACCES, reason, os.fspath(path))


def _stat(path: str | os.PathLike[str]) -> os.stat_result | None:
    try:
        return os.stat(path)
    except OSError:
        return None


def adopt(fd_or_path: int | str, before: os.stat_result | None) -> None:
    """Give the new file (an open descriptor, or a path) what the file it
    replaces had: its owner and group (as far as this process may set
    them: root may, a user may give it a group of their own) and its mode;
    a new file (``before`` ``None``) the mode the umask gives."""
    if os.name != "posix":  # pragma: no cover - no modes to carry
        return
    if before is None:
        mode = new_file_mode()
    else:
        mode = stat.S_IMODE(before.st_mode)
        if (before.st_uid, before.st_gid) != (os.geteuid(), os.getegid()):
            with contextlib.suppress(OSError):  # as far as we may
                if isinstance(fd_or_path, int):
                    os.fchown(fd_or_path, before.st_uid, before.st_gid)
                else:
                    os.chown(fd_or_path, before.st_uid, before.st_gid, follow_symlinks=False)
    if isinstance(fd_or_path, int):
        os.fchmod(fd_or_path, mode)
    else:
        os.chmod(fd_or_path, mode)


def new_file_mode() -> int:
    """The mode a new file gets: 0666 less the umask."""
    return 0o666 & ~_umask()


def _umask() -> int:
    """The process's umask, read without changing it where Linux tells it
    (changing it, even for a moment, would race with other threads)."""
    with (
        contextlib.suppress(OSError, ValueError),
        open("/proc/self/status", encoding="ascii") as fh,
    ):
        for line in fh:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # pragma: no cover - not Linux
    os.umask(mask)  # pragma: no cover
    return mask  # pragma: no cover
