"""TOML config files: connection profiles, custom-field types, named queries.

Where the configuration comes from, earlier winning (docs/config.md):

1. ``--config FILE`` (``Config.load(path)``);
2. the file named by ``$CQLANG_CONFIG``;
3. the nearest ``cqlang.toml``, from the working directory upward;
4. ``[tool.cqlang]`` in the nearest ``pyproject.toml`` that has that table;
5. the user's file, ``platformdirs.user_config_path("cqlang") / "config.toml"``.

The first two name the only file read. Otherwise every file found among 3-5
is read and they are merged key by key, the earlier winning; a named query
(``[queries.NAME]``) and a custom field's declaration are each taken whole
from the one file that wins.

Reading uses :mod:`tomllib` (imported only when a file is read, or a
``pyproject.toml`` that mentions ``[tool]`` is looked into); only
``save_query`` and ``remove_query`` import ``tomlkit``, and they edit the
file's text in place (the new table is added after the last named query, or
removed with the blank line that separates it) so that every comment and the
layout around it survive.

Settings resolve as: command-line options (keyword arguments here), then the
environment (``CONPEEK_URL``, ``CONPEEK_KEY``), then the configuration; but a
profile with a ``base_url`` or key of its own is not overridden by the
environment, and a key only goes to the host of the table it comes from
(:meth:`Config.connection`).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from . import locate
from .configcheck import NAME_RE, dotted
from .connection import ConnectionSettings, checked_key, mask
from .diagnostics import Diagnostic, for_front_end, line_col, render, suggest
from .env import Env, FrozenDict, Queries, freeze, freeze_queries
from .errors import (  # re-exported: the config errors, by their old address
    ConfigError,
    ConfigProblem,
    InsecureConfigError,
    QueryExistsError,
    SkippedFile,
    UnknownQueryError,
    UntrustedConfigError,
)
from .errors import display_path as display_path
from .fetchspec import (
    DEFAULT_MAX_BRANCHES,
    FetchSpec,
    Settings,
    alias_chain,
    inherited,
    inherited_params,
)
from .fetchspec import lone_reference as lone_reference_in
from .fetchspec import prepare as prepare_spec
from .locate import CONFIG_ENV, PROJECT_FILE, PYPROJECT_FILE
from .schema import DEFAULT_SCHEMA, Schema

if TYPE_CHECKING:
    from .client import Client
    from .configcheck import Problem
    from .planner import Plan
    from .tomlscan import Layout, Located
    from .types import Filter

#: The largest config file read.
MAX_CONFIG_BYTES = 2**20
#: The deepest nesting of tables and arrays a config file may have.
MAX_CONFIG_DEPTH = 32

ORIGIN_OPTION = "--config"
ORIGIN_ENV = f"${CONFIG_ENV}"
ORIGIN_PROJECT = "nearest cqlang.toml"
ORIGIN_PYPROJECT = "[tool.cqlang] of the nearest pyproject.toml"
ORIGIN_USER = "user config"
ORIGIN_NEW = "new file"


# ------------------------------------------------------------------- files


@dataclass(frozen=True, eq=False)
class ConfigFile:
    """One config file read: where, why, its text and its (validated)
    cqlang table. ``prefix`` is the table that holds cqlang's keys in the file
    (``("tool", "cqlang")`` in a pyproject.toml)."""

    path: Path
    origin: str
    text: str
    data: Mapping[str, Any]
    prefix: tuple[str, ...] = ()

    @property
    def queries(self) -> Mapping[str, Any]:
        q = self.data.get("queries")
        return q if isinstance(q, Mapping) else {}

    @cached_property
    def _layout(self) -> Layout:
        return _layout_of(self.text)

    def locate(self, *path: str) -> Located | None:
        """Where the string at ``path`` (below the cqlang table) is written."""
        return self._layout.strings.get((*self.prefix, *path))

    @cached_property
    def shown_text(self) -> str:
        """The text as a diagnostic may show its lines: every ``api_key``
        masked (see :func:`masked_text`)."""
        return masked_text(self.text, self.prefix, self._layout)

    def display(self) -> str:
        return display_path(self.path)


def masked_text(text: str, prefix: tuple[str, ...] = (), layout: Layout | None = None) -> str:
    """A config file's ``text`` with the characters of every ``api_key``
    value of its cqlang table (``prefix``: ``("tool", "cqlang")`` in a
    pyproject.toml) replaced by ``*``, line breaks kept: what a caret
    drawn under a query on the same line may show. Lines and columns are
    those of ``text``, so the caret stays where it was."""
    layout = layout if layout is not None else _layout_of(text)
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


def user_config_file() -> Path | None:
    """The user's config file (it may not exist); None when the user has no
    home folder to keep one in."""
    found = locate.user_config_file()
    return Path(found) if found is not None else None


def _has_cqlang_table(path: Path) -> bool:
    try:
        raw = path.read_bytes()
    except OSError:
        return False
    return locate.pyproject_has_cqlang(raw)


def discover(
    path: str | os.PathLike[str] | None = None,
    *,
    cwd: str | os.PathLike[str] | None = None,
    env: Mapping[str, str] | None = None,
) -> list[tuple[Path, str]]:
    """The files to read, earliest (winning) first, each with why it is read."""
    env = os.environ if env is None else env
    if path is not None:
        return [(Path(path), ORIGIN_OPTION)]
    named = env.get(CONFIG_ENV)
    if named:
        return [(Path(named), ORIGIN_ENV)]
    try:
        start = (Path(cwd) if cwd is not None else Path.cwd()).absolute()
    except FileNotFoundError:
        raise ConfigError("the working folder no longer exists: cd to one that does") from None
    project: Path | None = None
    pyproject: Path | None = None
    for d in (start, *start.parents):
        if project is None and _is_file(d / PROJECT_FILE):
            project = d / PROJECT_FILE
        if pyproject is None:
            candidate = d / PYPROJECT_FILE
            if _is_file(candidate) and _has_cqlang_table(candidate):
                pyproject = candidate
        if project is not None and pyproject is not None:
            break
    found: list[tuple[Path, str]] = []
    if project is not None:
        found.append((project, ORIGIN_PROJECT))
    if pyproject is not None:
        found.append((pyproject, ORIGIN_PYPROJECT))
    user = user_config_file()
    if user is not None and _is_file(user):
        found.append((user, ORIGIN_USER))
    return found


def _is_file(path: Path) -> bool:
    """Whether a config file is there; a folder on the way that may not be
    looked into is the config's error (exit 2), not a missing file."""
    try:
        return path.is_file()
    except PermissionError:
        raise ConfigError("cannot look for it: permission denied", path) from None


