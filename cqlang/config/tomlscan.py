"""Where things are written in a TOML text: each string value's characters'
offsets and each statement's lines.

:mod:`tomllib` says what a file means; this says where, so that a mistake in a
named query is shown with a caret in the config file, and so that saving and
removing a named query edit the text in place (cqlang/config/editing.py). Only those
paths import it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Located:
    """A string value in a TOML file: its decoded value and, for each of its
    characters, the file offset where it is written (plus one past the end)."""

    value: str
    offsets: tuple[int, ...]
    #: Where the whole literal is written, its quotes included.
    span: tuple[int, int] = (0, 0)


@dataclass(frozen=True)
class Statement:
    """A key/value line (``header`` false) or a table header: its full key
    path, and the offsets of its first line's start and past its last line."""

    path: tuple[str, ...]
    start: int
    end: int
    header: bool = False


@dataclass
class Layout:
    """``keys``: where each key path is first written (the offset of its last
    part; ``[a.b]`` writes ``a`` and ``a.b``), ``key_ends``: where that part
    ends (past its closing quote for a quoted key: ``"a \\" b"``, ``'a.b'``);
    ``values``: where each value
    starts (array items are numbered: ``(*path, "0")``), ``value_ends``:
    where it ends (past its closing quote or bracket; a comment after it
    is not part of it)."""

    strings: dict[tuple[str, ...], Located] = field(default_factory=dict)
    statements: list[Statement] = field(default_factory=list)
    keys: dict[tuple[str, ...], int] = field(default_factory=dict)
    key_ends: dict[tuple[str, ...], int] = field(default_factory=dict)
    values: dict[tuple[str, ...], int] = field(default_factory=dict)
    value_ends: dict[tuple[str, ...], int] = field(default_factory=dict)


class _ScanError(Exception):
    pass


