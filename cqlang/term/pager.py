"""The pager of the REPL: output taller than the terminal.

As git does: the command is ``$PAGER`` when set (an empty ``PAGER`` means
no pager), else ``less``, else ``more``; and when ``LESS`` is not set it is
set to ``-SRXF`` for the pager's process: ``-S`` chops long lines (scroll
sideways) instead of wrapping a wide table, ``-R`` lets colours through,
``-X`` leaves the text on the screen when the pager ends, ``-F`` ends at
once when the text fits one screen. A pager that cannot be started, or
that ends early (``q``), is no error.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping

__all__ = ["LESS_DEFAULT", "command", "needed", "page"]

#: What ``LESS`` is when the user has not set it.
LESS_DEFAULT = "-SRXF"


def command(env: Mapping[str, str] | None = None) -> str | None:
    """The pager's command line (for a shell), or ``None`` for none."""
    env = os.environ if env is None else env
    if "PAGER" in env:
        return env["PAGER"].strip() or None
    for name in ("less", "more"):
        if shutil.which(name):
            return name
    return None


def needed(text: str, rows: int) -> bool:
    """Whether ``text`` is taller than a terminal of ``rows`` lines (with
    room for the prompt). Width alone does not call the pager: tables are
    drawn to fit, and ``-F`` would end at once on chopped lines."""
    return text.count("\n") + 1 > rows - 2


def page(text: str, env: Mapping[str, str] | None = None) -> bool:
    """Show ``text`` through the pager; ``False`` when there is none (then
    the caller prints it)."""
    cmd = command(env)
    if cmd is None:
        return False
    child_env = dict(os.environ if env is None else env)
    child_env.setdefault("LESS", LESS_DEFAULT)
    try:
        proc = subprocess.Popen(
            cmd,
            shell=True,
            stdin=subprocess.PIPE,
            env=child_env,
            encoding="utf-8",
            errors="replace",
        )
    except OSError:
        return False
    assert proc.stdin is not None
    try:
        proc.stdin.write(text if text.endswith("\n") else text + "\n")
        proc.stdin.close()
    except (BrokenPipeError, OSError):  # the pager ended before reading it all
        pass
    while True:
        try:
            status = proc.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C is the pager's (less ignores it)
            continue
    return status != 127  # the shell found no such command: print it instead
