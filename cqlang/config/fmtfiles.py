"""Formatting files: query files (``.cql``) and the named queries of config
files, for ``cqlang fmt --check/--write`` and the language server.

A query file is one query, formatted whole, with one newline at its end. In
a config file (``cqlang.toml``, or ``[tool.cqlang]`` of a ``pyproject.toml``)
only the text of each ``[queries.NAME]`` ``query`` string (or of the short
form ``NAME = "..."`` under ``[queries]``) changes; every other byte stays.
A string whose query changes is written again in the same kind of TOML
string (its quote; multi-line stays multi-line) where the new text allows
it: a query that now takes several lines moves to a multi-line string
(literal ``'''`` where it can be), and a basic string written without a
backslash becomes a literal one rather than gain escapes (docs/cli.md). The
edited text is read back with tomllib before anyone writes it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import api
from ..diagnostics import Diagnostic, line_col
from ..errors import CqlError
from ..formatter import DEFAULT_WIDTH
from ..schema import Schema
from .tomlscan import Located, scan

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "Edit",
    "QueryString",
    "TomlFormatError",
    "format_query_file",
    "format_toml",
    "is_config_file",
    "query_strings",
    "toml_literal",
]


@dataclass(frozen=True)
class Edit:
    """Replace ``text[start:end]`` with ``new``."""

    start: int
    end: int
    new: str


@dataclass(frozen=True)
class QueryString:
    """A named query's string in a config file's text."""

    name: str
    located: Located

    @property
    def span(self) -> tuple[int, int]:
        return self.located.span

    def place(self, diag: Diagnostic, text: str) -> Diagnostic:
        """``diag`` (in the query's text) moved to the file ``text``."""
        offsets = self.located.offsets
        last = len(offsets) - 1
        start = offsets[min(diag.start, last)]
        end = max(start, offsets[min(diag.end, last)])
        line, col = line_col(text, start)
        return Diagnostic(
            diag.code,
            diag.severity,
            diag.message,
            start,
            end,
            line,
            col,
            diag.hint,
            diag.suggestion,
        )


class TomlFormatError(CqlError):
    """A config file whose queries cannot all be formatted: ``diagnostics``
    are placed in the file's text (``text``)."""


def is_config_file(path: str | Path) -> bool:
    """Whether ``path`` is read as a config file (TOML) rather than a query."""
    return Path(path).suffix.lower() == ".toml"


def format_query_file(
    text: str, *, schema: Schema | None = None, width: int = DEFAULT_WIDTH
) -> str:
    """A query file's text formatted, ending with one newline (an empty
    query: an empty file). Raises CqlSyntaxError."""
    out = api.format(text.removeprefix("\ufeff"), schema=schema, width=width)
    return out + "\n" if out else ""


def query_strings(text: str, prefix: tuple[str, ...] = ()) -> list[QueryString]:
    """Where each named query's text is written in a config file's text."""
    head = (*prefix, "queries")
    found: list[QueryString] = []
    for path, located in scan(text).strings.items():
        if path[: len(head)] != head:
            continue
        rest = path[len(head) :]
        if len(rest) == 1 or (len(rest) == 2 and rest[1] == "query"):
            found.append(QueryString(rest[0], located))
    return sorted(found, key=lambda q: q.span)


def prefix_for(path: str | Path) -> tuple[str, ...]:
    """The table of cqlang's keys in a config file of that name."""
    return ("tool", "cqlang") if Path(path).name == "pyproject.toml" else ()


def format_toml(
    text: str,
    *,
    prefix: tuple[str, ...] = (),
    schema: Schema | None = None,
    width: int = DEFAULT_WIDTH,
    only: tuple[int, int] | None = None,
    errors: list[Diagnostic] | None = None,
) -> list[Edit]:
    """The edits that format every named query of a config file's text (or
    those whose string overlaps the offsets ``only``), last first. A query
    that does not parse raises TomlFormatError (no edit is made), or, with
    a list as ``errors``, has its diagnostics (placed in the file) added to
    it and is left as it is."""
    edits: list[Edit] = []
    keep_going = errors is not None
    errors = [] if errors is None else errors
    expected: dict[str, str] = {}
    for q in query_strings(text, prefix):
        start, end = q.span
        if only is not None and (end < only[0] or start > only[1]):
            continue
        try:
            formatted = api.format(q.located.value, schema=schema, width=width)
        except CqlError as exc:
            errors.extend(q.place(d, text) for d in exc.diagnostics)
            continue
        old = text[start:end]
        multi = old.startswith(('"""', "'''"))
        # A query of several lines ends with a newline, so that the closing
        # quotes stand on a line of their own; one that was written so keeps it.
        ends = "\n" in formatted or (multi and q.located.value.endswith("\n"))
        value = formatted + "\n" if ends else formatted
        if value == q.located.value:
            continue
        # The same kind of string as written: its quote, and multi-line
        # stays multi-line (a one-line query then stays between the quotes);
        # but a basic string written without a backslash is not given any.
        new = toml_literal(
            value,
            old[:1],
            multi or "\n" in value,
            inline=multi and not ends,
            avoid_escapes="\\" not in old,
        )
        edits.append(Edit(start, end, new))
        expected[q.name] = value
    if errors and not keep_going:
        raise TomlFormatError(errors[0].message, errors, text)
    edits.sort(key=lambda e: e.start, reverse=True)
    if edits:
        _verify(apply(text, edits), prefix, expected)
    return edits


def apply(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (last first, not overlapping) made."""
    for e in sorted(edits, key=lambda e: e.start, reverse=True):
        text = text[: e.start] + e.new + text[e.end :]
    return text


def toml_literal(
    value: str,
    quote: str = "'",
    multiline: bool = False,
    *,
    inline: bool = False,
    avoid_escapes: bool = False,
) -> str:
    """``value`` as a TOML string: of the kind ``quote`` (``'`` literal, ``"``
    basic) where the value allows, multi-line when asked (the opening
    delimiter then ends its line, unless ``inline``: for a one-line value
    kept in a multi-line string, ``'''state = OPEN'''``). With
    ``avoid_escapes``, a basic string whose value would need a backslash (a
    ``"`` in it, as every string of a formatted query has) is written as
    the literal string of the same form when that holds the value as it is."""
    controls = any((ord(c) < 32 and c not in "\t\n") or ord(c) == 127 for c in value)
    literal_multi = not controls and "'''" not in value and not value.endswith("'")
    literal_one = not controls and "'" not in value and "\n" not in value
    if avoid_escapes and quote == '"' and ("\\" in value or '"' in value):
        quote = "'" if (literal_multi if multiline else literal_one) else quote
    lead = "" if inline and not value.startswith("\n") else "\n"
    if multiline:
        if quote == "'" and literal_multi:
            return "'''" + lead + value + "'''"
        body = _escape(value, keep_newlines=True)
        return '"""' + lead + body + '"""'
    if quote == "'" and literal_one:
        return "'" + value + "'"
    return '"' + _escape(value, keep_newlines=False) + '"'


def _escape(value: str, *, keep_newlines: bool) -> str:
    out: list[str] = []
    for c in value:
        if c == "\\":
            out.append("\\\\")
        elif c == '"':
            out.append('\\"')
        elif c == "\n" and keep_newlines:
            out.append("\n")
        elif c == "\t":
            out.append("\\t")
        elif ord(c) < 32 or ord(c) == 127:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


def _verify(text: str, prefix: tuple[str, ...], expected: Mapping[str, str]) -> None:
    """The edited text must read back with every query as intended."""
    from .tomlread import loads

    node: Any = loads(text)
    for key in (*prefix, "queries"):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    for name, value in expected.items():
        got = node.get(name) if isinstance(node, dict) else None
        if isinstance(got, dict):
            got = got.get("query")
        if got != value:  # pragma: no cover - a bug
            raise AssertionError(f"formatting @{name} would not give its text back")


# --------------------------------------------------------------- the command


@dataclass
class FileResult:
    """What formatting one file found: its text before and after (both with
    ``\\n`` newlines), or why it could not be formatted; ``unreadable``
    when that is because it could not be read at all (missing, a folder,
    not UTF-8, a config file that is not TOML, refused by the system), not
    because of its query; ``unwritable`` when it was formatted but could
    not be replaced (read-only: docs/cli.md). A query
    that does not parse leaves its ``diagnostics`` (data, placed in
    ``shown``: the file's text, its keys masked) for the front end to
    render its own way (``error`` is them drawn plainly)."""

    path: Path
    before: str = ""
    after: str = ""
    error: str | None = None
    unreadable: bool = False
    unwritable: bool = False
    diagnostics: tuple[Diagnostic, ...] = ()
    shown: str = ""
    #: A query file's line breaks are not all of its first break's kind:
    #: written back, they are (docs/cli.md).
    mixed: bool = False

    def fail_with(self, diags: Sequence[Diagnostic], shown: str) -> None:
        from ..diagnostics import render_all

        self.diagnostics = tuple(diags)
        self.shown = shown
        self.error = render_all(diags, shown, source=str(self.path))

    @property
    def changed(self) -> bool:
        return self.error is None and (self.mixed or self.before != self.after)

    def diff(self) -> str:
        import difflib

        name = str(self.path)
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=name,
            tofile=name,
        )
        return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def format_file(
    path: Path, *, write: bool, schema: Schema | None = None, width: int = DEFAULT_WIDTH
) -> FileResult:
    """Format one file (a query file, or a config file's named queries),
    rewriting it in place when ``write`` and it changes. The file is
    replaced at once (a temporary file renamed over it), keeping its line
    endings, mode and owner; one that cannot be formatted, or that is
    read-only (:func:`cqlang.output.atomic.unwritable`), is left as it is."""
    from ..errors import ConfigError
    from ..queryfile import cannot_read
    from .editing import locked_for_edit

    result = FileResult(path)
    try:
        if not path.is_file():
            result.error = _not_a_file(path)
            result.unreadable = True
            return result
        if is_config_file(path):
            if not write:  # nothing is replaced: no lock (a read-only folder will do)
                _format_config(result, Path(os.path.realpath(path)), False, schema, width)
                return result
            # Locked as `queries save` locks it: what is read is what is replaced.
            with contextlib.ExitStack() as stack:
                try:
                    real = stack.enter_context(locked_for_edit(path))
                except ConfigError as exc:  # no lock: nothing could be replaced
                    result.error = str(exc)
                    result.unwritable = True
                    return result
                _format_config(result, real, True, schema, width)
            return result
        newline = _format_text(result, path.read_bytes(), schema=schema, width=width)
        if write and result.changed:
            _write(result, Path(os.path.realpath(path)), newline)
    except ConfigError as exc:
        result.error = str(exc)
    except OSError as exc:
        result.error = cannot_read(path, exc)
        result.unreadable = True
    return result


def is_device(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is a device (``/dev/null``), which a config reads as
    an empty configuration (:func:`cqlang.config.files.read_config_bytes`):
    no file for ``fmt`` to format when it formats the config files read."""
    import stat

    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def _not_a_file(path: Path) -> str:
    """What ``fmt`` says of a FILE it cannot format because it is missing
    or no regular file, in the words every command reading a query or
    config file uses (:func:`cqlang.queryfile.not_a_file`): a directory is
    not a query file (a config file, for a ``.toml``); a named pipe or a
    device is not a regular file, which ``fmt`` reads and rewrites by name."""
    import stat

    from ..output.atomic import kind_of
    from ..queryfile import cannot_read, not_a_file

    try:
        mode = path.stat().st_mode
    except OSError as exc:  # missing, a dangling link, no permission
        return cannot_read(path, exc)
    if stat.S_ISDIR(mode):
        return f"{path}: {not_a_file('config file' if is_config_file(path) else 'query file')}"
    return f"{path}: {not_a_file('regular file', kind_of(mode))}"


def _format_config(
    result: FileResult, real: Path, write: bool, schema: Schema | None, width: int
) -> None:
    """:func:`format_file` for a config file (``real``: a link's target)."""
    from ..errors import ConfigError
    from .editing import read_for_edit
    from .files import masked_text

    try:
        text, newline, prefix = read_for_edit(real, result.path.name)
    except ConfigError as exc:  # not TOML, not UTF-8: not a config file
        result.error = f"cannot read {exc}"
        result.unreadable = True
        return
    result.before = text
    try:
        result.after = apply(text, format_toml(text, prefix=prefix, schema=schema, width=width))
    except TomlFormatError as exc:  # the file's lines, with its keys masked
        result.fail_with(exc.diagnostics, masked_text(text, prefix))
        return
    if write and result.changed:
        _write(result, real, newline)


def _write(result: FileResult, real: Path, newline: str) -> None:
    """Replace the file (``real``: a link's target) with ``result.after``;
    a file that cannot be written (read-only, even to root) is marked
    ``unwritable`` and left as it was."""
    from ..errors import ConfigError
    from .editing import write_back

    try:
        write_back(real, result.after, newline, result.path)
    except ConfigError as exc:
        result.error = str(exc)
        result.unwritable = True


def format_stdin(
    raw: bytes, *, schema: Schema | None = None, width: int = DEFAULT_WIDTH
) -> FileResult:
    """Standard input (``-`` among FILES) formatted as a query file, named
    ``-``; nothing is written (the front end prints ``after``)."""
    result = FileResult(Path("-"))
    _format_text(result, raw, schema=schema, width=width)
    return result


def _format_text(result: FileResult, raw: bytes, *, schema: Schema | None, width: int) -> str:
    """Fill ``result`` from a query file's bytes; its newline is returned
    (:func:`cqlang.visible.first_break`: its first break), and a file
    of mixed endings is marked so (``mixed``: it is changed to that one).
    A byte that is not UTF-8 is kept (``surrogateescape``) for the parser
    to report as CQL002, as every command that reads a query does
    (cqlang.queryfile): the file is not formatted, and not rewritten."""
    from ..visible import first_break, mixed_breaks

    decoded = raw.decode("utf-8", "surrogateescape")
    # The file's own line ending is its first break (CRLF, a lone CR or LF);
    # a file of mixed endings is changed to that one alone (docs/cli.md).
    newline = first_break(decoded)
    result.mixed = mixed_breaks(decoded, newline)
    # The formatter reads a lone CR as a break itself (one inside quotes is
    # the string's, as the parser has it); ``before`` has every break as
    # ``\n``, as ``after`` has.
    text = decoded.replace("\r\n", "\n")
    result.before = text.replace("\r", "\n")
    try:
        result.after = format_query_file(text, schema=schema, width=width)
    except CqlError as exc:
        result.fail_with(exc.diagnostics, text.removeprefix("\ufeff"))
    return newline
