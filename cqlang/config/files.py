"""Reading one config file: its bytes within limits, its TOML, its cqlang
table checked (:mod:`.validate`) and every mistake placed at
``FILE:LINE:COL`` (:mod:`.tomlscan`), and a readable ``api_key`` refused.

Reading uses :mod:`tomllib`, imported only when a file is read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..diagnostics import line_col, not_utf8
from ..errors import (
    ConfigError,
    ConfigProblem,
    InsecureConfigError,
    SkippedFile,
    UntrustedConfigError,
)
from ..errors import display_path as display_path
from ..queryfile import not_a_file
from .discovery import DISCOVERED, ORIGIN_OPTION, ORIGIN_USER, is_user_file, untrusted
from .locate import MAX_CONFIG_BYTES as MAX_CONFIG_BYTES
from .locate import PYPROJECT_FILE
from .model import CqlangTable

if TYPE_CHECKING:
    from .model import QueryTable
    from .tomlscan import Layout, Located
    from .validate import Problem

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_CONFIG_DEPTH",
    "ConfigFile",
    "check_text",
    "display_path",
    "layout_of",
    "masked_text",
    "origin_of",
    "read_file",
    "read_found",
    "toml_problem",
    "where_in",
]

#: The deepest nesting of tables and arrays a config file may have.
MAX_CONFIG_DEPTH = 32


#: The table of a file that sets nothing (or could not be read).
_NOTHING = CqlangTable()


@dataclass(frozen=True, eq=False)
class ConfigFile:
    """One config file read: where, why, its text and its cqlang table
    checked (``table``, the typed model of :mod:`.model`). ``prefix`` is
    the table that holds cqlang's keys in the file (``("tool", "cqlang")``
    in a pyproject.toml). The repr leaves the text out (it may hold the
    key)."""

    path: Path
    origin: str
    #: Left out of the repr: it may hold an ``api_key`` (a diagnostic shows
    #: :attr:`shown_text`, the same with every key masked).
    text: str = field(repr=False)
    table: CqlangTable = _NOTHING
    prefix: tuple[str, ...] = ()

    @property
    def queries(self) -> Mapping[str, QueryTable]:
        """The file's named queries (those without a mistake), by name."""
        return self.table.queries

    @cached_property
    def layout(self) -> Layout:
        """Where each key, value and string of the text is written."""
        return layout_of(self.text)

    def locate(self, *path: str) -> Located | None:
        """Where the string at ``path`` (below the cqlang table) is written."""
        return self.layout.strings.get((*self.prefix, *path))

    @cached_property
    def shown_text(self) -> str:
        """The text as a diagnostic may show its lines: every ``api_key``
        masked (see :func:`masked_text`)."""
        return masked_text(self.text, self.prefix, self.layout)

    def display(self) -> str:
        return display_path(self.path)


def masked_text(text: str, prefix: tuple[str, ...] = (), layout: Layout | None = None) -> str:
    """A config file's ``text`` with the characters of every ``api_key``
    value of its cqlang table (``prefix``: ``("tool", "cqlang")`` in a
    pyproject.toml) replaced by ``*``, line breaks kept: what a caret
    drawn under a query on the same line may show. Lines and columns are
    those of ``text``, so the caret stays where it was."""
    layout = layout if layout is not None else layout_of(text)
    spans = [
        (at.offsets[0], at.offsets[-1])
        for path, at in layout.strings.items()
        if path[-1:] == ("api_key",) and path[: len(prefix)] == prefix and at.offsets
    ]
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            if chars[i] != "\n":
                chars[i] = "*"
    return "".join(chars)


