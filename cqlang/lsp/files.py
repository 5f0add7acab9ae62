"""Files the server reads by itself (a document that is not open, the
``.cql`` files searched for references), so that no file can stall it.

* Only regular files are read: a file is opened without waiting
  (``O_NONBLOCK``: a named pipe with no writer does not block the open) and
  what was opened is looked at (``fstat``) before a byte is read; a pipe, a
  device (``/dev/zero``), a socket or a folder is refused.
* At most the command line's limits are read: a config file 1 MiB
  (:data:`cqlang.config.MAX_CONFIG_BYTES`), a query file 4,000,000 bytes
  (:data:`cqlang.queryfile.MAX_QUERY_FILE_BYTES`; a query is at most
  1,000,000 characters, which the checker says as for any query).
* A search for references reads at most :data:`MAX_BYTES` in all.
* The search for ``.cql`` files is bounded: it looks under one folder (the
  workspace folder holding the document, recursively; a document outside
  every workspace folder: its own folder only, not its subfolders), skips
  hidden folders (``.git``, ``.venv``), ``node_modules``, ``venv`` and
  ``__pycache__``, never follows a symbolic link to a folder (no loops),
  and stops after :data:`MAX_DIRS` folders, :data:`MAX_ENTRIES` entries or
  :data:`MAX_FILES` query files.
"""

from __future__ import annotations

import os
import stat
from collections import deque
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

from ..config import MAX_CONFIG_BYTES
from ..config.fmtfiles import is_config_file
from ..diagnostics import not_utf8
from ..queryfile import MAX_QUERY_FILE_BYTES

#: The most .cql files read for references.
MAX_FILES = 2000
#: The most folders looked into for them.
MAX_DIRS = 5000
#: The most folder entries (files and folders) looked at for them.
MAX_ENTRIES = 100_000
#: The most bytes a search for references reads, all files together.
MAX_BYTES = 64 * 2**20
#: Folders never looked into (besides hidden ones).
SKIPPED = frozenset({"node_modules", "venv", "__pycache__"})


class Unreadable(Exception):
    """A file the server does not read, and why (said to the client)."""


def limit_for(path: Path) -> int:
    """The most bytes read of ``path``: a config file's or a query file's."""
    return MAX_CONFIG_BYTES if is_config_file(path) else MAX_QUERY_FILE_BYTES


def read_text(path: Path, limit: int | None = None) -> str:
    """The UTF-8 text of the regular file ``path``, at most ``limit`` bytes
    (default: :func:`limit_for`); raises :class:`Unreadable` for anything
    else. A byte order mark at its start is dropped, as an editor drops it
    when it opens the file (and as the command line reads a query file):
    the positions of a closed file are then those the editor shows."""
    limit = limit_for(path) if limit is None else limit
    try:  # not even opened unless it is a regular file (opening a device may act)
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise Unreadable(f"{path}: not a regular file")
    except FileNotFoundError:
        raise Unreadable(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise Unreadable(f"{path}: cannot read it: {getattr(exc, 'strerror', exc)}") from None
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise Unreadable(f"{path}: no such file") from None
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read it: {exc.strerror}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise Unreadable(f"{path}: not a regular file")
        if st.st_size > limit:
            raise Unreadable(f"{path}: larger than {limit:,} bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # a file may grow after fstat
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except BlockingIOError:  # a regular file does not block; be sure anyway
        raise Unreadable(f"{path}: cannot read it without waiting") from None
    except OSError as exc:
        raise Unreadable(f"{path}: cannot read it: {exc.strerror}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise Unreadable(f"{path}: larger than {limit:,} bytes")
    data = b"".join(chunks)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        message, line, column = not_utf8(data, exc)
        raise Unreadable(f"{path}:{line}:{column}: {message}") from None


def cql_files(folder: Path, *, recursive: bool) -> Iterator[Path]:
    """The ``.cql`` files under ``folder`` (see the module for the bounds),
    folder by folder, breadth first."""
    todo = deque([folder])
    dirs = files = entries = 0
    while todo and dirs < MAX_DIRS:
        current = todo.popleft()
        dirs += 1
        try:
            with os.scandir(current) as it:
                listed = sorted(islice(it, MAX_ENTRIES - entries + 1), key=lambda e: e.name)
        except OSError:
            continue
        for entry in listed:
            entries += 1
            if entries > MAX_ENTRIES:
                return
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if recursive and not entry.name.startswith(".") and entry.name not in SKIPPED:
                    todo.append(Path(entry.path))
            elif entry.name.endswith(".cql"):
                files += 1
                if files > MAX_FILES:
                    return
                yield Path(entry.path)