_ESCAPES = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
    "e": "\x1b",
}
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class _Scanner:
    """Just enough of a TOML reader to know where things are written (the
    file is valid: tomllib read it first)."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.i = 0
        self.n = len(text)
        self.out = Layout()

    def peek(self, s: str) -> bool:
        return self.t.startswith(s, self.i)

    def blanks(self) -> None:
        while self.i < self.n and self.t[self.i] in " \t":
            self.i += 1

    def trivia(self) -> None:
        """Blanks, newlines and comments."""
        while self.i < self.n:
            c = self.t[self.i]
            if c in " \t\r\n":
                self.i += 1
            elif c == "#":
                self.to_eol()
            else:
                break

    def to_eol(self) -> None:
        j = self.t.find("\n", self.i)
        self.i = self.n if j < 0 else j

    def end_of_line(self) -> int:
        """Past the rest of the line (blanks, a comment, the newline)."""
        self.blanks()
        if self.peek("#"):
            self.to_eol()
        if self.peek("\r"):
            self.i += 1
        if self.peek("\n"):
            self.i += 1
        return self.i

    def line_start(self, pos: int) -> int:
        return self.t.rfind("\n", 0, pos) + 1

    def scan(self) -> Layout:
        table: tuple[str, ...] = ()
        while True:
            self.trivia()
            if self.i >= self.n:
                break
            start = self.line_start(self.i)
            if self.peek("["):
                array = self.peek("[[")
                self.i += 2 if array else 1
                self.blanks()
                table = self.keys(())
                self.blanks()
                close = "]]" if array else "]"
                if not self.peek(close):
                    raise _ScanError
                self.i += len(close)
                self.out.statements.append(Statement(table, start, self.end_of_line(), True))
            else:
                path = self.keys(table)
                self.blanks()
                if not self.peek("="):
                    raise _ScanError
                self.i += 1
                self.blanks()
                self.value(path)
                self.out.statements.append(Statement(path, start, self.end_of_line()))
        return self.out

    def keys(self, base: tuple[str, ...]) -> tuple[str, ...]:
        """A dotted key below ``base``: the full path (each part's place noted)."""
        path = base
        while True:
            at = self.i
            path = (*path, self.key())
            if path not in self.out.keys:
                self.out.keys[path] = at
                self.out.key_ends[path] = self.i
            self.blanks()
            if not self.peek("."):
                return path
            self.i += 1
            self.blanks()

    def key(self) -> str:
        if self.peek('"'):
            self.i += 1
            return self.basic(multiline=False).value
        if self.peek("'"):
            self.i += 1
            return self.literal(multiline=False).value
        m = _BARE_KEY.match(self.t, self.i)
        if m is None:
            raise _ScanError
        self.i = m.end()
        return m.group()

    def value(self, path: tuple[str, ...]) -> None:
        self.out.values.setdefault(path, self.i)
        self._value(path)
        self.out.value_ends.setdefault(path, self.i)

    def _value(self, path: tuple[str, ...]) -> None:
        t = self.t
        start = self.i
        found: Located | None = None
        if self.peek('"""'):
            self.i += 3
            found = self.basic(multiline=True)
        elif self.peek('"'):
            self.i += 1
            found = self.basic(multiline=False)
        elif self.peek("'''"):
            self.i += 3
            found = self.literal(multiline=True)
        elif self.peek("'"):
            self.i += 1
            found = self.literal(multiline=False)
        if found is not None:
            self.out.strings[path] = Located(found.value, found.offsets, (start, self.i))
        elif self.peek("["):
            self.i += 1
            index = 0
            while True:
                self.trivia()
                if self.peek("]"):
                    self.i += 1
                    return
                self.value((*path, str(index)))
                self.trivia()
                if self.peek(","):
                    self.i += 1
                    index += 1
        elif self.peek("{"):
            self.i += 1
            self.blanks()
            if self.peek("}"):
                self.i += 1
                return
            while True:
                self.blanks()
                keys = self.keys(path)
                self.blanks()
                if not self.peek("="):
                    raise _ScanError
                self.i += 1
                self.blanks()
                self.value(keys)
                self.blanks()
                if self.peek(","):
                    self.i += 1
                elif self.peek("}"):
                    self.i += 1
                    return
                else:
                    raise _ScanError
        else:  # a number, a boolean, a date or time (which may hold a space)
            j = self.i
            while j < self.n and t[j] not in ",]}#\r\n":
                j += 1
            if j == self.i:
                raise _ScanError
            self.i = j
            while self.i > 0 and t[self.i - 1] in " \t":
                self.i -= 1

    def _leading_newline(self) -> None:
        if self.peek("\n"):
            self.i += 1
        elif self.peek("\r\n"):
            self.i += 2

    def _closing(self, quote: str, chars: list[str], offs: list[int]) -> bool:
        """At a run of three or more ``quote``: up to two belong to the
        string, the last three close it."""
        j = self.i
        while j < self.n and self.t[j] == quote:
            j += 1
        run = j - self.i
        if run < 3:
            return False
        for k in range(min(run - 3, 2)):
            chars.append(quote)
            offs.append(self.i + k)
        offs.append(self.i + min(run - 3, 2))
        self.i = j
        return True

    def basic(self, *, multiline: bool) -> Located:
        t = self.t
        chars: list[str] = []
        offs: list[int] = []
        if multiline:
            self._leading_newline()
        while True:
            if self.i >= self.n:
                raise _ScanError
            c = t[self.i]
            if c == '"':
                if not multiline:
                    offs.append(self.i)
                    self.i += 1
                    break
                if self._closing('"', chars, offs):
                    break
            if c == "\\":
                nxt = t[self.i + 1 : self.i + 2]
                if multiline and nxt in (" ", "\t", "\r", "\n"):
                    j = self.i + 1
                    while j < self.n and t[j] in " \t\r\n":
                        j += 1
                    self.i = j
                    continue
                if nxt in _ESCAPES:
                    chars.append(_ESCAPES[nxt])
                    offs.append(self.i)
                    self.i += 2
                    continue
                width = {"u": 4, "U": 8, "x": 2}.get(nxt)
                if width is None:
                    raise _ScanError
                chars.append(chr(int(t[self.i + 2 : self.i + 2 + width], 16)))
                offs.append(self.i)
                self.i += 2 + width
                continue
            if c == "\r" and t.startswith("\r\n", self.i):
                self.i += 1
                continue
            chars.append(c)
            offs.append(self.i)
            self.i += 1
        return Located("".join(chars), tuple(offs))

    def literal(self, *, multiline: bool) -> Located:
        t = self.t
        chars: list[str] = []
        offs: list[int] = []
        if multiline:
            self._leading_newline()
        while True:
            if self.i >= self.n:
                raise _ScanError
            c = t[self.i]
            if c == "'":
                if not multiline:
                    offs.append(self.i)
                    self.i += 1
                    break
                if self._closing("'", chars, offs):
                    break
            if c == "\r" and t.startswith("\r\n", self.i):
                self.i += 1
                continue
            chars.append(c)
            offs.append(self.i)
            self.i += 1
        return Located("".join(chars), tuple(offs))


def scan(text: str) -> Layout:
    scanner = _Scanner(text)
    try:
        return scanner.scan()
    except (_ScanError, IndexError, ValueError):
        return scanner.out  # what was found before the surprise