def read_config_bytes(path: Path, origin: str = ORIGIN_OPTION) -> tuple[bytes, os.stat_result]:
    """The file's bytes (at most MAX_CONFIG_BYTES) and its status, taken
    from the file opened (so that the file checked is the file read). Every
    path that reads a config file reads it here (loading it, and editing it
    with ``queries save`` and ``rm``): a folder, a pipe, a device that gives
    more than MAX_CONFIG_BYTES (``/dev/zero``; ``/dev/null`` is an empty
    file), a file over MAX_CONFIG_BYTES or any :class:`OSError` (a name too
    long, no permission, a name that no file can have) is a
    :class:`ConfigError` naming the file; a missing file is one too, with
    the message "no such config file". Each is marked ``unreadable`` (its
    :class:`~cqlang.errors.ConfigProblem`); a file not trusted is not."""
    import stat

    # O_NONBLOCK: a pipe is not waited on (it is refused below); a device such
    # as /dev/zero never ends, so at most MAX_CONFIG_BYTES are read (/dev/null
    # is an empty config).
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ConfigError("no such config file", path, unreadable=True) from None
    except IsADirectoryError:
        raise ConfigError(not_a_file("config file"), path, unreadable=True) from None
    except OSError as exc:
        raise ConfigError(f"cannot read it: {exc.strerror}", path, unreadable=True) from None
    except ValueError:  # a NUL, or a lone surrogate (no bytes for it): from Python only
        raise ConfigError(
            "cannot be a file name: it holds a NUL or a lone surrogate", path, unreadable=True
        ) from None
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):  # os.open takes a folder; open() of its fd would raise
        os.close(fd)
        raise ConfigError(not_a_file("config file"), path, unreadable=True)
    with open(fd, "rb", closefd=True) as fh:
        if stat.S_ISFIFO(st.st_mode):
            raise ConfigError("is a pipe, not a config file", path, unreadable=True)
        if origin in DISCOVERED:
            reason = untrusted(st)
            if reason is not None:
                raise UntrustedConfigError(path, origin, reason)
        try:
            content = fh.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read it: {exc.strerror}", path, unreadable=True) from None
    if len(content) > MAX_CONFIG_BYTES:
        if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):  # /dev/zero: no size to speak of
            raise ConfigError(not_a_file("config file", "a device"), path, unreadable=True)
        limit = MAX_CONFIG_BYTES // 2**20
        raise ConfigError(f"larger than {limit} MiB: not a config file", path, unreadable=True)
    return content, st


