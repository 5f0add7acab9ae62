"""Editing a file that others may edit at the same time, without losing
anyone's change or exposing its content on the way.

:func:`locked` holds an exclusive lock for a read-change-replace of a file
(``queries save`` and ``rm``); :func:`replace` gives the file its new
content at once, through a private temporary file beside it. The lock is
taken on a sidecar ``.NAME.lock`` rather than on the file itself: the file
is replaced by a rename, and a lock on the old inode would not stop the
next editor. The sidecar is removed when the lock is released.
"""

from __future__ import annotations

import contextlib
import os
import random
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

#: How long an editor waits for another one to finish, in seconds.
LOCK_TIMEOUT = 10.0


class LockTimeout(Exception):
    """Another process held the lock for longer than the timeout."""


def lock_path(path: Path) -> Path:
    """The sidecar file locked while ``path`` is edited."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def locked(path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the exclusive lock of ``path`` (the file itself, links resolved)
    while the block runs. Raises :class:`LockTimeout` after ``timeout``
    seconds of waiting, and ``OSError`` when the lock cannot be made (a link
    planted at the sidecar's name is refused, never followed)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        yield
        return
    lock = lock_path(path)
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    deadline = time.monotonic() + timeout
    while True:
        fd = os.open(lock, flags, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(str(lock)) from None
                    time.sleep(random.uniform(0.002, 0.02))
            # The holder before us removes the sidecar as it lets go: a lock
            # on a file no longer at that name locks nothing; start over.
            held = os.fstat(fd)
            try:
                now = os.lstat(lock)
            except FileNotFoundError:
                now = None
        except BaseException:
            os.close(fd)
            raise
        if now is not None and (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino):
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


def replace(path: Path, data: bytes) -> None:
    """Give ``path`` (a real file or a new one, not a link) the content
    ``data`` at once. The content goes to a temporary file that ``mkstemp``
    makes beside it (a fresh name, created exclusively, readable by its
    owner only, so that a link planted there is never followed); it gets the
    original's mode (and owner and group, when the process may set them), or
    for a new file the mode the umask gives, and is then renamed over
    ``path``. An existing file this process may not write (read-only, even
    to root), or may not replace (its folder, or not a regular file at
    all: :func:`cqlang.output.atomic.unreplaceable`), is refused with
    :class:`~cqlang.output.atomic.ReadOnlyFileError` before anything is
    written. On failure the temporary file is removed and ``path`` is left
    as it was."""
    from ..output.atomic import adopt, refuse_unreplaceable

    refuse_unreplaceable(path)
    try:
        before: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        before = None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with open(fd, "wb", closefd=True) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fd)
            adopt(fd, before)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # the rename itself survives a crash
        dirfd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dirfd)
        finally:
            os.close(dirfd)