#: The origins of files cqlang finds by itself (rather than is told to read):
#: only these are checked for trust.
DISCOVERED = (ORIGIN_PROJECT, ORIGIN_PYPROJECT, ORIGIN_USER)


def _read_bytes(path: Path, origin: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes (at most MAX_CONFIG_BYTES + 1) and its status, taken
    from the file opened (so that the file checked is the file read)."""
    import stat

    # O_NONBLOCK: a pipe is not waited on (it is refused below); a device such
    # as /dev/zero never ends, so at most MAX_CONFIG_BYTES are read (/dev/null
    # is an empty config).
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ConfigError("no such config file", path) from None
    except IsADirectoryError:
        raise ConfigError("is a directory, not a config file", path) from None
    except OSError as exc:
        raise ConfigError(f"cannot read it: {exc.strerror}", path) from None
    st = os.fstat(fd)
    if stat.S_ISDIR(st.st_mode):  # os.open takes a folder; open() of its fd would raise
        os.close(fd)
        raise ConfigError("is a directory, not a config file", path)
    with open(fd, "rb", closefd=True) as fh:
        if stat.S_ISFIFO(st.st_mode):
            raise ConfigError("is a pipe, not a config file", path)
        if origin in DISCOVERED:
            from .trust import untrusted

            reason = untrusted(st)
            if reason is not None:
                raise UntrustedConfigError(path, origin, reason)
        try:
            content = fh.read(MAX_CONFIG_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read it: {exc.strerror}", path) from None
    if len(content) > MAX_CONFIG_BYTES:
        limit = MAX_CONFIG_BYTES // 2**20
        raise ConfigError(f"larger than {limit} MiB: not a config file", path)
    return content, st


def is_user_file(path: Path) -> bool:
    """Whether ``path`` is the user's own config file (platformdirs')."""
    user = user_config_file()
    if user is None:
        return False
    try:
        return os.path.samefile(path, user)
    except (OSError, ValueError):
        return False


def read_file(path: Path, origin: str = ORIGIN_OPTION) -> ConfigFile:
    """Read and validate one config file: a :class:`ConfigError` lists every
    mistake found in it, each at its place. A discovered file that is not
    trusted raises :class:`UntrustedConfigError`."""
    content, st = _read_bytes(path, origin)
    try:
        # Newlines read as text mode would (\r\n and \r as \n); a byte
        # order mark (as some Windows editors write) is no text.
        text = content.decode("utf-8").removeprefix("\ufeff")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    except UnicodeDecodeError:
        raise ConfigError("not UTF-8 text", path) from None
    file, problems = check_text(text, path, origin)
    if problems:
        raise ConfigError.of(problems)
    _check_secret(path, file.data, file.prefix, st)
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

    from .configcheck import Problem, validate

    path = Path(path)
    prefix: tuple[str, ...] = ("tool", "cqlang") if path.name == PYPROJECT_FILE else ()
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return ConfigFile(path, origin, text, {}, prefix), [_toml_problem(exc, path, text)]
    except RecursionError:  # tomllib reads nested arrays and tables recursively
        return ConfigFile(path, origin, text, {}, prefix), [ConfigProblem(_TOO_DEEP, path)]
    from .encoding import nesting

    if nesting(raw, MAX_CONFIG_DEPTH) > MAX_CONFIG_DEPTH:  # what renders it may recurse too
        return ConfigFile(path, origin, text, {}, prefix), [ConfigProblem(_TOO_DEEP, path)]
    if prefix:
        tool = raw.get("tool", {})
        raw = tool.get("cqlang", {}) if isinstance(tool, dict) else {}
        if not isinstance(raw, dict):
            problem = Problem("tool.cqlang", "must be a table", ())
            return ConfigFile(path, origin, text, {}, prefix), _placed(
                [problem], path, text, prefix
            )
    own = origin == ORIGIN_USER or is_user_file(path)
    data, problems = validate(raw, ".".join(prefix), own_file=own)
    return ConfigFile(path, origin, text, data, prefix), _placed(problems, path, text, prefix)


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
    if at is None:
        message = re.sub(r" \(at end of document\)\Z", "", message)
        return ConfigProblem(f"not valid TOML: {message}", path, start=len(text), end=len(text))
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
    )


def _placed(
    problems: Sequence[Problem], path: Path, text: str, prefix: tuple[str, ...]
) -> list[ConfigProblem]:
    """Every problem at its place in the file's text (the value's for a bad
    value, the key's for a bad key; else the nearest key written above it)."""
    layout = _layout_of(text)
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
    path: Path, data: Mapping[str, Any], prefix: tuple[str, ...], st: os.stat_result
) -> None:
    holders = ["connection"] if "api_key" in data.get("connection", {}) else []
    holders += [
        f"profiles.{name}"
        for name, p in data.get("profiles", {}).items()
        if isinstance(p, Mapping) and "api_key" in p
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


# ------------------------------------------------------------------- merge


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _whole(path: tuple[str, ...]) -> bool:
    """Tables taken whole from one file rather than merged key by key."""
    return (len(path) == 2 and path[0] == "queries") or (
        len(path) == 3 and path[:2] == ("schema", "custom_fields")
    )


def _overlay(into: dict[str, Any], data: Mapping[str, Any], path: tuple[str, ...]) -> None:
    for key, value in data.items():
        here = (*path, key)
        if isinstance(value, dict) and not _whole(here) and isinstance(into.get(key), dict):
            _overlay(into[key], value, here)
        else:
            into[key] = _copy(value)


def merge(files: Sequence[ConfigFile]) -> dict[str, Any]:
    """The files' data merged key by key, the earlier file winning."""
    merged: dict[str, Any] = {}
    for f in reversed(files):
        _overlay(merged, f.data, ())
    return merged


# ---------------------------------------------------------------- schemas


def schema_for(custom_fields: Mapping[str, Any], strict: bool) -> Schema:
    """The default schema with ``custom_fields`` declared. Schemas are values
    (equal declarations make equal schemas, which share compiled plans); the
    last few made are kept, so that a config read again makes no new one."""
    if not custom_fields and not strict:
        return DEFAULT_SCHEMA
    return _schema_of(freeze(custom_fields), strict)


@lru_cache(maxsize=16)
def _schema_of(declared: FrozenDict, strict: bool) -> Schema:
    return DEFAULT_SCHEMA.with_custom_fields(declared, strict=strict)


# ----------------------------------------------------------- named queries


@dataclass(frozen=True, eq=False)
class NamedQuery:
    """A query saved under a name, with its defaults.

    ``text`` and ``params`` are what ``@NAME`` composition uses (the checker
    reads them); ``plan``/``check``/``compile`` run it with the schema and the
    other queries of the config it came from.
    """

    name: str
    text: str
    description: str | None = None
    campaign: str | None = None
    params: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    exclude: tuple[str, ...] | None = None
    timezone: str | None = None
    limit: int | None = None
    max_branches: int | None = None
    source: ConfigFile | None = field(default=None, repr=False)
    config: Config | None = field(default=None, repr=False)

    @classmethod
    def from_table(
        cls,
        name: str,
        spec: Mapping[str, Any],
        *,
        source: ConfigFile | None = None,
        config: Config | None = None,
    ) -> NamedQuery:
        """A named query from its (validated) TOML table."""
        exclude = spec.get("exclude")
        return cls(
            name=name,
            text=spec["query"],
            description=spec.get("description"),
            campaign=spec.get("campaign"),
            params=MappingProxyType(dict(spec.get("params", {}))),
            exclude=tuple(exclude) if exclude is not None else None,
            timezone=spec.get("timezone"),
            limit=spec.get("limit"),
            max_branches=spec.get("max_branches"),
            source=source,
            config=config,
        )

    @property
    def query(self) -> str:
        """The query's text (the TOML key's name)."""
        return self.text

    @property
    def path(self) -> Path | None:
        """The file that defines it."""
        return self.source.path if self.source is not None else None

    def bind(self, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The query's parameters: its defaults (and, for an alias, those of
        the query it stands for), overridden by ``params``."""
        return {**inherited_params(self.chain()), **(params or {})}

    def chain(self) -> tuple[Any, ...]:
        """This query, then the queries it is an alias of (its text a lone
        ``@OTHER``, see :func:`cqlang.fetchspec.alias_chain`), whose settings
        it inherits where it sets none."""
        queries = self.config.queries if self.config is not None else None
        return alias_chain(self, queries) if queries else (self,)

    def env(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | None = None,
        now: datetime | None = None,
        strict: bool | None = None,
        max_branches: int | None = None,
    ) -> Env:
        """The compile-time inputs the query runs with: its defaults under
        ``params``, its zone (else the connection's), the config's schema
        and named queries, its bound on requests (:meth:`_bound`)."""
        cfg = self.config
        bound = self._bound(max_branches)
        # An alias (its text a lone @OTHER) has OTHER's zone where it sets none.
        own_tz = inherited(self.chain(), "timezone")
        if cfg is None:
            queries = {self.name: self}
            return Env(None, self.bind(params), tz or own_tz, now, queries, bound)
        zone = tz or own_tz or cfg.timezone
        return Env(cfg.schema_for(strict), self.bind(params), zone, now, cfg.env_queries, bound)

    def _bound(self, given: int | None) -> int:
        """The bound on requests: ``given``, else its own ``max_branches``
        (or that of the query it is an alias of), else the connection's,
        else 32."""
        own = given or inherited(self.chain(), "max_branches")
        if own:
            return int(own)
        conn = self.config.section()[0].get("max_branches") if self.config is not None else None
        return conn or DEFAULT_MAX_BRANCHES

    def plan(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | None = None,
        now: datetime | None = None,
        max_branches: int | None = None,
    ) -> Plan:
        """The query's plan (raises a ``CqlError`` for an invalid query)."""
        from . import api

        return api.plan(self.text, self.env(params, tz=tz, now=now, max_branches=max_branches))

    def check(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | None = None,
        now: datetime | None = None,
        strict: bool | None = None,
        max_branches: int | None = None,
    ) -> list[Diagnostic]:
        """Every diagnostic of the query (positions inside ``text``)."""
        from . import api

        env = self.env(params, tz=tz, now=now, strict=strict, max_branches=max_branches)
        return api.check(self.text, env)

    def compile(
        self,
        params: Mapping[str, Any] | None = None,
        *,
        tz: str | None = None,
        now: datetime | None = None,
    ) -> list[Filter]:
        """The one filter list of the query (strict, as ``cqlang.compile``)."""
        from . import api

        return api.compile(self.text, self.env(params, tz=tz, now=now))

    def location(self) -> tuple[int, int] | None:
        """The 1-based line and column in its file where the query's text starts."""
        span = self._span()
        if span is None or self.source is None:
            return None
        return line_col(self.source.text, span.offsets[0])

    def _span(self) -> Located | None:
        if self.source is None:
            return None
        for path in (("queries", self.name, "query"), ("queries", self.name)):
            span = self.source.locate(*path)
            if span is not None and span.value == self.text:
                return span
        return None

    def render(self, diag: Diagnostic) -> str:
        """``diag`` (a diagnostic of ``text``) drawn at its place in the file:
        ``FILE:LINE:COL``, the file's line and a caret under the mistake."""
        return self.in_file(diag)[1]

    def in_file(self, diag: Diagnostic) -> tuple[Diagnostic | None, str]:
        """``diag`` moved to its place in the file (``None`` when the query's
        text cannot be located there), and its rendering."""
        message = f"{diag.message} (query '{self.name}')"
        span = self._span()
        if span is None or self.source is None:
            moved = Diagnostic(
                diag.code,
                diag.severity,
                message,
                diag.start,
                diag.end,
                diag.line,
                diag.column,
                diag.hint,
            )
            where = self.source.display() if self.source is not None else None
            source = f"{where} @{self.name}" if where else f"@{self.name}"
            return None, render(moved, self.text, source=source)
        last = len(span.offsets) - 1
        start = span.offsets[min(diag.start, last)]
        end = max(start, span.offsets[min(diag.end, last)])
        line, col = line_col(self.source.text, start)
        moved = Diagnostic(diag.code, diag.severity, message, start, end, line, col, diag.hint)
        return moved, render(moved, self.source.shown_text, source=self.source.display())


def resolve_query(text: str, config: Config | None) -> tuple[str, NamedQuery | None]:
    """A query that is only ``@NAME`` (comments and blanks around it
    allowed) becomes that named query's text, through any aliases (and the
    query whose text it is is returned, for its place in the file). Any
    other text is returned as is; ``@NAME`` inside it is inlined by the
    checker. An unknown name is left for the checker to report (with a
    did-you-mean). See :func:`cqlang.fetchspec.lone_reference`."""
    if config is None:
        return text, None
    return lone_reference_in(text, config.queries)


#: What ``Config.prepare`` returns (the name it had before FetchSpec).
PreparedQuery = FetchSpec


# ---------------------------------------------------------------- settings


# ------------------------------------------------------------------ config


class Config:
    """The configuration in effect: the files read and their merged content.

    ``Config.load()`` finds the files (module docstring); ``schema`` is the
    default schema with the declared custom fields; ``queries`` maps each
    name to a :class:`NamedQuery`, ready for ``cqlang.plan(text,
    queries=config.queries, schema=config.schema)``.
    """

    def __init__(
        self,
        files: Sequence[ConfigFile] = (),
        *,
        profile: str | None = None,
        env: Mapping[str, str] | None = None,
        skipped: Sequence[SkippedFile] = (),
    ) -> None:
        self.files: tuple[ConfigFile, ...] = tuple(files)
        #: Discovered files not read because they are not trusted.
        self.skipped: tuple[SkippedFile, ...] = tuple(skipped)
        self.data: dict[str, Any] = merge(self.files)
        self.env: Mapping[str, str] = os.environ if env is None else env
        schema = self.data.get("schema", {})
        self.schema: Schema = schema_for(
            schema.get("custom_fields", {}), bool(schema.get("strict", False))
        )
        queries: dict[str, NamedQuery] = {}
        for f in self.files:  # earliest first: the first definition wins
            for name, spec in f.queries.items():
                if name not in queries:
                    queries[name] = NamedQuery.from_table(name, spec, source=f, config=self)
        self.queries: Mapping[str, NamedQuery] = MappingProxyType(queries)
        if profile is not None and profile not in self.profiles:
            raise self._unknown_profile(profile)
        self.profile = profile

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        profile: str | None = None,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> Config:
        """Find and read the config files (``path`` alone when given). A
        discovered file that is not trusted is skipped (``skipped`` says
        why); the mistakes of every file read are raised together."""
        found = discover(path, cwd=cwd, env=env)
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
        return cls(files, profile=profile, env=env, skipped=skipped)

    @cached_property
    def env_queries(self) -> Queries:
        """The named queries as an :class:`~cqlang.env.Env` holds them,
        frozen once."""
        return freeze_queries(self.queries)

    # ----------------------------------------------------------- schema
    def schema_for(self, strict: bool | None = None) -> Schema:
        """The schema, made strict when ``strict`` (``--strict``)."""
        if not strict or self.schema.strict:
            return self.schema
        return schema_for(self.schema.custom_fields, True)

    @property
    def strict(self) -> bool:
        return self.schema.strict

    # --------------------------------------------------------- profiles
    @property
    def profiles(self) -> tuple[str, ...]:
        return tuple(self.data.get("profiles", {}))

    def _unknown_profile(self, name: str) -> ConfigError:
        if not self.profiles:
            return ConfigError(
                f"unknown profile {name!r}: no [profiles.NAME] table is defined"
                + self._files_note()
            )
        close = suggest(name, self.profiles)
        hint = f"did you mean {close!r}?" if close else "profiles: " + ", ".join(self.profiles)
        return ConfigError(f"unknown profile {name!r} ({hint})")

    def _files_note(self) -> str:
        if not self.files:
            return " (no config file was found)"
        return " in " + ", ".join(f.display() for f in self.files)

    def origin(self, *path: str) -> ConfigFile | None:
        """The file whose value for ``path`` is in effect."""
        for f in self.files:
            node: Any = f.data
            for key in path:
                if not isinstance(node, Mapping) or key not in node:
                    break
                node = node[key]
            else:
                return f
        return None

    def table(self, *table: str) -> Mapping[str, Any]:
        """The merged table at ``table`` (``("profiles", "x")``), or {}."""
        node: Any = self.data
        for key in table:
            node = node.get(key, {}) if isinstance(node, Mapping) else {}
        return node if isinstance(node, Mapping) else {}

    def where(self, table: tuple[str, ...], key: str) -> str:
        """Where the value of ``key`` in ``table`` in effect is written:
        ``FILE:LINE [TABLE]``."""
        f = self.origin(*table, key)
        if f is None:
            return f"config [{'.'.join(table)}]"
        at = f._layout.keys.get((*f.prefix, *table, key))
        line = f":{line_col(f.text, at)[0]}" if at is not None else ""
        return f"{f.display()}{line} [{'.'.join(table)}]"

    def section(self, profile: str | None = None) -> tuple[dict[str, Any], dict[str, str]]:
        """The connection settings of the config for ``profile`` (or the
        loaded one): ``[connection]`` overridden by ``[profiles.NAME]``; and
        where each came from."""
        name = profile if profile is not None else self.profile
        values: dict[str, Any] = {}
        sources: dict[str, str] = {}
        tables: list[tuple[str, ...]] = [("connection",)]
        if name is not None:
            if name not in self.profiles:
                raise self._unknown_profile(name)
            tables.append(("profiles", name))
        for table in tables:
            for key, value in self.table(*table).items():
                values[key] = value
                sources[key] = self.where(table, key)
        return values, sources

    @property
    def timezone(self) -> str | None:
        """The time zone of the connection in effect (for naive datetimes)."""
        return self.section()[0].get("timezone")

    def connection(
        self,
        profile: str | None = None,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        campaign: str | None = None,
        timezone: str | None = None,
        page_size: int | None = None,
        max_branches: int | None = None,
    ) -> ConnectionSettings:
        """The connection settings of ``profile`` (or the one loaded), the
        arguments (command-line options) winning: see
        :func:`cqlang.connection.resolve` (docs/config.md, "Settings: who
        wins"). A key read with a control character inside is no key:
        ``missing["api_key"]`` says where it came from, never the key (an
        ``api_key`` argument with one raises :class:`ConfigError`)."""
        from .connection import resolve

        return resolve(
            self,
            profile if profile is not None else self.profile,
            base_url=base_url,
            api_key=api_key,
            campaign=campaign,
            timezone=timezone,
            page_size=page_size,
            max_branches=max_branches,
        )

    # ---------------------------------------------------------- queries
    def resolve(self, text: str) -> tuple[str, NamedQuery | None]:
        """See :func:`resolve_query`."""
        return resolve_query(text, self)

    def settings(self, profile: str | None = None) -> Settings:
        """The connection's defaults for running queries (``profile``, or
        the loaded one, over ``[connection]``)."""
        values = self.section(profile)[0]
        return Settings(
            campaign=values.get("campaign"),
            timezone=values.get("timezone"),
            page_size=values.get("page_size"),
            max_branches=values.get("max_branches"),
        )

    def prepare(
        self,
        text: str,
        *,
        params: Mapping[str, Any] | None = None,
        tz: str | None = None,
        campaign: str | None = None,
        exclude: Sequence[str] | None = None,
        limit: int | None = None,
        strict: bool | None = None,
        profile: str | None = None,
        page_size: int | None = None,
        max_branches: int | None = None,
    ) -> FetchSpec:
        """Everything needed to run ``text`` (``@NAME`` alone runs that named
        query): the arguments (command-line options) win over the named
        query's settings, which win over the connection's (profile's); see
        :mod:`cqlang.fetchspec`."""
        return prepare_spec(
            text,
            queries=self.queries,
            schema=self.schema_for(strict),
            defaults=self.settings(profile),
            params=params,
            tz=tz,
            campaign=campaign,
            exclude=exclude,
            limit=limit,
            page_size=page_size,
            max_branches=max_branches,
        )

    def check_query(
        self,
        named: NamedQuery,
        queries: Mapping[str, Any] | None = None,
        *,
        schema: Schema | None = None,
        now: datetime | None = None,
        frozen: Queries | None = None,
    ) -> list[Diagnostic]:
        """Every diagnostic of the named query's own text, with the settings
        it runs with: its parameter defaults, ``timezone`` and
        ``max_branches`` (for an alias, a text that is a lone ``@OTHER``,
        OTHER's where it sets none), else the connection's. ``queries``: the
        named queries it may refer to (default: the config's); ``frozen``:
        the same, frozen once by a caller that checks many. What ``queries
        check`` and ``queries save`` check."""
        from . import api

        queries = self.queries if queries is None else queries
        chain = alias_chain(named, queries)
        bound = (
            inherited(chain, "max_branches") or self.settings().max_branches or DEFAULT_MAX_BRANCHES
        )
        env = Env(
            schema if schema is not None else self.schema,
            inherited_params(chain),
            inherited(chain, "timezone") or self.timezone,
            now,
            frozen if frozen is not None else freeze_queries(queries),
            int(bound),
        )
        return api.check(named.text, env)

    def lint(self, *, strict: bool | None = None, now: datetime | None = None) -> list[Finding]:
        """Check every named query of every file read (each with its own
        parameter defaults), in file order; every finding is placed in its
        file."""
        schema = self.schema_for(strict)
        findings: list[Finding] = []
        for f in self.files:
            own: dict[str, NamedQuery] = {}
            for name, spec in f.queries.items():
                winner = self.queries.get(name)
                if winner is not None and winner.source is f:
                    own[name] = winner
                else:
                    own[name] = NamedQuery.from_table(name, spec, source=f, config=self)
            # The file's own queries over the winners, frozen once for all.
            mapping = {**self.queries, **own}
            queries = freeze_queries(mapping)
            for q in own.values():
                diags = self.check_query(q, mapping, schema=schema, now=now, frozen=queries)
                # Hints as a config file's reader acts on them: the bound is
                # the query's max_branches key (or the connection's), and an
                # unbound parameter gets a default in the query's params.
                diags = for_front_end(diags, "config")
                for d in diags:
                    moved, shown = q.in_file(d)
                    findings.append(Finding(q, d, moved, shown))
        return findings

    # ---------------------------------------------------------- display
    def shown(self) -> dict[str, Any]:
        """The merged configuration with every api_key masked, and what a
        base_url could hide in it (a password, a ?query value)."""
        from .encoding import masked_url

        data = _copy(self.data)
        for table in [data.get("connection"), *data.get("profiles", {}).values()]:
            if isinstance(table, dict) and "api_key" in table:
                table["api_key"] = mask(str(table["api_key"]))
            if isinstance(table, dict) and isinstance(table.get("base_url"), str):
                table["base_url"] = masked_url(table["base_url"])
        return data  # type: ignore[no-any-return]

    def describe(self) -> str:
        """What ``cqlang config`` prints: the files read, the connection in
        effect (with where each setting comes from) and the merged
        configuration as TOML, secrets masked."""
        lines = ["# cqlang configuration"]
        if self.files:
            lines.append("# files read (an earlier file wins):")
            for i, f in enumerate(self.files, 1):
                lines.append(f"#   {i}. {f.display()}  ({f.origin})")
        else:
            lines.append("# no config file found; looked for:")
            lines.append(
                f"#   ${CONFIG_ENV}, {PROJECT_FILE} and {PYPROJECT_FILE} "
                "[tool.cqlang] from here upward,"
            )
            lines.append(f"#   {user_config_file() or '(none: no home folder)'}")
        if self.skipped:
            lines.append("# skipped, not trusted (someone else could have written them):")
            for sk in self.skipped:
                lines.append(f"#   {sk.path}  ({sk.origin}): {sk.reason}")
        conn = self.connection()
        lines.append(f"# profile: {conn.profile or '(none: [connection])'}")
        shown = conn.shown()
        if shown:
            lines.append("# connection in effect:")
            for key, value in shown.items():
                lines.append(f"#   {key} = {value!r}  ({conn.sources.get(key, '?')})")
        for note in conn.notes:
            lines.append(f"# note: {note}")
        body = _dump_toml(self.shown(), self)
        return "\n".join(lines) + ("\n\n" + body if body.strip() else "\n")


@dataclass(frozen=True)
class Finding:
    """One diagnostic of a named query, for ``cqlang queries check``:
    ``diagnostic`` is inside the query's text, ``placed`` the same moved to
    the file (``None`` when the text could not be located in the file)."""

    query: NamedQuery
    diagnostic: Diagnostic
    placed: Diagnostic | None
    rendered: str

    @property
    def severity(self) -> str:
        return self.diagnostic.severity

    def to_dict(self) -> dict[str, Any]:
        d = self.diagnostic.to_dict()
        src = self.query.source
        d.update(
            query=self.query.name,
            file=str(src.path) if src is not None else None,
            file_line=self.placed.line if self.placed else None,
            file_column=self.placed.column if self.placed else None,
        )
        return d


def client_from_config(config: Config, profile: str | None = None, **options: Any) -> Client:
    """A :class:`cqlang.Client` for the connection of ``config`` (``profile``
    or the loaded one): base URL and key resolved as
    :meth:`Config.connection` does (``CONPEEK_URL``/``CONPEEK_KEY`` before the
    file; a profile with a connection of its own ignores them).
    ``options`` go to the client (``timeout``, ``max_retries``...). A missing
    base URL or key is a :class:`ConfigError`: the client never falls back
    to the environment's, which belong to another connection. The same as
    ``Client.from_config(config, profile, **options)``."""
    from .client import Client

    return Client(config.connection(profile).for_client(), **options)


# ------------------------------------------------------ dumping (display)


def _dump_toml(data: Mapping[str, Any], config: Config) -> str:
    import tomlkit

    doc = tomlkit.document()
    for key, value in data.items():
        if key in ("profiles", "queries") and isinstance(value, dict):
            outer = tomlkit.table(is_super_table=True)
            for name, sub in value.items():
                t = tomlkit.table()
                _add_scalars(t, sub.items())
                if key == "queries":
                    f = config.origin("queries", name)
                    if f is not None and len(config.files) > 1:
                        t.comment(f"from {f.display()}")
                outer.add(name, t)
            doc.add(key, outer)
        elif isinstance(value, dict):
            t = tomlkit.table()
            if not any(isinstance(v, dict) for v in value.values()):
                _add_scalars(t, value.items())
                doc.add(key, t)
                continue
            for k, v in value.items():
                if isinstance(v, dict):
                    sub_t = tomlkit.table()
                    _add_scalars(sub_t, v.items())
                    t.add(k, sub_t)
                else:
                    t.add(k, _toml_item(v))
            doc.add(key, t)
    return tomlkit.dumps(doc)


def _add_scalars(table: Any, items: Any) -> None:
    """Add key/value items that are not tables (inline tables are not) to a
    tomlkit table made here. tomlkit looks for the last entry before a table
    on every add, which made `cqlang config` quadratic in the items (8,000
    custom fields: 15 s); marked as parsed, the table appends at the end,
    which is where that search puts an item in a table holding no tables."""
    body = table.value
    mark = getattr(body, "parsing", None)
    if mark is not None:
        mark(True)
    try:
        for k, v in items:
            table.add(k, _toml_item(v))
    finally:
        if mark is not None:
            mark(False)


def _toml_item(value: Any) -> Any:
    import tomlkit

    if isinstance(value, str) and "\n" in value:
        return tomlkit.string(value, multiline=True, literal="'''" not in value)
    if isinstance(value, dict):
        it = tomlkit.inline_table()
        it.update(value)
        return it
    return tomlkit.item(value)


def _layout_of(text: str) -> Layout:
    """Where each string and statement of a config file's text is written."""
    from .tomlscan import scan

    return scan(text)


# ------------------------------------------------------------------ writing


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
            from .trust import untrusted

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


def _read_for_edit(path: Path, name: str) -> tuple[str, str, tuple[str, ...]]:
    """The file's text (newlines as ``\\n``), its newline, and the table that
    holds cqlang's keys (``name`` is the file's name as given, a link's)."""
    prefix: tuple[str, ...] = ("tool", "cqlang") if name == PYPROJECT_FILE else ()
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            raw = fh.read()
    except FileNotFoundError:
        return "", "\n", prefix
    except OSError as exc:
        raise ConfigError(f"cannot read it: {exc.strerror}", path) from None
    newline = "\r\n" if "\r\n" in raw else "\n"
    # A byte order mark is skipped, as when the file is read (and not
    # written back: UTF-8 needs none, and TOML readers refuse it).
    text = raw.removeprefix("\ufeff").replace("\r\n", "\n")
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"not valid TOML: {exc}", path) from None
    return text, newline, prefix


@contextlib.contextmanager
def _editing(path: Path) -> Iterator[Path]:
    """The file to edit for ``path`` (a link's target: the link is kept),
    locked against other editors for as long as the block runs, so that
    what is read in it is still the file's content when it is replaced."""
    from .safewrite import LockTimeout, locked

    real = Path(os.path.realpath(path))
    with contextlib.ExitStack() as stack:
        try:
            real.parent.mkdir(parents=True, exist_ok=True)
            stack.enter_context(locked(real))
        except LockTimeout:
            raise ConfigError(
                "another cqlang has been editing it for too long; try again", path
            ) from None
        except OSError as exc:
            raise ConfigError(f"cannot lock it for editing: {exc.strerror}", path) from None
        yield real


def _write(path: Path, text: str, newline: str, shown: Path) -> None:
    """Replace the file's text at once (``path`` is the real file)."""
    from .safewrite import replace

    data = text.replace("\n", newline) if newline != "\n" else text
    try:
        replace(path, data.encode("utf-8"))
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
        raise ConfigError(
            f"{name!r} cannot be a query's name: use letters, digits and _ "
            "(not starting with a digit)"
        )
    with _editing(path) as real:
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
    source, newline, prefix = _read_for_edit(real, path.name)
    layout = _layout_of(source)
    queries = (*prefix, "queries")
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
        at = _insert_point(_layout_of(out), queries, out)
        before, after = out[:at], out[at:]
        if before and not before.endswith("\n"):
            before += "\n"
        sep = "\n" if before.strip() else ""
        out = before + sep + block + after
    _verify(out, path, prefix, name, text)
    _write(real, out, newline, path)


def remove_query(path: Path, name: str) -> Path:
    """Remove the query NAME from ``path``: its table (or keys), the comment
    lines just above its table, and one blank line."""
    if not path.exists():
        raise UnknownQueryError(f"no such file, so no query named {name!r}", path)
    with _editing(path) as real:
        _remove_locked(real, path, name)
    return path


def _remove_locked(real: Path, path: Path, name: str) -> None:
    source, newline, prefix = _read_for_edit(real, path.name)
    if not source and not real.exists():
        raise UnknownQueryError(f"no such file, so no query named {name!r}", path)
    layout = _layout_of(source)
    regions = _regions(layout, (*prefix, "queries", name))
    if not regions:
        names = _names(source, prefix)
        close = suggest(name, names)
        hint = f" (did you mean {close!r}?)" if close else ""
        raise UnknownQueryError(f"no query named {name!r} in this file{hint}", path)
    out = source
    for start, end in sorted(regions, reverse=True):
        out = _cut(out, start, end)
    _verify(out, path, prefix, name, None)
    _write(real, out, newline, path)


def _names(text: str, prefix: tuple[str, ...]) -> list[str]:
    import tomllib

    node: Any = tomllib.loads(text)
    for key in (*prefix, "queries"):
        node = node.get(key, {}) if isinstance(node, dict) else {}
    return list(node) if isinstance(node, dict) else []


def _verify(
    text: str, path: Path, prefix: tuple[str, ...], name: str, expected: str | None
) -> None:
    """The edited text must be TOML with the query as intended; never write
    a file that would not read back."""
    import tomllib

    try:
        node: Any = tomllib.loads(text)
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


__all__ = [
    "CONFIG_ENV",
    "Config",
    "ConfigError",
    "ConfigFile",
    "ConfigProblem",
    "ConnectionSettings",
    "Finding",
    "InsecureConfigError",
    "NamedQuery",
    "PreparedQuery",
    "QueryExistsError",
    "SkippedFile",
    "UnknownQueryError",
    "UntrustedConfigError",
    "check_text",
    "checked_key",
    "client_from_config",
    "discover",
    "mask",
    "remove_query",
    "resolve_query",
    "save_query",
    "target_file",
    "user_config_file",
]