def read_file(path: Path, origin: str = ORIGIN_OPTION) -> ConfigFile:
    """Read and validate one config file: a :class:`ConfigError` lists every
    mistake found in it, each at its place. A discovered file that is not
    trusted raises :class:`UntrustedConfigError`."""
    content, st = read_config_bytes(path, origin)
    try:
        # Newlines read as text mode would (\r\n and \r as \n); a byte
        # order mark (as some Windows editors write) is no text.
        text = content.decode("utf-8").removeprefix("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError as exc:
        message, line, column = not_utf8(content, exc)
        raise ConfigError(message, path, line=line, column=column, unreadable=True) from None
    file, problems = check_text(text, path, origin)
    if problems:
        raise ConfigError.of(problems)
    _check_secret(path, file.table, file.prefix, st)
    return file


def check_text(
    text: str, path: Path | str, origin: str = ORIGIN_OPTION
) -> tuple[ConfigFile, list[ConfigProblem]]:
    """A config file's ``text`` read as far as it goes: a ConfigFile holding
    every table without a mistake (a mistake drops only the named query,
    profile or table it is in), and every mistake, each at its place. What
    :func:`read_file` reads a file with; the language server reads the
    unsaved text of an editor with it (file permissions are not looked at:
    the text need not be on disk)."""
    import tomllib

    from . import tomlread
    from .validate import Problem, validate

    path = Path(path)
    prefix: tuple[str, ...] = ("tool", "cqlang") if path.name == PYPROJECT_FILE else ()
    try:
        raw = tomlread.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ConfigFile(path, origin, text, prefix=prefix), [_toml_problem(exc, path, text)]
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        empty = ConfigFile(path, origin, text, prefix=prefix)
        return empty, [ConfigProblem(_TOO_DEEP, path, unreadable=True)]
    from ..encoding import nesting

    if nesting(raw, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH:  # what renders it may recurse too
        empty = ConfigFile(path, origin, text, prefix=prefix)
        return empty, [ConfigProblem(_TOO_DEEP, path, unreadable=True)]
    if prefix:
        tool = raw.get("tool", {})
        raw = tool.get("cqlang", {}) if isinstance(tool, dict) else {}
        if not isinstance(raw, dict):
            problem = Problem("tool.cqlang", "must be a table", ())
            return ConfigFile(path, origin, text, prefix=prefix), _placed(
                [problem], path, text, prefix
            )
    own = origin == ORIGIN_USER or is_user_file(path)
    data, problems = validate(raw, ".".join(prefix), own_file=own)
    return ConfigFile(path, origin, text, data, prefix), _placed(problems, path, text, prefix)


def toml_problem(text: str, path: Path | str) -> ConfigProblem | None:
    """Why ``text`` cannot be read as a config file at all (not TOML, at
    its place; nested too deep), or ``None``: what ``queries save``/``rm``
    and ``fmt`` ask of a file before they edit it, worded as when it is
    loaded."""
    import tomllib

    from . import tomlread

    path = Path(path)
    try:
        raw = tomlread.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return _toml_problem(exc, path, text)
    except RecursionError:
        return ConfigProblem(_TOO_DEEP, path, unreadable=True)
    from ..encoding import nesting

    if nesting(raw, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH:
        return ConfigProblem(_TOO_DEEP, path, unreadable=True)
    return None


def _line_end(text: str, start: int) -> int:
    """Where the line holding ``start`` ends, trailing blanks left out."""
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    while end > start and text[end - 1] in " \t\r":
        end -= 1
    return end


def _toml_problem(exc: Exception, path: Path, text: str) -> ConfigProblem:
    """tomllib's error, at its place: it ends its message with "(at line L,
    column C)" (Python 3.11 has no attributes for them)."""
    message = str(exc)
    at = re.search(r" \(at line (\d+), column (\d+)\)\Z", message)
    if at is None:  # "(at end of document)": placed there, after the last line
        message = re.sub(r" \(at end of document\)\Z", "", message)
        line, column = line_col(text, len(text))
        end = len(text)
        return ConfigProblem(
            f"not valid TOML: {message}",
            path,
            line=line,
            column=column,
            start=end,
            end=end,
            unreadable=True,
        )
    line, column = int(at.group(1)), int(at.group(2))
    starts = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
    offset = min(len(text), starts[min(line, len(starts)) - 1] + column - 1)
    return ConfigProblem(
        f"not valid TOML: {message[: at.start()]}",
        path,
        line=line,
        column=column,
        start=offset,
        end=_line_end(text, offset),
        unreadable=True,
    )


def _placed(
    problems: Sequence[Problem], path: Path, text: str, prefix: tuple[str, ...]
) -> list[ConfigProblem]:
    """Every problem at its place in the file's text (the value's for a bad
    value, the key's for a bad key; else the nearest key written above it)."""
    layout = layout_of(text)
    placed: list[ConfigProblem] = []
    for p in problems:
        full = (*prefix, *p.keys)
        offset = layout.values.get(full) if p.at_value else None
        probe = full
        while offset is None and probe:
            offset = layout.keys.get(probe)
            probe = probe[:-1]
        if offset is None:
            placed.append(ConfigProblem(p.message, path, p.where or None))
            continue
        line, col = line_col(text, offset)
        end = _line_end(text, offset)
        placed.append(ConfigProblem(p.message, path, p.where or None, line, col, offset, end))
    placed.sort(key=lambda p: (p.line or 0, p.column or 0))
    return placed


_TOO_DEEP = f"tables and arrays nested more than {MAX_CONFIG_DEPTH} deep: not a config file"


def _check_secret(
    path: Path, table: CqlangTable, prefix: tuple[str, ...], st: os.stat_result
) -> None:
    holders = ["connection"] if table.connection.api_key is not None else []
    holders += [
        f"profiles.{name}" for name, p in table.profiles.items() if p.settings.api_key is not None
    ]
    if not holders or os.name != "posix":
        return
    mode = st.st_mode & 0o777
    if mode & 0o077:
        raise InsecureConfigError(
            f"it holds an api_key (under [{'.'.join((*prefix, holders[0]))}]) but others "
            f"than its owner can read it (mode {mode:o}); fix it with: chmod 600 {path}  (or "
            "keep the key in an environment variable and name it with api_key_env)",
            path,
        )


def read_found(found: Sequence[tuple[Path, str]]) -> tuple[list[ConfigFile], list[SkippedFile]]:
    """Read the files :func:`~.discovery.discover` found (path, origin): the
    files read, and those skipped because they are not trusted. The
    mistakes of every file are raised together (a :class:`ConfigError`);
    any other error of one file (a key others may read...) at once."""
    files: list[ConfigFile] = []
    skipped: list[SkippedFile] = []
    problems: list[ConfigProblem] = []
    for p, origin in found:
        try:
            files.append(read_file(p, origin))
        except UntrustedConfigError as exc:
            skipped.append(exc.skipped)
        except ConfigError as exc:
            if type(exc) is not ConfigError or len(found) == 1:
                raise
            problems.extend(exc.problems)
    if problems:
        raise ConfigError.of(problems)
    return files, skipped


def origin_of(files: Sequence[ConfigFile], *path: str) -> ConfigFile | None:
    """The first of ``files`` that sets ``path`` (see
    :meth:`~.model.CqlangTable.defines`): the file whose value is in effect."""
    return next((f for f in files if f.table.defines(*path)), None)


def where_in(files: Sequence[ConfigFile], table: tuple[str, ...], key: str) -> str:
    """Where the value of ``key`` in ``table`` in effect is written:
    ``FILE:LINE [TABLE]``."""
    f = origin_of(files, *table, key)
    if f is None:
        return f"config [{'.'.join(table)}]"
    at = f.layout.keys.get((*f.prefix, *table, key))
    line = f":{line_col(f.text, at)[0]}" if at is not None else ""
    return f"{f.display()}{line} [{'.'.join(table)}]"


def layout_of(text: str) -> Layout:
    """Where each string and statement of a config file's text is written."""
    from .tomlscan import scan

    return scan(text)
