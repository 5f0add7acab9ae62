"""Running a piece of a test as a user who may not write a folder.

As root (who may write anywhere) the work runs in a forked child process
of the user nobody, and the folder stays root's; as anyone else the folder
is made read-only (0555) for the time of the work. The work returns text,
which comes back through a pipe from the child."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

NOBODY = 65534


def as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def as_nobody(work: Callable[[], str]) -> str:
    """What ``work`` returns, run in a child process of the user nobody
    (the caller is root)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: nobody
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            try:
                shown = work()
            except BaseException:  # shown to the test, which then fails
                import traceback

                shown = "the child failed:\n" + traceback.format_exc()
            os.write(write, shown.encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        shown = pipe.read().decode()
    os.waitpid(pid, 0)
    return shown


def in_closed_folder(folder: Path, work: Callable[[], str]) -> str:
    """What ``work`` returns when run by someone who may read ``folder`` but
    not write in it (nobody, as root; else with the folder made 0555)."""
    if as_root():
        os.chmod(folder, 0o755)
        return as_nobody(work)
    os.chmod(folder, 0o555)
    try:
        return work()
    finally:
        os.chmod(folder, 0o755)
