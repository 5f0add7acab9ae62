"""The parse tables of an install without generated ones, made once.

A wheel carries its parse tables as a generated module (hatch_build.py
writes ``cqlang/_parse_tables.py``). An editable install (``pip install
-e``, what ``make test`` and ``make demo`` create) has none: the build hook
does not run for it, and the grammar may change after it is installed. It
used to compute the tables from Lark at every start, which made its
``cqlang compile`` about twice as slow to start as the wheel's.

Here they are computed from Lark once and written down as :mod:`marshal`
data (the format of Python's own ``.pyc`` files), in a file named after a
SHA-256 of the grammar, of cqlang/_tablegen.py (which lays the tables out)
and of :data:`FORMAT`: a changed grammar names another file, so a stale
file is never read. The file goes in the package's ``__pycache__`` folder
(beside the ``.pyc`` files, never committed) or, where that cannot be
written, in the user's cache folder (``$XDG_CACHE_HOME/cqlang`` or
``~/.cache/cqlang`` on Linux; platformdirs' cache folder elsewhere).

It is written to a private temporary file and renamed into place, so
processes starting together never read half a file: each writes its own
and the last rename wins, with the same content. A file that cannot be
read, is not marshal data, or does not hold tables of the expected key and
shape is ignored and made again. Nothing here imports Lark, pathlib or
hashlib (OpenSSL) when the file is there.
"""

from __future__ import annotations

import marshal
import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time: it is slow to import
if TYPE_CHECKING:
    from typing import Any

#: Changed when the layout of the cached data changes.
FORMAT = 1
PREFIX = "cqlang-parse-tables-"
SUFFIX = ".marshal"

_HERE = os.path.dirname(os.path.abspath(__file__))


def grammar_file() -> str:
    """The grammar: inside the package (a wheel) or in the source tree."""
    packaged = os.path.join(_HERE, "grammar", "cqlang.lark")
    if os.path.isfile(packaged):
        return packaged
    return os.path.join(os.path.dirname(_HERE), "grammar", "cqlang.lark")


def _sha256(data: bytes) -> str:
    try:  # the interpreter's own SHA-256: importing hashlib loads OpenSSL
        from _sha256 import sha256  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - Python 3.12 renamed it
        try:
            from _sha2 import sha256  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            from hashlib import sha256
    return str(sha256(data).hexdigest())


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def key_of(grammar: bytes) -> str:
    """The cache key of ``grammar``'s tables as this cqlang lays them out."""
    tablegen = _read_bytes(os.path.join(_HERE, "_tablegen.py"))
    return _sha256(b"%d\0%s\0%s" % (FORMAT, grammar, tablegen))


def user_cache_folder() -> str | None:
    """The user's cache folder for cqlang (None when there is no home)."""
    if sys.platform.startswith("linux"):
        base = os.environ.get("XDG_CACHE_HOME", "")
        if not os.path.isabs(base):
            home = os.path.expanduser("~")
            if not os.path.isabs(home):
                return None
            base = os.path.join(home, ".cache")
        return os.path.join(base, "cqlang")
    try:
        import platformdirs

        return str(platformdirs.user_cache_dir("cqlang"))
    except (ImportError, OSError):  # pragma: no cover - no platformdirs; Windows without a home
        return None


def default_folders() -> list[str | None]:
    """Where the file is looked for, and written (the first that can be)."""
    return [os.path.join(_HERE, "__pycache__"), None]  # None: the user's cache folder


def load(folders: list[str | None] | None = None) -> tuple[dict[str, Any], str]:
    """The tables of the grammar (as cqlang/_tablegen.py lays them out) and
    where they came from: ``cache`` (a file made before) or ``lark``
    (computed now, and written to the first folder that takes it)."""
    grammar = _read_bytes(grammar_file())
    key = key_of(grammar)
    name = f"{PREFIX}{key[:32]}{SUFFIX}"
    tried: list[str] = []
    for folder in default_folders() if folders is None else folders:
        where = folder if folder is not None else user_cache_folder()
        if where is None:
            continue
        tried.append(where)
        data = read(os.path.join(where, name), key)
        if data is not None:
            return data, "cache"
    from . import _tablegen

    tables = _tablegen.tables(grammar.decode("utf-8"))
    blob = marshal.dumps({**tables, "KEY": key})
    own = os.path.join(_HERE, "__pycache__")
    for where in tried:
        if write(where, name, blob, prune=where == own):
            break
    return tables, "lark"


def read(path: str, key: str) -> dict[str, Any] | None:
    """The tables in the file at ``path``, or None unless it holds tables of
    ``key`` in the expected shape."""
    try:
        data = marshal.loads(_read_bytes(path))
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if type(data) is not dict or data.pop("KEY", None) != key or not well_formed(data):
        return None
    return data


def well_formed(data: dict[str, Any]) -> bool:
    """Whether ``data`` has the shape of cqlang/_tablegen.py's tables."""
    states, rules = data.get("STATES"), data.get("RULES")
    start, end = data.get("START"), data.get("END")
    if (
        type(states) is not tuple
        or type(rules) is not tuple
        or set(data)
        != {
            "START",
            "END",
            "STATES",
            "RULES",
        }
    ):
        return False
    n = len(states)
    if type(start) is not int or type(end) is not int or not (0 <= start < n and 0 <= end < n):
        return False
    for row in states:
        if type(row) is not dict:
            return False
        for name, act in row.items():
            if type(name) is not str or type(act) is not int:
                return False
            if not (act < n if act >= 0 else ~act < len(rules)):
                return False
    for rule in rules:
        if type(rule) is not tuple or len(rule) != 5:
            return False
        origin, size, callback, expand1, include = rule
        if not (type(origin) is str and type(size) is int and size >= 0):
            return False
        if type(callback) is not str or type(expand1) is not bool:
            return False
        if include is not None and (
            type(include) is not tuple
            or not all(
                type(i) is tuple
                and len(i) == 2
                and type(i[0]) is int
                and 0 <= i[0] < size
                and type(i[1]) is bool
                for i in include
            )
        ):
            return False
    return True


def write(folder: str, name: str, blob: bytes, *, prune: bool = False) -> bool:
    """Put ``blob`` at ``folder/name`` atomically (a private temporary file
    renamed into place); whether it was written. ``prune``: remove the files
    of other keys there (in the package's own folder, where they can only be
    of an earlier grammar; a user's cache folder may serve other checkouts)."""
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(tmp, flags, 0o644)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
        except BaseException:
            os.unlink(tmp)
            raise
        os.replace(tmp, os.path.join(folder, name))
    except OSError:
        return False
    if not prune:
        return True
    try:  # the files of earlier grammars
        for other in os.listdir(folder):
            if other.startswith(PREFIX) and other.endswith(SUFFIX) and other != name:
                os.unlink(os.path.join(folder, other))
    except OSError:
        pass
    return True
