"""Editing a config file in place: ``queries save`` and ``queries rm``.

The file's text is edited (the new table is added after the last named
query, or removed with the blank line that separates it), so that every
comment and the layout around it survive; the edited text is read back
before the file is replaced at once (:mod:`.safewrite`), under a lock
against other editors. Only :func:`save_query` imports ``tomlkit``.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..diagnostics import NAME_CHARS, NAME_RE, line_col, not_utf8, suggest
from ..errors import ConfigError, QueryExistsError, UnknownQueryError
from .discovery import untrusted
from .files import layout_of, read_config_bytes, toml_problem
from .locate import CONFIG_ENV, PROJECT_FILE, PYPROJECT_FILE
from .validate import dotted

if TYPE_CHECKING:
    from .tomlscan import Layout

__all__ = [
    "locked_for_edit",
    "read_for_edit",
    "remove_query",
    "save_query",
    "target_file",
    "write_back",
]


def target_file(
    path: str | os.PathLike[str] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Path:
    """The file ``queries save``/``rm`` write: ``--config``, else
    ``$CQLANG_CONFIG``, else the nearest cqlang.toml, else ./cqlang.toml."""
    env = os.environ if env is None else env
    if path is not None:
        return Path(path)
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV])
    start = (Path(cwd) if cwd is not None else Path.cwd()).absolute()
    for d in (start, *start.parents):
        found = d / PROJECT_FILE
        if found.is_file():
            try:
                reason = untrusted(found.stat())
            except OSError:
                reason = None
            if reason is not None:  # read, it would be skipped: never write it
                raise ConfigError(
                    f"the nearest cqlang.toml is not trusted ({reason}): name the file "
                    "to write with --config",
                    found,
                )
            return found
    return start / PROJECT_FILE


def read_for_edit(path: Path, name: str) -> tuple[str, str, tuple[str, ...]]:
    """The file's text (newlines as ``\\n``), its newline, and the table that
    holds cqlang's keys (``name`` is the file's name as given, a link's)."""
    prefix: tuple[str, ...] = ("tool", "cqlang") if name == PYPROJECT_FILE else ()
    try:
        content, _ = read_config_bytes(path)  # the same guards as loading it
    except ConfigError:
        if not _missing(path):
            raise
        return "", "\n", prefix
    try:
        raw = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        message, line, column = not_utf8(content, exc)
        raise ConfigError(message, path, line=line, column=column, unreadable=True) from None
    from ..visible import first_break

    newline = first_break(raw)  # its first break: CRLF, a lone CR or LF
    # A byte order mark is skipped, and every line break read as one, as
    # when the file is loaded (files.read_file); the BOM is not written
    # back: UTF-8 needs none, and TOML readers refuse it.
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    problem = toml_problem(text, path)
    if problem is not None:  # at FILE:LINE:COL, as when it is loaded
        raise ConfigError(problem.message, problems=[problem])
    return text, newline, prefix


def _missing(path: Path) -> bool:
    """Whether nothing is at ``path`` (a name too long to look up is there
    to be refused, not written)."""
    try:
        os.lstat(path)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return False


@contextlib.contextmanager
def locked_for_edit(path: Path) -> Iterator[Path]:
    """The file to edit for ``path`` (a link's target: the link is kept),
    locked against other editors for as long as the block runs, so that
    what is read in it is still the file's content when it is replaced.
    The lock is a file beside it: when it cannot be made, the message says
    why the file could not be replaced either (:func:`refusal`). Anything
    there that is not a regular file (a device such as ``/dev/null``, a
    pipe, a folder, a socket) is refused first, before the lock or a
    folder is made: it is no file to edit, and the new file would take its
    place."""
    from .safewrite import LockTimeout, locked

    real = Path(os.path.realpath(path))
    special = _not_regular(real)
    if special is not None:
        raise ConfigError(special, path)
    with contextlib.ExitStack() as stack:
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot make its folder: {exc.strerror}", path) from None
        try:
            stack.enter_context(locked(real))
        except LockTimeout:
            raise ConfigError(
                "another cqlang has been editing it for too long; try again", path
            ) from None
        except OSError as exc:
            why = refusal(real) or f"cannot lock it for editing: {exc.strerror}"
            raise ConfigError(why, path) from None
        yield real


def _not_regular(real: Path) -> str | None:
    """Why ``real`` (links resolved) cannot be edited because it is not a
    regular file, or ``None`` (a regular file, or nothing there yet)."""
    import stat

    from ..output.atomic import kind_of

    try:
        mode = os.stat(real).st_mode
    except (OSError, ValueError):
        return None  # nothing there, or a name the edit itself will refuse
    if stat.S_ISREG(mode):
        return None
    return (
        f"it is {kind_of(mode)}, not a regular file: cqlang edits a config file by "
        "writing a new file and renaming it over the old one; it was left as it is"
    )


def refusal(real: Path) -> str | None:
    """Why the file ``real`` is left as it is rather than replaced
    (:func:`cqlang.output.atomic.unreplaceable`), with what to do, or
    ``None``."""
    from ..output.atomic import unreplaceable, unwritable

    reason = unreplaceable(real)
    if reason is None:
        return None
    if unwritable(real) is not None:
        return f"{reason}: it was left as it is (make it writable first: chmod u+w)"
    return f"{reason}; it was left as it is"


def write_back(path: Path, text: str, newline: str, shown: Path) -> None:
    """Replace the file's text at once (``path`` is the real file); a file
    this process may not write or replace is refused, root or not
    (:mod:`.safewrite`)."""
    from ..output.atomic import ReadOnlyFileError
    from .safewrite import replace

    data = text.replace("\n", newline) if newline != "\n" else text
    try:
        replace(path, data.encode("utf-8"))
    except ReadOnlyFileError:
        raise ConfigError(refusal(path) or "it cannot be replaced", shown) from None
    except OSError as exc:
        raise ConfigError(f"cannot write it: {exc.strerror}", shown) from None


def _query_string(text: str) -> str:
    """The query as a TOML string: literal (no escapes) where it can be,
    multi-line when it has several lines."""
    import tomlkit

    plain = not any((ord(c) < 32 and c not in "\t\n") or ord(c) == 127 for c in text)
    if "\n" in text:
        if plain and "'''" not in text and not text.endswith("'"):
            return "'''\n" + text + "'''"
        if plain and '"""' not in text and "\\" not in text and not text.endswith('"'):
            return '"""\n' + text + '"""'
        return str(tomlkit.string(text, multiline=True).as_string())
    if plain and "'" not in text:
        return "'" + text + "'"
    return str(tomlkit.string(text).as_string())


def _query_block(
    header: tuple[str, ...],
    text: str,
    description: str | None,
    params: Mapping[str, Any] | None,
    timezone: str | None = None,
    max_branches: int | None = None,
) -> str:
    import tomlkit

    lines = ["[" + dotted(*header) + "]"]
    if description:
        lines.append(f"description = {tomlkit.string(description).as_string()}")
    lines.append(f"query = {_query_string(text)}")
    if params:
        items = ", ".join(f"{dotted(k)} = {tomlkit.item(v).as_string()}" for k, v in params.items())
        lines.append(f"params = {{ {items} }}")
    if timezone:
        lines.append(f"timezone = {tomlkit.string(timezone).as_string()}")
    if max_branches is not None:
        lines.append(f"max_branches = {int(max_branches)}")
    return "\n".join(lines) + "\n"


def _regions(layout: Layout, path: tuple[str, ...]) -> list[tuple[int, int]]:
    """The text regions (start, end offsets) that define ``path``: tables whose
    header is at or below it, up to their last key; key/value lines below it."""
    out: list[tuple[int, int]] = []
    stmts = layout.statements
    n = len(path)
    i = 0
    while i < len(stmts):
        s = stmts[i]
        if s.header and s.path[:n] == path:
            end = s.end
            j = i + 1
            while j < len(stmts) and not stmts[j].header:
                end = stmts[j].end
                j += 1
            out.append((s.start, end))
            i = j
            continue
        if not s.header and s.path[:n] == path:
            out.append((s.start, s.end))
        i += 1
    merged: list[tuple[int, int]] = []
    for start, end in sorted(out):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _inline(layout: Layout, path: tuple[str, ...]) -> tuple[str, ...] | None:
    """The key whose one value holds ``path`` (an inline table, such as
    ``queries = { x = "..." }``), or ``None``: cqlang edits tables and
    keys, not the inside of a value."""
    for s in layout.statements:
        if not s.header and len(s.path) < len(path) and path[: len(s.path)] == s.path:
            return s.path
    return None


def _inline_error(
    layout: Layout, text: str, path: Path, key: tuple[str, ...], what: str
) -> ConfigError | None:
    """The refusal to edit ``key`` inside an inline table, at its place
    (the key's when it is written, else the inline table's): ``what`` is
    the message, ``{table}`` in it the inline table as written."""
    holder = _inline(layout, key)
    if holder is None:
        return None
    offset = layout.keys.get(key, layout.keys.get(holder, 0))
    line, column = line_col(text, offset)
    table = f"{dotted(*holder)} = {{ ... }}"
    return ConfigError(what.format(table=table), path, line=line, column=column)


def _is_table(layout: Layout, region: tuple[int, int]) -> bool:
    return any(s.header and s.start == region[0] for s in layout.statements)


def _insert_point(layout: Layout, queries: tuple[str, ...], text: str) -> int:
    """After the last named query's table, else at the end."""
    headed = [r for r in _regions(layout, queries) if _is_table(layout, r)]
    if headed:
        return headed[-1][1]
    return len(text)


def _cut(text: str, start: int, end: int) -> str:
    """Remove ``text[start:end]`` (whole lines), with the comment lines right
    above it that are not glued to what precedes, and one blank line."""
    lines_before = text[:start].split("\n")[:-1]  # complete lines before start
    k = len(lines_before)
    while k > 0 and lines_before[k - 1].lstrip().startswith("#"):
        k -= 1
    if k < len(lines_before) and (k == 0 or not lines_before[k - 1].strip()):
        start = sum(len(line) + 1 for line in lines_before[:k])
    if start > 0 and text[:start].endswith("\n\n"):
        start -= 1
    elif text[end:].startswith("\n") and start == 0:
        end += 1
    return text[:start] + text[end:]


def save_query(
    path: Path,
    name: str,
    text: str,
    *,
    description: str | None = None,
    params: Mapping[str, Any] | None = None,
    timezone: str | None = None,
    force: bool = False,
    max_branches: int | None = None,
) -> Path:
    """Write ``[queries.NAME]`` into ``path`` (created if missing): after the
    last named query, or at the end, leaving everything else as it is. An
    existing NAME is replaced in place only with ``force``. ``max_branches``:
    the query's own bound on requests (its ``max_branches`` key)."""
    if not NAME_RE.match(name):
        raise ConfigError(f"{name!r} cannot be a query's name: use {NAME_CHARS}")
    with locked_for_edit(path) as real:
        _save_locked(real, path, name, text, description, params, force, timezone, max_branches)
    return path


def _save_locked(
    real: Path,
    path: Path,
    name: str,
    text: str,
    description: str | None,
    params: Mapping[str, Any] | None,
    force: bool,
    timezone: str | None = None,
    max_branches: int | None = None,
) -> None:
    source, newline, prefix = read_for_edit(real, path.name)
    layout = layout_of(source)
    queries = (*prefix, "queries")
    key = (*queries, name)
    what = (
        f"@{name} is defined in an inline table ({{table}}), which cqlang does not edit: "
        "change it by hand"
        if key in layout.keys
        else f"the named queries are in an inline table ({{table}}), which cqlang does not "
        f"edit: add @{name} by hand, or write them as [{dotted(*queries)}.NAME] tables"
    )
    inline = _inline_error(layout, source, path, key, what)
    if inline is not None:
        raise inline
    existing = _regions(layout, (*queries, name))
    if existing and not force:
        raise QueryExistsError(
            f"a query named {name!r} exists already (use --force to replace it)", path
        )
    block = _query_block((*queries, name), text, description, params, timezone, max_branches)
    headed = [r for r in existing if _is_table(layout, r)]
    out = source
    if headed:  # replace its table where it is; drop any other piece of it
        for start, end in sorted(existing, reverse=True):
            if (start, end) == headed[0]:
                out = out[:start] + block + out[end:]
            else:
                out = _cut(out, start, end)
    else:
        for start, end in sorted(existing, reverse=True):
            out = _cut(out, start, end)
        at = _insert_point(layout_of(out), queries, out)
        before, after = out[:at], out[at:]
        if before and not before.endswith("\n"):
            before += "\n"
        sep = "\n" if before.strip() else ""
        out = before + sep + block + after
    _verify(out, path, prefix, name, text)
    write_back(real, out, newline, path)


def remove_query(path: Path, name: str) -> Path:
    """Remove the query NAME from ``path``: its table (or keys), the comment
    lines just above its table, and one blank line."""
    if _missing(path):
        raise UnknownQueryError(f"no such file, so no query named {name!r}", path)
    with locked_for_edit(path) as real:
        _remove_locked(real, path, name)
    return path


def _remove_locked(real: Path, path: Path, name: str) -> None:
    source, newline, prefix = read_for_edit(real, path.name)
    if not source and not real.exists():
        raise UnknownQueryError(f"no such file, so no query named {name!r}", path)
    layout = layout_of(source)
    key = (*prefix, "queries", name)
    regions = _regions(layout, key)
    if not regions and key in layout.keys:  # written inside a value
        inline = _inline_error(
            layout,
            source,
            path,
            key,
            f"@{name} is defined in an inline table ({{table}}), which cqlang does not "
            "edit: remove it by hand",
        )
        if inline is not None:
            raise inline
    if not regions:
        names = _names(source, prefix)
        close = suggest(name, names)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise UnknownQueryError(f"no query named {name!r} in this file{hint}", path)
    out = source
    for start, end in sorted(regions, reverse=True):
        out = _cut(out, start, end)
    _verify(out, path, prefix, name, None)
    write_back(real, out, newline, path)


def _names(text: str, prefix: tuple[str, ...]) -> list[str]:
    from .tomlread import loads

    node: Any = loads(text)
    for key in (*prefix, "queries"):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return list(node) if isinstance(node, dict) else []


def _verify(
    text: str, path: Path, prefix: tuple[str, ...], name: str, expected: str | None
) -> None:
    """The edited text must be TOML with the query as intended; never write
    a file that would not read back."""
    import tomllib

    from .tomlread import loads

    try:
        node: Any = loads(text)
    except tomllib.TOMLDecodeError as exc:  # pragma: no cover - a bug
        raise ConfigError(
            f"editing it would break it ({exc}); it was left unchanged", path
        ) from None
    for key in (*prefix, "queries"):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    got = node.get(name) if isinstance(node, dict) else None
    if isinstance(got, dict):
        got = got.get("query")
    if got != expected:  # pragma: no cover - a bug
        raise ConfigError(
            "editing it would not give the intended content; it was left unchanged", path
        )
